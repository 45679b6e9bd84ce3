import Testing

@testable import Models

// The composed models against numbers recorded from the models as they were before modules (each a struct of
// loose tensors with its own forward): the same seeds give the same initial weights, outputs, gradients, training
// losses, batch-norm statistics and attention maps. A change that moves any of them fails here.

/// A recorded model: its loss, the sum and sum of squares of its logits, and per parameter (in order, by name) the
/// sum of its initial values and the sum of |gradient|.
private struct Recorded {
    var loss: Double
    var logitSum: Double
    var logitSquares: Double
    var parameters: [(name: String, valueSum: Double, gradientAbsSum: Double)]
    /// The losses of four optimizer steps after the first backward.
    var curve: [Double]
}

private func expectClose(_ a: Double, _ b: Double, _ what: String, tolerance: Double = 2e-5) {
    #expect(abs(a - b) <= tolerance * max(1, abs(b)), "\(what): \(a) vs recorded \(b)")
}

/// Checks one forward and backward, then four optimizer steps, against `recorded`.
private func expectRecorded(
    _ recorded: Recorded, _ model: any Module, loss: Tensor, logits: Tensor, step: () -> Double
) {
    expectClose(loss.item(), recorded.loss, "loss")
    expectClose(logits.scalars.reduce(0, +), recorded.logitSum, "sum of logits")
    expectClose(logits.scalars.reduce(0) { $0 + $1 * $1 }, recorded.logitSquares, "sum of squared logits")
    let named = model.namedParameters
    #expect(named.map(\.name) == recorded.parameters.map(\.name))
    for ((name, tensor), expected) in zip(named, recorded.parameters) {
        expectClose(tensor.scalars.reduce(0, +), expected.valueSum, "\(name) initial values")
        expectClose(tensor.grad!.scalars.reduce(0) { $0 + abs($1) }, expected.gradientAbsSum, "\(name) gradient")
    }
    for (i, expected) in recorded.curve.enumerated() { expectClose(step(), expected, "loss of step \(i + 1)") }
}

@Test func mlpMatchesTheRecordedModel() {
    var rng = RandomGenerator(seed: 1)
    let model = MLP(sizes: [12, 16, 8, 5], activation: .relu, dropout: 0.3, using: &rng)
    let x = Tensor.normal([6, 12], using: &rng)
    let labels = [0, 1, 2, 3, 4, 0]
    var context = ForwardContext(training: true, rng: RandomGenerator(seed: 3))
    let logits = model(x, &context)
    let loss = logits.crossEntropy(labels: labels)
    loss.backward()
    let adam = Adam(model.parameters, learningRate: 0.01)
    expectRecorded(recordedMLP, model, loss: loss, logits: logits) {
        adam.zeroGrad()
        let l = model(x, &context).crossEntropy(labels: labels)
        l.backward()
        adam.step()
        return l.item()
    }
    expectClose(model(x).scalars.reduce(0, +), recordedMLPEvaluationSum, "evaluation logits")
}

@Test func cnnMatchesTheRecordedModel() {
    var rng = RandomGenerator(seed: 2)
    let model = Sequential(
        [
            Conv2d(1, 4, kernel: 3, padding: 1, using: &rng), BatchNorm2d(4), ReLU(), MaxPool2d(2),
            Conv2d(4, 6, kernel: 3, padding: 1, using: &rng), ReLU(), MaxPool2d(2), Dropout(0.25), Flatten(),
            Linear(54, 8, using: &rng), BatchNorm1d(8), Tanh(), Linear(8, 5, using: &rng),
        ], fusion: .all)
    let x = Tensor.normal([4, 1, 12, 12], using: &rng)
    let labels = [0, 1, 2, 4]
    var context = ForwardContext(training: true, rng: RandomGenerator(seed: 3))
    let logits = model(x, &context)
    let loss = logits.crossEntropy(labels: labels)
    loss.backward()
    let buffers = model.namedBuffers
    #expect(buffers.map(\.name) == recordedCNNBuffers.map(\.0))
    for ((name, tensor), (_, sum)) in zip(buffers, recordedCNNBuffers) {
        expectClose(tensor.scalars.reduce(0, +), sum, name)
    }
    // SGD, not Adam: the biases of the layers before batch norm have a zero gradient up to rounding, which Adam's
    // normalized step would turn into ±lr steps that depend on the thread count.
    let sgd = SGD(model.parameters, learningRate: 0.05, momentum: 0.9)
    expectRecorded(recordedCNN, model, loss: loss, logits: logits) {
        sgd.zeroGrad()
        let l = model(x, &context).crossEntropy(labels: labels)
        l.backward()
        sgd.step()
        return l.item()
    }
    expectClose(model(x).scalars.reduce(0, +), recordedCNNEvaluationSum, "evaluation logits")
    for ((name, tensor), (_, sum)) in zip(model.namedBuffers, recordedCNNBuffersAfterTraining) {
        expectClose(tensor.scalars.reduce(0, +), sum, "\(name) after training")
    }
}

@Test func visionTransformerMatchesTheRecordedModel() {
    var c = VisionTransformerConfiguration()
    (c.imageSize, c.patchSize, c.dim, c.depth, c.heads, c.mlpDim, c.classes, c.dropout) = (12, 4, 8, 2, 2, 16, 5, 0.1)
    var rng = RandomGenerator(seed: 4)
    let model = VisionTransformer(c, using: &rng)
    let x = Tensor.normal([3, 1, 12, 12], using: &rng)
    let labels = [1, 3, 4]
    var context = ForwardContext(training: true, rng: RandomGenerator(seed: 3))
    let logits = model(x, &context)
    let loss = logits.crossEntropy(labels: labels)
    loss.backward()
    let adam = Adam(model.parameters, learningRate: 0.01)
    expectRecorded(recordedViT, model, loss: loss, logits: logits) {
        adam.zeroGrad()
        let l = model(x, &context).crossEntropy(labels: labels)
        l.backward()
        adam.step()
        return l.item()
    }
    expectClose(model(x).scalars.reduce(0, +), recordedViTEvaluationSum, "evaluation logits")
    let attention = model.attentionWeights(x)
    #expect(attention.shape == [3, 2, 10, 10])
    expectClose(attention.scalars.reduce(0) { $0 + $1 * $1 }, recordedViTAttentionSquares, "attention weights")
}

@Test func decoderTransformerMatchesTheRecordedModel() {
    var c = DecoderTransformerConfiguration()
    (c.vocabularySize, c.blockSize, c.dim, c.heads, c.layers, c.dropout, c.activation) = (11, 6, 8, 2, 2, 0.1, .gelu)
    var rng = RandomGenerator(seed: 5)
    let model = DecoderTransformer(c, using: &rng)
    let tokens = (0..<12).map { _ in rng.nextInt(below: 11) }
    let targets = (0..<12).map { _ in rng.nextInt(below: 11) }
    var context = ForwardContext(training: true, rng: RandomGenerator(seed: 3))
    let logits = model(tokens, batch: 2, &context)
    let loss = logits.reshaped([-1, 11]).crossEntropy(labels: targets)
    loss.backward()
    let adamW = AdamW(model.parameters, learningRate: 0.01)
    expectRecorded(recordedDecoder, model, loss: loss, logits: logits) {
        adamW.zeroGrad()
        let l = model.loss(tokens, targets: targets, batch: 2, &context)
        l.backward()
        adamW.step()
        return l.item()
    }
    var generator = RandomGenerator(seed: 9)
    #expect(
        model.generate(prompt: [1, 2], count: 12, temperature: 0.8, topK: 5, using: &generator) == recordedDecoderText)
    let attention = model.attentionWeights(tokens, batch: 2)
    #expect(attention.shape == [2, 2, 6, 6])
    expectClose(attention.scalars.reduce(0) { $0 + $1 * $1 }, recordedDecoderAttentionSquares, "attention weights")
}

// MARK: Recorded numbers

private let recordedMLP = Recorded(
    loss: 1.6092898845672607, logitSum: 0.54030775837600231, logitSquares: 0.85179141689022497,
    parameters: [
        ("layers.0.weight", 0.75360469764564186, 1.3010207674233243),
        ("layers.0.bias", -0.45386691694147885, 0.13878418423701078),
        ("layers.1.weight", -1.589971425011754, 0.96928822061454412),
        ("layers.1.bias", -0.31368348002433777, 0.16996251867385581),
        ("layers.2.weight", 1.0726348909083754, 1.0328790846979246),
        ("layers.2.bias", -0.085373468697071075, 0.30742810480296612),
    ],
    curve: [1.6168100833892822, 1.6074684858322144, 1.5944774150848389, 1.5777020454406738])

private let recordedCNN = Recorded(
    loss: 1.6462843418121338, logitSum: 0.34111680835485458, logitSquares: 3.4320276081921497,
    parameters: [
        ("0.weight", -0.44567522779107094, 4.4077948331832886),
        ("0.bias", -0.505608931183815, 8.1956386566162109e-08),
        ("1.weight", 4, 0.37920548766851425),
        ("1.bias", 0, 0.23380683176219463),
        ("4.weight", -0.10526373100583442, 22.523518953472376),
        ("4.bias", 0.582688900642097, 0.32530901953577995),
        ("9.weight", 0.47550419572507963, 27.040229240968074),
        ("9.bias", 0.007859010249376297, 1.6950070858001709e-07),
        ("10.weight", 8, 0.19711421499960124),
        ("10.bias", 0, 0.24016209691762924),
        ("12.weight", 0.88872783444821835, 5.1377679540310055),
        ("12.bias", 0.1213613897562027, 0.36711233109235764),
    ],
    curve: [1.4304931163787842, 1.2061563730239868, 1.4281630516052246, 1.3022885322570801])

private let recordedViT = Recorded(
    loss: 1.9825481176376343, logitSum: -2.7475605458021164, logitSquares: 5.9930087558854188,
    parameters: [
        ("patch.weight", -0.7632334252120927, 0.25642081365185732),
        ("patch.bias", 0.17743077874183655, 0.029533175911637954),
        ("class_token", 0.012330398196354508, 8.3038221597671509),
        ("position_embedding", -0.14615739914006554, 8.3409312005023821),
        ("blocks.0.norm1.weight", 8, 0.0073727535345824435),
        ("blocks.0.norm1.bias", 0, 0.016865217505255714),
        ("blocks.0.attention.query", -0.015622191276634112, 0.0044953583331732716),
        ("blocks.0.attention.key", -0.029345391667447984, 0.0037505152057519808),
        ("blocks.0.attention.value", 0.015246169699821621, 0.93790591967990622),
        ("blocks.0.attention.output", -0.030352335423231125, 1.2094443378737196),
        ("blocks.0.norm2.weight", 8, 0.0065187256259378046),
        ("blocks.0.norm2.bias", 0, 0.0066674941235760343),
        ("blocks.0.mlp.hidden.weight", -0.11355811048997566, 2.5351279584083386),
        ("blocks.0.mlp.hidden.bias", 0, 0.32205181987956166),
        ("blocks.0.mlp.output.weight", -0.51105483650462702, 3.6726098946528509),
        ("blocks.0.mlp.output.bias", 0, 6.6353681981563568),
        ("blocks.1.norm1.weight", 8, 0.0067276261033839546),
        ("blocks.1.norm1.bias", 0, 0.0090914590109605342),
        ("blocks.1.attention.query", 0.12456134401145391, 0.0018737622839921642),
        ("blocks.1.attention.key", 0.12518587447993923, 0.0036236928899597842),
        ("blocks.1.attention.value", -0.052087065938394517, 1.0305905521181558),
        ("blocks.1.attention.output", -0.16359143704175949, 0.96842700889101252),
        ("blocks.1.norm2.weight", 8, 0.019989395805168897),
        ("blocks.1.norm2.bias", 0, 0.022002492216415703),
        ("blocks.1.mlp.hidden.weight", 0.011135879612993449, 3.0948868266423233),
        ("blocks.1.mlp.hidden.bias", 0, 0.44650543527677655),
        ("blocks.1.mlp.output.weight", 0.48213871188636404, 2.380160999526197),
        ("blocks.1.mlp.output.bias", 0, 4.8664425667375326),
        ("norm.weight", 8, 0.60677996231243014),
        ("norm.bias", 0, 0.60186893865466118),
        ("head.weight", 2.0038516111671925, 6.3855933817103505),
        ("head.bias", 0.035277038812637329, 0.93210794031620026),
    ],
    curve: [1.9302495718002319, 1.700583815574646, 1.5888537168502808, 1.3491110801696777])

private let recordedDecoder = Recorded(
    loss: 2.4081487655639648, logitSum: -0.24590722686843947, logitSquares: 0.42793561362566013,
    parameters: [
        ("token_embedding.weight", -0.16036380251352966, 2.5658697379985824),
        ("position_embedding.weight", 0.25493784166519617, 3.2127419197931886),
        ("blocks.0.norm1.weight", 8, 0.0014451137540163472),
        ("blocks.0.norm1.bias", 0, 0.0021166089118196396),
        ("blocks.0.attention.query", 0.20123802532907575, 0.00040275958597923989),
        ("blocks.0.attention.key", 0.17828188379644416, 0.00041245037143511354),
        ("blocks.0.attention.value", -0.3235098323202692, 0.24529270706534589),
        ("blocks.0.attention.output", 0.43190495096496306, 0.28346306562889367),
        ("blocks.0.norm2.weight", 8, 0.0064274970718543045),
        ("blocks.0.norm2.bias", 0, 0.0075807168614119291),
        ("blocks.0.mlp.hidden.weight", 0.21390998136484995, 1.1139042313843674),
        ("blocks.0.mlp.hidden.bias", 0, 0.17901016346877441),
        ("blocks.0.mlp.output.weight", -0.60691255025449209, 1.2404128311754903),
        ("blocks.0.mlp.output.bias", 0, 1.1915277168154716),
        ("blocks.1.norm1.weight", 8, 0.0021097690460010199),
        ("blocks.1.norm1.bias", 0, 0.0044723504051944474),
        ("blocks.1.attention.query", -0.018863118661101907, 0.00086911388606836226),
        ("blocks.1.attention.key", -0.040225172386271879, 0.00066589357285806727),
        ("blocks.1.attention.value", 0.037255520066537429, 0.33684007478586864),
        ("blocks.1.attention.output", 0.09472032031044364, 0.34187072624627035),
        ("blocks.1.norm2.weight", 8, 0.0039682449496467598),
        ("blocks.1.norm2.bias", 0, 0.0037685931092710234),
        ("blocks.1.mlp.hidden.weight", -0.055294899444561452, 1.0868183133243292),
        ("blocks.1.mlp.hidden.bias", 0, 0.17612418479984626),
        ("blocks.1.mlp.output.weight", 0.29107440254301764, 0.87748931496389559),
        ("blocks.1.mlp.output.bias", 0, 1.197111751884222),
        ("norm.weight", 8, 0.021478559414390475),
        ("norm.bias", 0, 0.026210931478999555),
        ("head.weight", -0.43136358814081177, 5.3355744861764833),
        ("head.bias", 0, 0.60044269822537899),
    ],
    curve: [2.4073543548583984, 2.3208117485046387, 2.2493557929992676, 2.170748233795166])

private let recordedMLPEvaluationSum = -0.67980926018208265
private let recordedCNNEvaluationSum = 0.23536551743745804
private let recordedCNNBuffers = [
    ("1.running_mean", -0.050860480405390263),
    ("1.running_var", 3.6925049424171448),
    ("10.running_mean", -0.088083147420547903),
    ("10.running_var", 7.2959057092666626),
]
private let recordedCNNBuffersAfterTraining = [
    ("1.running_mean", -0.20861303806304932),
    ("1.running_var", 2.7430800199508667),
    ("10.running_mean", -0.63697100430727005),
    ("10.running_var", 5.1243520975112915),
]
private let recordedViTEvaluationSum = -3.6856164485216141
private let recordedViTAttentionSquares = 6.0020315460201505
private let recordedDecoderText = [1, 2, 0, 3, 0, 7, 9, 8, 5, 6, 0, 5, 9, 9]
private let recordedDecoderAttentionSquares = 9.800323307033711
