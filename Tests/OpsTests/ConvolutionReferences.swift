import Ops
import Testing

// Convolution, transposed convolution and pooling composed from differentiable primitives only (slicing,
// concatenation, stacking, matmul, permute, sum / max / mean), written straight from the definitions. The
// hand-written kernels and VJPs must agree with them in value and gradient.

/// Pads axis `axis` with `before` and `after` elements: copies of `fill`, or for `circular` the wrapped-around
/// input (requires before, after ≤ the axis length).
func referencePad(_ x: Tensor, axis: Int, before: Int, after: Int, fill: Double = 0, circular: Bool = false) -> Tensor {
    let n = x.shape[axis]
    func block(_ count: Int) -> Tensor {
        var shape = x.shape
        shape[axis] = count
        return Tensor.full(shape, fill, dtype: x.dtype)
    }
    var parts: [Tensor] = []
    if before > 0 { parts.append(circular ? x.sliced(axis: axis, (n - before)..<n) : block(before)) }
    parts.append(x)
    if after > 0 { parts.append(circular ? x.sliced(axis: axis, 0..<after) : block(after)) }
    return parts.count == 1 ? x : Tensor.concatenate(parts, axis: axis)
}

/// An (N, C, H, W) image padded on all four sides.
func referencePad(_ x: Tensor, _ p: Padding2D, fill: Double = 0, circular: Bool = false) -> Tensor {
    let rows = referencePad(x, axis: 2, before: p.top, after: p.bottom, fill: fill, circular: circular)
    return referencePad(rows, axis: 3, before: p.left, after: p.right, fill: fill, circular: circular)
}

/// The (N, C, OH, OW) block a window tap at offset (row, column) of the padded image sees at every output position.
private func tapView(_ padded: Tensor, row: Int, column: Int, output: Size2D, stride: Size2D) -> Tensor {
    let (n, c) = (padded.shape[0], padded.shape[1])
    return padded.sliced(
        [0..<n, 0..<c, row..<(row + (output.height - 1) * stride.height + 1),
         column..<(column + (output.width - 1) * stride.width + 1)],
        steps: [1, 1, stride.height, stride.width])
}

/// conv2d as Σ over kernel taps (kh, kw) of the strided slice of the padded input that the tap reads, times the
/// tap's (F, C) weight matrix: y = Σ_{kh,kw} slice_{kh,kw}(x̃) · W[:, :, kh, kw]ᵀ + b.
func referenceConv2d(
    _ x: Tensor, _ w: Tensor, bias: Tensor? = nil, stride: Size2D = 1, padding: Padding2D = 0,
    dilation: Size2D = 1, circular: Bool = false
) -> Tensor {
    let padded = referencePad(x, padding, circular: circular)  // (N, C, H̃, W̃)
    let (f, c, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
    let output = Size2D(
        (padded.shape[2] - dilation.height * (kh - 1) - 1) / stride.height + 1,
        (padded.shape[3] - dilation.width * (kw - 1) - 1) / stride.width + 1)
    var sum: Tensor?
    for a in 0..<kh {
        for b in 0..<kw {
            let view = tapView(
                padded, row: a * dilation.height, column: b * dilation.width, output: output, stride: stride)
            let tap = w.sliced([0..<f, 0..<c, a..<(a + 1), b..<(b + 1)]).reshaped([f, c])  // (F, C)
            let term = view.permuted([0, 2, 3, 1]).matmul(tap.transposed())  // (N, OH, OW, F)
            sum = sum.map { $0 + term } ?? term
        }
    }
    let y = sum!.permuted([0, 3, 1, 2])  // (N, F, OH, OW)
    return bias.map { y + $0.reshaped([f, 1, 1]) } ?? y
}

/// Inserts `stride − 1` zeros between consecutive elements along `axis`: n elements become (n − 1)·stride + 1.
private func spreadOut(_ t: Tensor, axis: Int, stride: Int) -> Tensor {
    if stride == 1 { return t }
    let zeros = t.zerosLike()
    let interleaved = Tensor.stack([t] + Array(repeating: zeros, count: stride - 1), axis: axis + 1)
    var merged = t.shape
    merged[axis] *= stride
    return interleaved.reshaped(merged).sliced(axis: axis, 0..<((t.shape[axis] - 1) * stride + 1))
}

/// convTranspose2d from its definition: each tap (kh, kw) multiplies the input by its (C_in, C_out) weight matrix,
/// spreads the result `stride` apart, shifts it by (kh·D_h, kw·D_w) into the full output, and the padding is cropped
/// off the sum.
func referenceConvTranspose2d(
    _ x: Tensor, _ w: Tensor, bias: Tensor? = nil, stride: Size2D = 1, padding: Padding2D = 0,
    outputPadding: Size2D = 0, dilation: Size2D = 1
) -> Tensor {
    let (h, width) = (x.shape[2], x.shape[3])
    let (cIn, cOut, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
    let spreadH = (h - 1) * stride.height + 1, spreadW = (width - 1) * stride.width + 1
    let fullH = spreadH + dilation.height * (kh - 1) + outputPadding.height
    let fullW = spreadW + dilation.width * (kw - 1) + outputPadding.width
    var sum: Tensor?
    for a in 0..<kh {
        for b in 0..<kw {
            let tap = w.sliced([0..<cIn, 0..<cOut, a..<(a + 1), b..<(b + 1)]).reshaped([cIn, cOut])
            let term = x.permuted([0, 2, 3, 1]).matmul(tap).permuted([0, 3, 1, 2])  // (N, C_out, H, W)
            let spread = spreadOut(spreadOut(term, axis: 2, stride: stride.height), axis: 3, stride: stride.width)
            let top = a * dilation.height, left = b * dilation.width
            let placed = referencePad(
                spread,
                Padding2D(top: top, bottom: fullH - top - spreadH, left: left, right: fullW - left - spreadW))
            sum = sum.map { $0 + placed } ?? placed
        }
    }
    let full = sum!  // (N, C_out, fullH, fullW)
    let y = full.sliced(
        [0..<x.shape[0], 0..<cOut, padding.top..<(fullH - padding.bottom), padding.left..<(fullW - padding.right)])
    return bias.map { y + $0.reshaped([cOut, 1, 1]) } ?? y
}

/// Max or average pooling as the max / mean over the stacked KH·KW strided slices of the padded input (−∞ padding
/// for max, zeros counted in the divisor for average).
func referencePool2d(
    _ x: Tensor, kernel: Size2D, stride: Size2D? = nil, padding: Padding2D = 0, max: Bool
) -> Tensor {
    let stride = stride ?? kernel
    let padded = referencePad(x, padding, fill: max ? -.infinity : 0)
    let output = Size2D(
        (padded.shape[2] - kernel.height) / stride.height + 1, (padded.shape[3] - kernel.width) / stride.width + 1)
    var taps: [Tensor] = []
    for a in 0..<kernel.height {
        for b in 0..<kernel.width {
            taps.append(tapView(padded, row: a, column: b, output: output, stride: stride))
        }
    }
    let windows = Tensor.stack(taps, axis: 4)  // (N, C, OH, OW, KH·KW)
    return max ? windows.max(axis: 4) : windows.mean(axis: 4)
}

// MARK: - Comparison

/// The largest |a − b| / max(1, |b|) over two tensors of the same shape (∞ when the shapes differ).
func maxRelativeDifference(_ a: Tensor, _ b: Tensor) -> Double {
    guard a.shape == b.shape else { return .infinity }
    return zip(a.scalars, b.scalars).reduce(0) { worst, pair in
        Swift.max(worst, Swift.abs(pair.0 - pair.1) / Swift.max(1, Swift.abs(pair.1)))
    }
}

/// One row of the table of hand-written ops checked against their composition from primitives.
struct ComposedReferenceCase: CustomStringConvertible, Sendable {
    let name: String
    let shapes: [[Int]]
    let op: @Sendable ([Tensor]) -> Tensor
    let reference: @Sendable ([Tensor]) -> Tensor

    init(
        _ name: String, _ shapes: [[Int]], op: @escaping @Sendable ([Tensor]) -> Tensor,
        reference: @escaping @Sendable ([Tensor]) -> Tensor
    ) {
        self.name = name
        self.shapes = shapes
        self.op = op
        self.reference = reference
    }

    var description: String { name }

    /// Expects the op and its reference to agree, in float64, on the output and on every input's gradient.
    func check(seed: UInt64 = 21, tolerance: Double = 1e-11, sourceLocation: SourceLocation = #_sourceLocation) {
        expectFusedMatchesComposed(
            op, reference, at: normalInputs(shapes, seed: seed), tolerance: tolerance, name,
            sourceLocation: sourceLocation)
    }
}
