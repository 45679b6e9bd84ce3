// Sums over the channels of (N, C, …) tensors, the reductions of bias gradients and batch normalization. Each
// channel's sum runs with eight partial sums: one running sum waits on every addition (a float addition takes
// several cycles), eight independent ones keep the adders busy.

/// Σ_{n < rows} Σ_{l < count} term(rowStart(n) + l): the sum of one channel's terms, `count` consecutive ones in
/// each of its `rows` rows (one row per image, starting at flat index `rowStart(n)`). Eight partial sums, added
/// pairwise at the end.
@inline(__always)
func channelSum<T: NativeScalar>(
    rows: Int, count: Int, rowStart: (_ n: Int) -> Int, _ term: (_ index: Int) -> T
) -> T {
    var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0, s4: T = 0, s5: T = 0, s6: T = 0, s7: T = 0
    var tail: T = 0
    for n in 0..<rows {
        let first = rowStart(n), end = first + count, blocked = first + (count & ~7)
        var j = first
        // j + 7 < end: the wrapping additions cannot overflow.
        while j < blocked {
            s0 += term(j)
            s1 += term(j &+ 1)
            s2 += term(j &+ 2)
            s3 += term(j &+ 3)
            s4 += term(j &+ 4)
            s5 += term(j &+ 5)
            s6 += term(j &+ 6)
            s7 += term(j &+ 7)
            j &+= 8
        }
        while j < end {
            tail += term(j)
            j &+= 1
        }
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) + tail
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
