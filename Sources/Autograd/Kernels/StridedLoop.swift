/// Element strides of a contiguous row-major tensor of `shape`.
func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var s = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[axis] = s
        s *= shape[axis]
    }
    return strides
}

/// The NumPy broadcast of two shapes (trailing dimensions aligned; size 1 stretches), or `nil` if they do not
/// broadcast.
func broadcastShapes(_ a: [Int], _ b: [Int]) -> [Int]? {
    // The common cases return an operand's own shape, without allocating (an array costs ~60 ns here).
    if stretches(b, to: a) { return a }
    if stretches(a, to: b) { return b }
    let rank = max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
        let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
        let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
        if da == db || db == 1 {
            out[i] = da
        } else if da == 1 {
            out[i] = db
        } else {
            return nil
        }
    }
    return out
}

/// Whether `shape` broadcasts to `target` unchanged: no more axes, and each trailing-aligned size equal or 1.
func stretches(_ shape: [Int], to target: [Int]) -> Bool {
    guard shape.count <= target.count else { return false }
    let offset = target.count - shape.count
    for (axis, d) in shape.enumerated() where d != 1 && d != target[axis + offset] { return false }
    return true
}

/// Strides that read a contiguous tensor of `shape` as if broadcast to `target` (0 along stretched axes).
func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
    let own = contiguousStrides(shape)
    let offset = target.count - shape.count
    var strides = [Int](repeating: 0, count: target.count)
    for axis in 0..<shape.count where shape[axis] != 1 {
        strides[axis + offset] = own[axis]
    }
    return strides
}

/// Merges adjacent axes that every operand walks contiguously and drops size-1 axes, so the common cases
/// (same shapes, scalar, bias over rows) become one or two flat loops.
func coalesce(_ shape: [Int], _ strides: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
    var outShape: [Int] = []
    var outStrides: [[Int]] = Array(repeating: [], count: strides.count)
    for axis in 0..<shape.count where shape[axis] != 1 {
        if let last = outShape.last,
            strides.indices.allSatisfy({ strides[$0][axis] * shape[axis] == outStrides[$0].last! })
        {
            outShape[outShape.count - 1] = last * shape[axis]
            for k in strides.indices { outStrides[k][outStrides[k].count - 1] = strides[k][axis] }
        } else {
            outShape.append(shape[axis])
            for k in strides.indices { outStrides[k].append(strides[k][axis]) }
        }
    }
    if outShape.isEmpty {
        return ([1], strides.map { _ in [0] })
    }
    return (outShape, outStrides)
}

/// Visits a contiguous output of `shape` one innermost row at a time. For each row, `body` gets the output
/// offset of the row and each operand's element offset; the row has `shape.last` elements and operand `k`
/// advances by `strides[k].last` per element.
@inline(__always)
func forEachRow(_ shape: [Int], _ strides: [[Int]], _ body: (_ outOffset: Int, _ offsets: [Int]) -> Void) {
    let rank = shape.count
    let rowLength = shape[rank - 1]
    let rows = rowLength == 0 ? 0 : shape.reduce(1, *) / rowLength
    var index = [Int](repeating: 0, count: rank)
    var offsets = [Int](repeating: 0, count: strides.count)
    for row in 0..<rows {
        body(row * rowLength, offsets)
        var axis = rank - 2
        while axis >= 0 {
            index[axis] += 1
            for k in strides.indices { offsets[k] += strides[k][axis] }
            if index[axis] < shape[axis] { break }
            for k in strides.indices { offsets[k] -= strides[k][axis] * shape[axis] }
            index[axis] = 0
            axis -= 1
        }
    }
}

/// Copies `source` (read through `strides`, laid out over `shape`) into the contiguous `destination`.
func stridedCopy<T>(
    _ source: UnsafePointer<T>, strides: [Int], shape: [Int], into destination: UnsafeMutablePointer<T>
) {
    let (shape, strides) = coalesce(shape, [strides])
    let s = strides[0].last!
    let n = shape.last!
    forEachRow(shape, strides) { out, offsets in
        let src = source + offsets[0]
        let dst = destination + out
        if s == 1 {
            dst.update(from: src, count: n)
        } else if s == 0 {
            dst.update(repeating: src.pointee, count: n)
        } else {
            for i in 0..<n { dst[i] = src[i * s] }
        }
    }
}
