import Models
import Testing

@testable import Runner

// `runner summary`: stand-in examples instead of the data, multiply-adds in the summary, and the memory of one
// training step (parameters, gradients, optimizer state; activations are measured, but other tests running at the
// same time allocate too, so they are not asserted here).

@Test func aResNetOnCIFARIsSummarizedFromItsInputShapeWithoutTheData() throws {
    // CIFAR-10 is not on these machines; the stand-in examples take its place.
    let spec = try SpecFixtures.spec(
        #"{"data": {"dataset": "cifar10"}, "model": {"type": "resnet", "depth": 20}, "training": {"epochs": 1}}"#)
    let experiment = try buildExperiment(
        spec, standIn: StandInData(exampleShape: [3, 32, 32], classes: 10, count: 2))
    #expect(experiment.dataNote.hasPrefix("stand-in: 2 random examples of shape [3, 32, 32] in 10 classes"))
    // The paper's 0.27M with its two projection shortcuts (see ResNetTests).
    #expect(experiment.model.parameterCount == 272_474)
    let resnet = try #require(experiment.model as? ResNet)
    #expect(experiment.summary.totalMultiplyAdds == resnet.multiplyAdds(for: [3, 32, 32]))
    let memory = try StepMemory(experiment, batchSize: 2)
    #expect(memory.parameters == 272_474 * 4)
    #expect(memory.gradients == memory.parameters)  // every parameter is trained
    #expect(memory.optimizerState == 2 * memory.parameters)  // Adam's two moments
}

@Test func aSeq2SeqSummaryCountsItsMultiplyAddsAndMeasuresAStep() throws {
    let spec = try SpecFixtures.spec(
        #"{"data": {"dataset": "sequences", "length": 5, "points": 40}, "model": {"type": "seq2seq", "dim": 16}, "#
            + #""optimizer": {"type": "sgd"}, "training": {"epochs": 1}}"#)
    let experiment = try buildExperiment(spec)
    let model = try #require(experiment.model as? Seq2SeqTransformer)
    #expect(experiment.summary.totalMultiplyAdds == model.multiplyAdds(sourceLength: 5, targetLength: 5))
    #expect(experiment.summary.outputShape == [5, 11])
    let memory = try StepMemory(experiment, batchSize: 4)
    #expect(memory.gradients == memory.parameters && memory.optimizerState == 0)  // plain SGD keeps nothing
}

@Test func aLanguageModelsStandInContextMustFitItsBlockSize() throws {
    let spec = try SpecFixtures.spec(
        #"{"data": {"dataset": "tinyshakespeare"}, "model": {"type": "transformer", "block_size": 16}, "#
            + #""training": {"steps": 1}}"#)
    let fits = try buildExperiment(spec, standIn: StandInData(exampleShape: [16], classes: 30, count: 2))
    #expect((fits.model as? DecoderTransformer)?.configuration.vocabularySize == 30)
    let tooLong = #expect(throws: SpecError.self) {
        try buildExperiment(spec, standIn: StandInData(exampleShape: [17], classes: 30, count: 2))
    }
    #expect(
        tooLong?.description.contains(
            "$.model.block_size: a language model's input shape is (T) with T ≤ block_size 16")
            == true)
}

@Test func inputShapesAreCommaSeparatedPositiveIntegers() {
    #expect(Summary.shape("3,32,32") == [3, 32, 32])
    #expect(Summary.shape(" 4 ") == [4])
    for bad in ["", "3,,2", "0", "3,x", "-1"] { #expect(Summary.shape(bad) == nil, "\(bad)") }
}
