// The three matrix products of a convolution, each im2col / col2im plus one GEMM per image n:
//
//     forward          Yₙ = W · cols(Xₙ)                 (F, C·KH·KW) · (C·KH·KW, L)
//     input gradient   dXₙ = col2im(Wᵀ · dYₙ)            the adjoint of the forward map in X
//     weight gradient  dW = Σₙ dYₙ · cols(Xₙ)ᵀ           (F, L) · (L, C·KH·KW), accumulated over n
//
// with L = OH·OW output positions per image. Yₙ and dYₙ are the (F, L) matrices the (N, F, OH, OW) tensors already
// hold, so the GEMMs read and write them in place. The images are split into one contiguous run per thread
// (`ImageChunks`); each chunk reuses one column buffer of C·KH·KW × L elements for its images, which keeps it in
// cache (a whole-batch column matrix was measured 3–5× slower on MNIST-sized layers: it is memory-bound), and runs
// its GEMMs on its own. The backward makes one pass over dY for the weight, bias and input gradients
// (`convolutionBackward`), using each dYₙ while it is in cache; the weight gradient is summed per chunk — chunks
// fixed by the shapes, not the thread count — and the partial sums added in chunk order at the end. The transposed convolution runs the same three products with the roles of forward
// and input gradient exchanged; `channelSums` is its bias gradient (the convolution's comes with the weight
// gradient). None of these functions records on the tape.

/// The images 0..<N split into contiguous chunks run in parallel: chunk k holds images ⌊k·N/K⌋ ..< ⌊(k+1)·N/K⌋.
/// K is fixed by the shapes alone — at most `reductionChunks`, and for a pass that sums over the images (the weight
/// gradient) fewer when the partial sums would pass `partialBudget` elements — so that its sums, added chunk by
/// chunk in order, are the same at any thread count. Each running chunk gets a workspace of its own (the column matrix, followed by whatever else a
/// pass keeps per chunk) from the buffer cache, so at most one per thread is alive. A batch of one image is one
/// chunk, whose GEMMs then split themselves over the threads.
struct ImageChunks {
    let batch: Int
    let count: Int
    private let workspaceElements: Int
    private let dtype: DType

    /// Chunks for a pass that maps images to images. Their count, too, is fixed by the shapes: whether a chunk's
    /// products split themselves (a batch of one image) must not depend on the thread count.
    init(batch: Int, workspaceElements: Int, dtype: DType) {
        self.init(batch: batch, count: Self.reductionChunks, workspaceElements: workspaceElements, dtype: dtype)
    }

    /// Chunks for a pass that sums `partialElements` values over the images: the same split on every machine.
    init(batch: Int, summing partialElements: Int, workspaceElements: Int, dtype: DType) {
        let affordable = Self.partialBudget / Swift.max(partialElements, 1)
        let count = Swift.max(1, Swift.min(Self.reductionChunks, affordable))
        self.init(batch: batch, count: count, workspaceElements: workspaceElements, dtype: dtype)
    }

    private init(batch: Int, count: Int, workspaceElements: Int, dtype: DType) {
        (self.batch, self.workspaceElements, self.dtype) = (batch, workspaceElements, dtype)
        self.count = Swift.max(1, Swift.min(count, batch))
    }

    /// The most chunks a summing pass is split into (and so the most threads it uses).
    static let reductionChunks = 8
    /// The most elements of partial sums a summing pass keeps (16 MB of float32).
    static let partialBudget = 1 << 22

    /// The images of chunk `k`.
    func images(_ k: Int) -> Range<Int> { (k * batch / count)..<((k + 1) * batch / count) }

    /// Runs `body(k, images(k), workspace)` for every chunk in parallel, with a workspace for the chunk.
    func forEach<T: NativeScalar>(_: T.Type, _ body: (Int, Range<Int>, UnsafeMutablePointer<T>) -> Void) {
        parallelFor(count) { k in
            let workspace = Tensor(uninitialized: [workspaceElements], dtype: dtype)
            body(k, images(k), workspace.pointer(T.self))
        }
    }
}

/// Yₙ = W · cols(Xₙ) + b ⊗ 1 for every image: the correlation of X (N, C, H, W) with the weight W, read as an
/// (F, C·KH·KW) matrix, over `windows`, plus `bias[f]` on every element of channel f when given. Returns
/// (N, F, OH, OW).
func convolutionForward(_ x: Tensor, weight: Tensor, bias: Tensor?, _ windows: SlidingWindows) -> Tensor {
    let batch = x.shape[0], filters = weight.shape[0]
    let out = Tensor(uninitialized: [batch, filters, windows.outputHeight, windows.outputWidth], dtype: x.dtype)
    let chunks = ImageChunks(batch: batch, workspaceElements: windows.columnRows * windows.positions, dtype: x.dtype)
    func run<T: NativeScalar>(_: T.Type) {
        let px = x.pointer(T.self), pw = weight.pointer(T.self), py = out.pointer(T.self)
        let pb = bias?.pointer(T.self)
        chunks.forEach(T.self) { k, images, columns in
            for n in images {
                imageForward(
                    px + n * windows.imageSize, weight: pw, filters: filters, bias: pb, windows, columns: columns,
                    into: py + n * filters * windows.positions)
            }
        }
    }
    switch x.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    }
    return out
}

/// `pooling`(convolution(X)) without the convolution's output: each image's Yₙ (F, OH, OW) is computed into a
/// buffer of its thread and pooled plane by plane while in cache. Returns the pooled (N, F, POH, POW) and each
/// output's arg-max within its plane of Yₙ (for `convolutionBackward`'s unpooling).
func convolutionPoolingForward(
    _ x: Tensor, weight: Tensor, bias: Tensor?, _ windows: SlidingWindows, pooling: MaxPoolPlanes
) -> (output: Tensor, argmax: [Int32]) {
    let batch = x.shape[0], filters = weight.shape[0]
    let rows = windows.columnRows, positions = windows.positions, pooled = pooling.outputSize
    let out = Tensor(
        uninitialized: [batch, filters, pooling.windows.outputHeight, pooling.windows.outputWidth], dtype: x.dtype)
    // Per chunk: the column matrix, then Yₙ.
    let chunks = ImageChunks(batch: batch, workspaceElements: rows * positions + filters * positions, dtype: x.dtype)
    let argmax = [Int32](unsafeUninitializedCapacity: out.count) { argmax, initialized in
        func run<T: NativeScalar>(_: T.Type) {
            let px = x.pointer(T.self), pw = weight.pointer(T.self), po = out.pointer(T.self)
            let pb = bias?.pointer(T.self), best = argmax.baseAddress!
            chunks.forEach(T.self) { k, images, workspace in
                let y = workspace + rows * positions
                for n in images {
                    imageForward(
                        px + n * windows.imageSize, weight: pw, filters: filters, bias: pb, windows,
                        columns: workspace, into: y)
                    for f in 0..<filters {
                        let o = (n * filters + f) * pooled
                        pooling.forward(y + f * positions, into: po + o, argmax: best + o)
                    }
                }
            }
        }
        switch x.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        initialized = out.count
    }
    return (out, argmax)
}

/// Yₙ = W · cols(Xₙ) (+ the bias per filter) for one image Xₙ (C, H, W), into y (F, OH·OW), through `columns`.
@inline(__always)
private func imageForward<T: NativeScalar>(
    _ image: UnsafePointer<T>, weight: UnsafePointer<T>, filters: Int, bias: UnsafePointer<T>?,
    _ windows: SlidingWindows, columns: UnsafeMutablePointer<T>, into y: UnsafeMutablePointer<T>
) {
    let rows = windows.columnRows, positions = windows.positions
    im2col(image, windows, into: columns)
    if let bias {
        for f in 0..<filters { (y + f * positions).update(repeating: bias[f], count: positions) }
    }
    // (F, L) = (F, C·KH·KW) · (C·KH·KW, L) [+ the bias already in place]
    T.gemm(
        transposeA: false, transposeB: false, m: filters, n: positions, k: rows, alpha: 1, a: weight, lda: rows,
        b: columns, ldb: positions, beta: bias == nil ? 0 : 1, c: y, ldc: positions)
}

/// dXₙ = col2im(Wᵀ · dYₙ) for every image: the adjoint of `convolutionForward` in X, mapping dY (N, F, OH, OW) to
/// (N, C, H, W) with the weight read as an (F, C·KH·KW) matrix. When `bias` (C) is given, `bias[c]` is added to
/// every element of channel c (the transposed convolution's bias).
func convolutionInputGradient(_ dy: Tensor, weight: Tensor, bias: Tensor?, _ windows: SlidingWindows) -> Tensor {
    let batch = dy.shape[0]
    let dx = Tensor(uninitialized: [batch, windows.channels, windows.height, windows.width], dtype: dy.dtype)
    let chunks = ImageChunks(batch: batch, workspaceElements: windows.columnRows * windows.positions, dtype: dy.dtype)
    func run<T: NativeScalar>(_: T.Type) {
        let pdy = dy.pointer(T.self), pw = weight.pointer(T.self), pdx = dx.pointer(T.self)
        let pb = bias?.pointer(T.self)
        chunks.forEach(T.self) { _, images, columns in
            for n in images {
                imageInputGradient(
                    pdy + n * weight.shape[0] * windows.positions, weight: pw, filters: weight.shape[0], bias: pb,
                    windows, columns: columns, into: pdx + n * windows.imageSize)
            }
        }
    }
    switch dy.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    }
    return dx
}

/// dXₙ = col2im(Wᵀ · dYₙ), plus `bias[c]` on every element of channel c when given, for one image: dYₙ (F, OH·OW)
/// at `dy`, into dXₙ (C, H, W) at `image`, through `columns` (C·KH·KW × OH·OW elements).
@inline(__always)
private func imageInputGradient<T: NativeScalar>(
    _ dy: UnsafePointer<T>, weight: UnsafePointer<T>, filters: Int, bias: UnsafePointer<T>?,
    _ windows: SlidingWindows, columns: UnsafeMutablePointer<T>, into image: UnsafeMutablePointer<T>
) {
    let rows = windows.columnRows, positions = windows.positions, plane = windows.height * windows.width
    // col2im adds into dXₙ, which starts as zeros or as the bias.
    for c in 0..<windows.channels {
        (image + c * plane).update(repeating: bias?[c] ?? 0, count: plane)
    }
    // (C·KH·KW, L) = (F, C·KH·KW)ᵀ · (F, L)
    T.gemm(
        transposeA: true, transposeB: false, m: rows, n: positions, k: filters, alpha: 1, a: weight, lda: rows,
        b: dy, ldb: positions, beta: 0, c: columns, ldc: positions)
    col2im(columns, windows, addingInto: image)
}

/// dW = Σₙ dYₙ · cols(Xₙ)ᵀ, the (F, C·KH·KW) gradient of `convolutionForward` in its weight, for X (N, C, H, W)
/// and dY (N, F, OH, OW); returned with `shape` (the weight's shape). With `withBias`, also the bias gradient
/// db[f] = Σₙ Σ_l dYₙ[f, l] (`channelSums(dy)`), summed while each dYₙ is still in cache from its GEMM.
func convolutionWeightGradient(
    _ x: Tensor, _ dy: Tensor, _ windows: SlidingWindows, shape: [Int], withBias: Bool = false
) -> (weight: Tensor, bias: Tensor?) {
    let (_, dw, db) = convolutionBackward(x, dy, weight: nil, windows, weightShape: shape, withBias: withBias)
    return (dw!, db)
}

/// The max pooling after a fused convolution (`convolutionPoolingForward`): its planes, arg-max and output, from
/// which the convolution's dYₙ is rebuilt image by image out of the pooled gradient.
struct Unpooling {
    let planes: MaxPoolPlanes
    let argmax: [Int32]
    let output: Tensor
}

/// The gradients of `convolutionForward` in one pass over the images of dY (N, F, OH, OW), each image's dYₙ used
/// while in cache: dW = Σₙ dYₙ · cols(Xₙ)ᵀ with `weightShape` (when given), the bias gradient
/// db[f] = Σₙ Σ_l dYₙ[f, l] (with `withBias`) and dXₙ = col2im(Wᵀ · dYₙ) (when `weight` is given), through one
/// column buffer per chunk. With `unpooling`, `dy` is the gradient of the pooled output (N, F, POH, POW) and each
/// dYₙ is rebuilt from it into a buffer of the chunk (`MaxPoolPlanes.backward`). Chunk 0 sums its images into dW and
/// db, every other chunk k into partial sums of its own, added at the end.
func convolutionBackward(
    _ x: Tensor, _ dy: Tensor, weight: Tensor?, _ windows: SlidingWindows, weightShape: [Int]?, withBias: Bool,
    unpooling: Unpooling? = nil
) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
    let batch = x.shape[0], filters = dy.shape[1]
    let rows = windows.columnRows, positions = windows.positions
    let dx = weight.map { _ in Tensor(uninitialized: x.shape, dtype: x.dtype) }
    if batch == 0 {
        return (dx, weightShape.map { Tensor.zeros($0, dtype: x.dtype) },
                withBias ? Tensor.zeros([filters], dtype: x.dtype) : nil)
    }
    let dw = weightShape.map { Tensor(uninitialized: $0, dtype: x.dtype) }
    let db = withBias ? Tensor(uninitialized: [filters], dtype: x.dtype) : nil
    // Per chunk: the column matrix, then (with unpooling) dYₙ.
    let unpooled = unpooling == nil ? 0 : filters * positions
    // Chunk k ≥ 1 sums dW into partials[k − 1, 0..<F·C·KH·KW] and db into the F elements after it.
    let partialSize = (dw == nil ? 0 : filters * rows) + (withBias ? filters : 0)
    let chunks = ImageChunks(
        batch: batch, summing: partialSize, workspaceElements: rows * positions + unpooled, dtype: x.dtype)
    let partials = Tensor(uninitialized: [chunks.count - 1, partialSize], dtype: x.dtype)
    func run<T: NativeScalar>(_: T.Type) {
        let px = x.pointer(T.self), pdy = dy.pointer(T.self), pdw = dw?.pointer(T.self), pdb = db?.pointer(T.self)
        let pp = partials.pointer(T.self), pw = weight?.pointer(T.self), pdx = dx?.pointer(T.self)
        chunks.forEach(T.self) { k, images, columns in
            let sum = pdw.map { k == 0 ? $0 : pp + (k - 1) * partialSize }
            let biasSum = pdb.map { k == 0 ? $0 : pp + (k - 1) * partialSize + (pdw == nil ? 0 : filters * rows) }
            for n in images {
                var g = UnsafePointer(pdy + n * filters * positions)
                if let unpooling {
                    let buffer = columns + rows * positions, pooled = unpooling.planes.outputSize
                    unpooling.argmax.withUnsafeBufferPointer { argmax in
                        let po = unpooling.output.pointer(T.self)
                        for f in 0..<filters {
                            let o = (n * filters + f) * pooled
                            unpooling.planes.backward(
                                pdy + o, argmax: argmax.baseAddress! + o, output: po + o, into: buffer + f * positions)
                        }
                    }
                    g = UnsafePointer(buffer)
                }
                let first = n == images.lowerBound
                if let sum {
                    im2col(px + n * windows.imageSize, windows, into: columns)
                    // (F, C·KH·KW) (+)= (F, L) · (C·KH·KW, L)ᵀ, overwriting on the chunk's first image
                    T.gemm(
                        transposeA: false, transposeB: true, m: filters, n: rows, k: positions, alpha: 1, a: g,
                        lda: positions, b: columns, ldb: positions, beta: first ? 0 : 1, c: sum, ldc: rows)
                }
                if let biasSum {
                    for f in 0..<filters {
                        let total = rowSum(positions) { g[f * positions + $0] }
                        biasSum[f] = first ? total : biasSum[f] + total
                    }
                }
                if let pw, let pdx {
                    imageInputGradient(
                        g, weight: pw, filters: filters, bias: nil, windows, columns: columns,
                        into: pdx + n * windows.imageSize)
                }
            }
        }
        for p in 0..<(chunks.count - 1) {
            let partial = pp + p * partialSize
            if let pdw {
                for i in 0..<(filters * rows) { pdw[i] += partial[i] }
            }
            if let pdb {
                let offset = pdw == nil ? 0 : filters * rows
                for f in 0..<filters { pdb[f] += partial[offset + f] }
            }
        }
    }
    switch x.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    }
    return (dx, dw, db)
}
