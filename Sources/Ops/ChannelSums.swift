// Sums over the channels of (N, C, …) tensors, the reductions of bias gradients and batch normalization.

/// Σ_{n < rows} Σ_{l < count} term(rowStart(n) + l): the sum of one channel's terms, `count` consecutive ones in
/// each of its `rows` rows (one row per image, starting at flat index `rowStart(n)`), each row by `rowSum`.
@inline(__always)
func channelSum<T: NativeScalar>(
    rows: Int, count: Int, rowStart: (_ n: Int) -> Int, _ term: (_ index: Int) -> T
) -> T {
    var total: T = 0
    for n in 0..<rows {
        let first = rowStart(n)
        total += rowSum(count) { term(first + $0) }
    }
    return total
}

/// db[c] = Σ_{n, l} dY[n, c, l]: the gradient of a per-channel bias, for dY (N, C, …) of any rank ≥ 2. One pass in
/// input order (the generic `sum(axes: [0, 2, 3])` reduces one axis at a time), channels in parallel.
func channelSums(_ dy: Tensor) -> Tensor {
    let batch = dy.shape[0], channels = dy.shape[1], positions = dy.shape[2...].reduce(1, *)
    let db = Tensor(uninitialized: [channels], dtype: dy.dtype)
    func run<T: NativeScalar>(_: T.Type) {
        let g = dy.pointer(T.self), sums = db.pointer(T.self)
        parallelChannels(channels, work: batch * positions) { c in
            let rowStart = { (n: Int) in (n * channels + c) * positions }
            sums[c] = channelSum(rows: batch, count: positions, rowStart: rowStart) { g[$0] }
        }
    }
    switch dy.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    }
    return db
}

/// Runs `body(c)` for every channel c in `0..<channels`, in parallel when the channels hold enough elements
/// together (`work` per channel) to pay for the threads.
@inline(__always)
func parallelChannels(_ channels: Int, work: Int, _ body: (Int) -> Void) {
    if channels * work < 1 << 14 {
        for c in 0..<channels { body(c) }
    } else {
        parallelFor(channels, body)
    }
}
