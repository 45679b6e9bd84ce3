// The three matrix products of a convolution, each im2col / col2im plus one GEMM per image n:
//
//     forward          Yₙ = W · cols(Xₙ)                 (F, C·KH·KW) · (C·KH·KW, L)
//     input gradient   dXₙ = col2im(Wᵀ · dYₙ)            the adjoint of the forward map in X
//     weight gradient  dW = Σₙ dYₙ · cols(Xₙ)ᵀ           (F, L) · (L, C·KH·KW), accumulated over n
//
// with L = OH·OW output positions per image. Yₙ and dYₙ are the (F, L) matrices the (N, F, OH, OW) tensors already
// hold, so the GEMMs read and write them in place; one column buffer of C·KH·KW × L elements is reused for every
// image, which keeps it in cache (a whole-batch column matrix was measured 3–5× slower on MNIST-sized layers: it
// is memory-bound). The transposed convolution runs the same three products with the roles of forward and input
// gradient exchanged; `channelSums` is the bias gradient of both. None of these functions records on the tape.

/// Yₙ = W · cols(Xₙ) + b ⊗ 1 for every image: the correlation of X (N, C, H, W) with the weight W, read as an
/// (F, C·KH·KW) matrix, over `windows`, plus `bias[f]` on every element of channel f when given. Returns
/// (N, F, OH, OW).
func convolutionForward(_ x: Tensor, weight: Tensor, bias: Tensor?, _ windows: SlidingWindows) -> Tensor {
    let batch = x.shape[0], filters = weight.shape[0]
    let rows = windows.columnRows, positions = windows.positions
    let out = Tensor(uninitialized: [batch, filters, windows.outputHeight, windows.outputWidth], dtype: x.dtype)
    func run<T: NativeScalar>(_: T.Type) {
        let columns = UnsafeMutablePointer<T>.allocate(capacity: rows * positions)
        defer { columns.deallocate() }
        let px = x.pointer(T.self), pw = weight.pointer(T.self), py = out.pointer(T.self)
        let pb = bias?.pointer(T.self)
        for n in 0..<batch {
            im2col(px + n * windows.imageSize, windows, into: columns)
            let y = py + n * filters * positions
            if let pb {
                for f in 0..<filters { (y + f * positions).update(repeating: pb[f], count: positions) }
            }
            // (F, L) = (F, C·KH·KW) · (C·KH·KW, L) [+ the bias already in place]
            T.gemm(
                transposeA: false, transposeB: false, m: filters, n: positions, k: rows, alpha: 1, a: pw, lda: rows,
                b: columns, ldb: positions, beta: pb == nil ? 0 : 1, c: y, ldc: positions)
        }
    }
    switch x.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    }
    return out
}

/// dXₙ = col2im(Wᵀ · dYₙ) for every image: the adjoint of `convolutionForward` in X, mapping dY (N, F, OH, OW) to
/// (N, C, H, W) with the weight read as an (F, C·KH·KW) matrix. When `bias` (C) is given, `bias[c]` is added to
/// every element of channel c (the transposed convolution's bias).
func convolutionInputGradient(_ dy: Tensor, weight: Tensor, bias: Tensor?, _ windows: SlidingWindows) -> Tensor {
    let batch = dy.shape[0], filters = weight.shape[0]
    let rows = windows.columnRows, positions = windows.positions
    let plane = windows.height * windows.width
    let dx = Tensor(uninitialized: [batch, windows.channels, windows.height, windows.width], dtype: dy.dtype)
    func run<T: NativeScalar>(_: T.Type) {
        let columns = UnsafeMutablePointer<T>.allocate(capacity: rows * positions)
        defer { columns.deallocate() }
        let pdy = dy.pointer(T.self), pw = weight.pointer(T.self), pdx = dx.pointer(T.self)
        let pb = bias?.pointer(T.self)
        for n in 0..<batch {
            // col2im adds into dXₙ, which starts as zeros or as the bias.
            let image = pdx + n * windows.imageSize
            for c in 0..<windows.channels {
                (image + c * plane).update(repeating: pb?[c] ?? 0, count: plane)
            }
            // (C·KH·KW, L) = (F, C·KH·KW)ᵀ · (F, L)
            T.gemm(
                transposeA: true, transposeB: false, m: rows, n: positions, k: filters, alpha: 1, a: pw, lda: rows,
                b: pdy + n * filters * positions, ldb: positions, beta: 0, c: columns, ldc: positions)
            col2im(columns, windows, addingInto: image)
        }
    }
    switch dy.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    }
    return dx
}

/// dW = Σₙ dYₙ · cols(Xₙ)ᵀ, the (F, C·KH·KW) gradient of `convolutionForward` in its weight, for X (N, C, H, W)
/// and dY (N, F, OH, OW); returned with `shape` (the weight's shape).
func convolutionWeightGradient(_ x: Tensor, _ dy: Tensor, _ windows: SlidingWindows, shape: [Int]) -> Tensor {
    let batch = x.shape[0], filters = dy.shape[1]
    let rows = windows.columnRows, positions = windows.positions
    let dw = Tensor.zeros(shape, dtype: x.dtype)
    func run<T: NativeScalar>(_: T.Type) {
        let columns = UnsafeMutablePointer<T>.allocate(capacity: rows * positions)
        defer { columns.deallocate() }
        let px = x.pointer(T.self), pdy = dy.pointer(T.self), pdw = dw.pointer(T.self)
        for n in 0..<batch {
            im2col(px + n * windows.imageSize, windows, into: columns)
            // (F, C·KH·KW) += (F, L) · (C·KH·KW, L)ᵀ
            T.gemm(
                transposeA: false, transposeB: true, m: filters, n: rows, k: positions, alpha: 1,
                a: pdy + n * filters * positions, lda: positions, b: columns, ldb: positions, beta: 1, c: pdw,
                ldc: rows)
        }
    }
    switch x.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    }
    return dw
}

/// db[c] = Σ_{n, l} dY[n, c, l]: the gradient of a per-channel bias, for dY (N, C, …) of any rank ≥ 2. One pass in
/// input order (the generic `sum(axes: [0, 2, 3])` reduces one axis at a time).
func channelSums(_ dy: Tensor) -> Tensor {
    let batch = dy.shape[0], channels = dy.shape[1], positions = dy.shape[2...].reduce(1, *)
    let db = Tensor(uninitialized: [channels], dtype: dy.dtype)
    func run<T: NativeScalar>(_: T.Type) {
        let g = dy.pointer(T.self), sums = db.pointer(T.self)
        for c in 0..<channels {
            var total: T = 0
            for n in 0..<batch {
                let row = g + (n * channels + c) * positions
                for l in 0..<positions { total += row[l] }
            }
            sums[c] = total
        }
    }
    switch dy.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    }
    return db
}
