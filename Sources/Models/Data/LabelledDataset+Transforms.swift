// Transforms of a dataset's inputs: scaling, normalization, translation, rotation, flattening. Image transforms
// act on the last two axes (H, W) of (N, C, H, W) inputs; shifts and quarter turns reuse the Ops image
// transforms, arbitrary angles use bilinear sampling.

import Foundation

extension LabelledDataset {
    /// The same dataset with `transform` applied to the whole input tensor (outside any recording tape); the
    /// result must keep the example axis.
    public func mapInputs(_ transform: (Tensor) -> Tensor) -> LabelledDataset {
        withInputs(noGrad { transform(inputs) })
    }

    /// Inputs multiplied by `factor`: `scaled(by: 1 / 255)` maps raw pixels 0…255 to [0, 1].
    public func scaled(by factor: Double) -> LabelledDataset {
        mapInputs { $0 * factor }
    }

    /// Inputs normalized per channel, `x̂ = (x − mean[c]) / std[c]` with `c` the index on axis 1; one value
    /// applies to every channel. Fit `mean` and `std` on the training split (`channelStatistics()`).
    public func normalized(mean: [Double], std: [Double]) -> LabelledDataset {
        precondition(inputs.rank >= 2, "normalized: inputs need a channel axis (N, C, …), got \(inputs.shape)")
        let channels = inputs.shape[1]
        precondition(
            mean.count == std.count && (mean.count == 1 || mean.count == channels),
            "normalized: \(mean.count) means and \(std.count) stds for \(channels) channels of \(inputs.shape)")
        precondition(std.allSatisfy { $0 > 0 }, "normalized: standard deviations must be positive, got \(std)")
        // One pass into one new tensor, (x − mean) / std in the inputs' precision: a dataset is the largest thing a
        // run holds, and a temporary of its size would double the peak memory.
        let output = Tensor(uninitialized: inputs.shape, dtype: inputs.dtype)
        func normalize<T: NativeScalar>(_: T.Type) {
            let (x, y) = (inputs.pointer(T.self), output.pointer(T.self))
            let inner = inputs.shape.dropFirst(2).reduce(1, *)
            for plane in 0..<(inputs.shape[0] * channels) {
                let c = mean.count == 1 ? 0 : plane % channels
                let (m, s) = (T(mean[c]), T(std[c]))
                for k in plane * inner..<(plane + 1) * inner { y[k] = (x[k] - m) / s }
            }
        }
        switch inputs.dtype {
        case .float32: normalize(Float.self)
        case .float64: normalize(Double.self)
        }
        return withInputs(output)
    }

    /// Inputs normalized with one mean and standard deviation for every element.
    public func normalized(mean: Double, std: Double) -> LabelledDataset {
        normalized(mean: [mean], std: [std])
    }

    /// The mean and population standard deviation of each channel (axis 1) over all examples and positions,
    /// computed in `Double`: the statistics to pass to `normalized(mean:std:)`.
    public func channelStatistics() -> (mean: [Double], std: [Double]) {
        precondition(inputs.rank >= 2, "channelStatistics: inputs need a channel axis (N, C, …), got \(inputs.shape)")
        let (n, channels) = (inputs.shape[0], inputs.shape[1])
        let inner = inputs.shape.dropFirst(2).reduce(1, *)
        var sum = [Double](repeating: 0, count: channels)
        var squares = [Double](repeating: 0, count: channels)
        // Read in the inputs' precision, summed in Double (no Double copy of the dataset).
        func accumulate<T: NativeScalar>(_: T.Type) {
            let p = inputs.pointer(T.self)
            for i in 0..<n {
                for c in 0..<channels {
                    let plane = p + (i * channels + c) * inner
                    var s = 0.0, q = 0.0
                    for k in 0..<inner {
                        let x = Double(plane[k])
                        s += x
                        q += x * x
                    }
                    sum[c] += s
                    squares[c] += q
                }
            }
        }
        switch inputs.dtype {
        case .float32: accumulate(Float.self)
        case .float64: accumulate(Double.self)
        }
        let total = Double(n * inner)
        let mean = sum.map { $0 / total }
        let std = zip(squares, mean).map { Swift.max(0, $0 / total - $1 * $1).squareRoot() }
        return (mean, std)
    }

    /// Images moved `rows` pixels down (negative: up) and `columns` right (negative: left), zero-filled.
    public func translated(rows: Int = 0, columns: Int = 0) -> LabelledDataset {
        precondition(inputs.rank >= 3, "translated: inputs need (N, …, H, W), got \(inputs.shape)")
        return mapInputs { $0.shifted(rows: rows, columns: columns) }
    }

    /// Images rotated by `times` × 90° counterclockwise (as `numpy.rot90`); odd `times` swap H and W.
    public func rotated90(times: Int = 1) -> LabelledDataset {
        precondition(inputs.rank >= 3, "rotated90: inputs need (N, …, H, W), got \(inputs.shape)")
        return mapInputs { $0.rotated90(times: times) }
    }

    /// Images rotated `degrees` counterclockwise about their centre with bilinear interpolation; pixels that
    /// come from outside the image are 0. Shape is unchanged; 90° on a square image equals `rotated90()`.
    ///
    /// Output pixel p (column x, row y) takes the input at c + R(θ)(p − c), c = ((W − 1) / 2, (H − 1) / 2):
    /// x_s = c_x + cos θ · dx − sin θ · dy, y_s = c_y + sin θ · dx + cos θ · dy.
    public func rotated(degrees: Double) -> LabelledDataset {
        precondition(inputs.rank >= 3, "rotated: inputs need (N, …, H, W), got \(inputs.shape)")
        return withInputs(rotateBilinear(inputs, radians: degrees * .pi / 180))
    }

    /// Inputs reshaped to (N, ∏ example shape), e.g. (N, 1, 28, 28) → (N, 784), for a multilayer perceptron.
    public func flattened() -> LabelledDataset {
        withInputs(inputs.reshaped([count, exampleShape.reduce(1, *)]))
    }
}

/// Rotates every (H, W) plane of `x` by `radians` counterclockwise, bilinear, zero outside.
private func rotateBilinear(_ x: Tensor, radians: Double) -> Tensor {
    let (h, w) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
    let planes = h * w == 0 ? 0 : x.count / (h * w)
    let out = Tensor(uninitialized: x.shape, dtype: x.dtype)
    let (cosine, sine) = (cos(radians), sin(radians))
    let (cx, cy) = (Double(w - 1) / 2, Double(h - 1) / 2)

    // For each output pixel: the top-left source pixel and the four bilinear weights (0 outside the image),
    // the same for every plane.
    var corner = [Int](repeating: 0, count: h * w)
    var weights = [Double](repeating: 0, count: 4 * h * w)
    for y in 0..<h {
        for xo in 0..<w {
            let (dx, dy) = (Double(xo) - cx, Double(y) - cy)
            let xs = cx + cosine * dx - sine * dy
            let ys = cy + sine * dx + cosine * dy
            let (x0, y0) = (Int(xs.rounded(.down)), Int(ys.rounded(.down)))
            let (fx, fy) = (xs - Double(x0), ys - Double(y0))
            let o = y * w + xo
            corner[o] = y0 * w + x0
            let inside = { (r: Int, c: Int) -> Double in r >= 0 && r < h && c >= 0 && c < w ? 1 : 0 }
            weights[4 * o] = (1 - fx) * (1 - fy) * inside(y0, x0)
            weights[4 * o + 1] = fx * (1 - fy) * inside(y0, x0 + 1)
            weights[4 * o + 2] = (1 - fx) * fy * inside(y0 + 1, x0)
            weights[4 * o + 3] = fx * fy * inside(y0 + 1, x0 + 1)
        }
    }
    func run<T: NativeScalar>(_: T.Type) {
        let src = x.pointer(T.self), dst = out.pointer(T.self)
        corner.withUnsafeBufferPointer { corner in
            weights.withUnsafeBufferPointer { weights in
                for plane in 0..<planes {
                    let s = src + plane * h * w, d = dst + plane * h * w
                    // Reads past the plane only ever get weight 0, so clamp the index instead of branching.
                    let last = h * w - 1
                    @inline(__always) func at(_ i: Int) -> T { s[Swift.min(Swift.max(i, 0), last)] }
                    for o in 0..<(h * w) {
                        let i = corner[o]
                        let v = T(weights[4 * o]) * at(i) + T(weights[4 * o + 1]) * at(i + 1)
                            + T(weights[4 * o + 2]) * at(i + w) + T(weights[4 * o + 3]) * at(i + w + 1)
                        d[o] = v
                    }
                }
            }
        }
    }
    switch x.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    }
    return out
}
