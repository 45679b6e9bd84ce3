/// Reductions along one axis of a tensor viewed as (outer, n, inner).
enum ReduceOp {
    case sum, max
}

func reduceKernel<T: NativeScalar>(
    _ op: ReduceOp, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, outer: Int, n: Int, inner: Int
) {
    for o in 0..<outer {
        let src = x + o * n * inner
        let dst = y + o * inner
        switch op {
        case .sum:
            if inner == 1 {
                var s: T = 0
                for j in 0..<n { s += src[j] }
                dst.pointee = s
            } else {
                dst.update(repeating: 0, count: inner)
                for j in 0..<n {
                    let row = src + j * inner
                    for i in 0..<inner { dst[i] += row[i] }
                }
            }
        case .max:
            if inner == 1 {
                var m = -T.infinity
                for j in 0..<n where src[j] > m || src[j].isNaN { m = src[j] }
                dst.pointee = m
            } else {
                dst.update(repeating: -T.infinity, count: inner)
                for j in 0..<n {
                    let row = src + j * inner
                    for i in 0..<inner where row[i] > dst[i] || row[i].isNaN { dst[i] = row[i] }
                }
            }
        }
    }
}

/// Softmax or log-softmax along the middle axis of (outer, n, inner), stable for large logits: the row maximum
/// is subtracted before exponentiating.
func softmaxKernel<T: NativeScalar>(
    log: Bool, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, outer: Int, n: Int, inner: Int
) {
    for o in 0..<outer {
        for i in 0..<inner {
            let src = x + o * n * inner + i
            let dst = y + o * n * inner + i
            var m = -T.infinity
            for j in 0..<n where src[j * inner] > m { m = src[j * inner] }
            if m == -T.infinity { m = 0 }  // a fully masked row: every exp is 0, leave the NaN to the sum
            var s: T = 0
            for j in 0..<n {
                let e = T.exp(src[j * inner] - m)
                dst[j * inner] = e
                s += e
            }
            if log {
                // (x − m) − log s, not x − (m + log s): exact for a row of equal huge logits.
                let logSum = T.log(s)
                for j in 0..<n { dst[j * inner] = (src[j * inner] - m) - logSum }
            } else {
                let inv = 1 / s
                for j in 0..<n { dst[j * inner] *= inv }
            }
        }
    }
}
