// The kernels of max and average pooling over the (H, W) planes of (N, C, H, W) tensors: forward and VJP side by
// side. Planes run in parallel; the common 2 × 2, stride 2, unpadded max pooling has kernels of its own (four windows
// per step forward, a gradient written block by block backward).

/// Max pooling of every (H, W) plane of an (N, C, H, W) input over `windows`: forward and VJP side by side. The
/// forward pass records each output's arg-max, as an index within its input plane, for the VJP to send the gradient
/// to (see `MaxPoolPlanes`), one plane per thread at a time. With `rectified`, the op is relu(maxpool(x))
/// (= maxpool(relu(x))): outputs ≤ 0 (and NaN) become 0 and send no gradient, as `relu` does.
func maxPooling(
    _ name: StaticString, _ input: Tensor, _ windows: SlidingWindows, stride: Size2D, rectified: Bool = false
) -> Tensor {
    let (n, c) = (input.shape[0], input.shape[1])
    let pooling = MaxPoolPlanes(windows, stride: stride, rectified: rectified)
    let planes = n * c, inputPlane = pooling.inputSize, outputPlane = pooling.outputSize
    let out = Tensor(uninitialized: [n, c, windows.outputHeight, windows.outputWidth], dtype: input.dtype)
    let argmax = [Int32](unsafeUninitializedCapacity: out.count) { argmax, initialized in
        func run<T: NativeScalar>(_: T.Type) {
            let x = input.pointer(T.self), y = out.pointer(T.self), best = argmax.baseAddress!
            forEachPlane(planes, size: inputPlane) { p in
                pooling.forward(x + p * inputPlane, into: y + p * outputPlane, argmax: best + p * outputPlane)
            }
        }
        switch input.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        initialized = out.count
    }
    return out.recorded(name, [input]) { g, _ in
        let dx = Tensor(uninitialized: input.shape, dtype: input.dtype)
        func scatter<T: NativeScalar>(_: T.Type) {
            let gy = g.pointer(T.self), gx = dx.pointer(T.self), y = out.pointer(T.self)
            argmax.withUnsafeBufferPointer { argmax in
                forEachPlane(planes, size: inputPlane) { p in
                    let o = p * outputPlane
                    pooling.backward(gy + o, argmax: argmax.baseAddress! + o, output: y + o, into: gx + p * inputPlane)
                }
            }
        }
        switch g.dtype {
        case .float32: scatter(Float.self)
        case .float64: scatter(Double.self)
        }
        return [dx]
    }
}

/// Max pooling of one (H, W) plane over `windows`, optionally rectified (relu of the result): the forward records
/// each output's arg-max as an index within the plane; the backward writes the whole input plane's gradient, g at
/// each output's arg-max (added up where windows overlap; times 1 where the rectified output is > 0, else 0, as
/// `relu`'s VJP) and 0 elsewhere. The common 2 × 2, stride 2, unpadded case has kernels of its own.
struct MaxPoolPlanes {
    let windows: SlidingWindows
    let rectified: Bool
    /// 2 × 2 windows, stride 2, all inside the input (no padding is read).
    let halving: Bool
    /// The taps of every window, for the general kernel (see `windowTaps`).
    let taps: [Int]

    init(_ windows: SlidingWindows, stride: Size2D, rectified: Bool) {
        self.windows = windows
        self.rectified = rectified
        halving = windows.kernelHeight == 2 && windows.kernelWidth == 2 && stride == Size2D(2, 2)
            && windows.rowSource[0] == 0 && windows.columnSource[0] == 0
            && 2 * windows.outputHeight <= windows.height && 2 * windows.outputWidth <= windows.width
        taps = halving ? [] : windowTaps(windows)
    }

    /// Elements of an input plane, H·W, and of an output plane, OH·OW.
    var inputSize: Int { windows.height * windows.width }
    var outputSize: Int { windows.positions }

    @inline(__always)
    func forward<T: NativeScalar>(
        _ x: UnsafePointer<T>, into y: UnsafeMutablePointer<T>, argmax: UnsafeMutablePointer<Int32>
    ) {
        if halving {
            maxPool2x2(x, width: windows.width, windows, into: y, argmax: argmax)
        } else {
            maxPool(x, taps: taps, window: windows.kernelHeight * windows.kernelWidth, into: y, argmax: argmax,
                count: outputSize)
        }
        if rectified { rectify(y, count: outputSize) }
    }

    /// dx (the input plane) from g and the forward's arg-max and `output` (read only when rectified).
    @inline(__always)
    func backward<T: NativeScalar>(
        _ g: UnsafePointer<T>, argmax: UnsafePointer<Int32>, output: UnsafePointer<T>,
        into dx: UnsafeMutablePointer<T>
    ) {
        if halving {
            return maxPool2x2Backward(g, argmax: argmax, rectifiedOutput: rectified ? output : nil, windows, into: dx)
        }
        dx.update(repeating: 0, count: inputSize)
        if rectified {
            for o in 0..<outputSize { dx[Int(argmax[o])] += g[o] * (output[o] > 0 ? 1 : 0) }
        } else {
            for o in 0..<outputSize { dx[Int(argmax[o])] += g[o] }
        }
    }
}

/// Whether `v` replaces `best` as a window's maximum: strictly greater keeps the first maximum; the first NaN beats
/// every number and stays.
@inline(__always)
private func beats<T: NativeScalar>(_ v: T, _ best: T) -> Bool { v > best || (v.isNaN && !best.isNaN) }

/// One plane's max pooling over windows given by `taps` (see `windowTaps`): `count` outputs of `window` taps each.
@inline(__always)
private func maxPool<T: NativeScalar>(
    _ x: UnsafePointer<T>, taps: [Int], window: Int, into y: UnsafeMutablePointer<T>,
    argmax: UnsafeMutablePointer<Int32>, count: Int
) {
    taps.withUnsafeBufferPointer { taps in
        for o in 0..<count {
            var best = -T.infinity
            var bestIndex = -1
            for index in taps[(o * window)..<((o + 1) * window)] where index >= 0 {
                let v = x[index]
                if bestIndex < 0 || beats(v, best) {
                    best = v
                    bestIndex = index
                }
            }
            y[o] = best
            argmax[o] = Int32(bestIndex)
        }
    }
}

/// One plane's 2 × 2, stride 2 max pooling of windows that lie inside the input (no padding read, 2·OH ≤ H and
/// 2·OW ≤ W): output (i, j) is the maximum of input rows 2i, 2i + 1 and columns 2j, 2j + 1, and its arg-max the
/// first tap in row-major order that equals it, as in `maxPool`. Four windows at a time: eight elements of each of
/// the two rows, split into the windows' even (left) and odd (right) columns; a row's last four windows end at its
/// end and may overlap the previous four (they are written twice, identically). Without branches on the data (a
/// random arg-max defeats branch prediction); windows holding a NaN (or both infinities) take the ordered
/// comparisons of `maxPool` instead.
@inline(__always)
private func maxPool2x2<T: NativeScalar>(
    _ x: UnsafePointer<T>, width: Int, _ windows: SlidingWindows, into y: UnsafeMutablePointer<T>,
    argmax: UnsafeMutablePointer<Int32>
) {
    let outW = windows.outputWidth
    guard outW >= 4 else {
        for i in 0..<windows.outputHeight {
            for j in 0..<outW {
                maxPool2x2Ordered(x, 2 * i * width + 2 * j, width, y + i * outW + j, argmax + i * outW + j)
            }
        }
        return
    }
    // Indices in the integer type of T's comparison masks (Int32 for Float), stored as Int32.
    typealias Index = SIMD4<T.SIMDMaskScalar>
    let lanes = Index(0, 2, 4, 6), w = T.SIMDMaskScalar(truncatingIfNeeded: width)
    for i in 0..<windows.outputHeight {
        for start in stride(from: 0, to: outW, by: 4) {
            let j = Swift.min(start, outW - 4), a = 2 * i * width + 2 * j, o = i * outW + j
            let upperRow = UnsafeRawPointer(x + a).loadUnaligned(as: SIMD8<T>.self)
            let lowerRow = UnsafeRawPointer(x + a + width).loadUnaligned(as: SIMD8<T>.self)
            let (x0, x1) = (upperRow.evenHalf, upperRow.oddHalf)
            let (x2, x3) = (lowerRow.evenHalf, lowerRow.oddHalf)
            let upper = x0.replacing(with: x1, where: x1 .> x0), lower = x2.replacing(with: x3, where: x3 .> x2)
            let best = upper.replacing(with: lower, where: lower .> upper)
            // Ties keep the earlier tap on both sides, so `best` is the element at `index` (zeros' signs too).
            let first = T.SIMDMaskScalar(truncatingIfNeeded: a) &+ lanes
            var index = (first &+ w &+ 1).replacing(with: first &+ w, where: x2 .== best)
            index.replace(with: first &+ 1, where: x1 .== best)
            index.replace(with: first, where: x0 .== best)
            UnsafeMutableRawPointer(y + o).storeBytes(of: best, as: SIMD4<T>.self)
            UnsafeMutableRawPointer(argmax + o).storeBytes(
                of: SIMD4<Int32>(truncatingIfNeeded: index), as: SIMD4<Int32>.self)
            let sum = x0 + x1 + x2 + x3
            if any(sum .!= sum) {
                for k in 0..<4 { maxPool2x2Ordered(x, a + 2 * k, width, y + o + k, argmax + o + k) }
            }
        }
    }
}

/// The window at `a`, `a + 1`, `a + width`, `a + width + 1` by the ordered comparisons of `maxPool` (for NaNs).
@inline(never)
private func maxPool2x2Ordered<T: NativeScalar>(
    _ x: UnsafePointer<T>, _ a: Int, _ width: Int, _ y: UnsafeMutablePointer<T>, _ argmax: UnsafeMutablePointer<Int32>
) {
    var index = a
    for tap in [a + 1, a + width, a + width + 1] where beats(x[tap], x[index]) { index = tap }
    y.pointee = x[index]
    argmax.pointee = Int32(truncatingIfNeeded: index)
}

/// relu in place, x > 0 ? x : 0 (NaN → 0), four elements at a time: a plain loop becomes a branch per element
/// (the compiler stores only the zeros), which mispredicts on data of random sign.
@inline(__always)
private func rectify<T: NativeScalar>(_ y: UnsafeMutablePointer<T>, count: Int) {
    let quads = count / 4
    for q in 0..<quads {
        let v = UnsafeRawPointer(y + 4 * q).loadUnaligned(as: SIMD4<T>.self)
        UnsafeMutableRawPointer(y + 4 * q).storeBytes(of: v.replacing(with: 0, where: .!(v .> 0)), as: SIMD4<T>.self)
    }
    for i in (4 * quads)..<count where !(y[i] > 0) { y[i] = 0 }
}

/// The VJP of `maxPool2x2` for one plane, written block by block instead of zeroing the plane and scattering: each
/// 2 × 2 window gets g at its arg-max and 0 at its other three elements; rows and columns no window covers get 0.
/// With `rectifiedOutput` (the forward's outputs, after the ReLU), g is multiplied by 1 where the output is > 0 and
/// by 0 elsewhere, as `relu`'s VJP. Four windows at a time without branches on the data, the last four of a row
/// ending at its end (as in `maxPool2x2`).
@inline(__always)
private func maxPool2x2Backward<T: NativeScalar>(
    _ g: UnsafePointer<T>, argmax: UnsafePointer<Int32>, rectifiedOutput: UnsafePointer<T>?,
    _ windows: SlidingWindows, into dx: UnsafeMutablePointer<T>
) {
    let width = windows.width, outW = windows.outputWidth, outH = windows.outputHeight
    if outW < 4 {
        dx.update(repeating: 0, count: windows.height * width)
        for o in 0..<(outH * outW) {
            dx[Int(argmax[o])] = g[o] * (rectifiedOutput.map { $0[o] > 0 ? 1 : 0 } ?? 1)
        }
        return
    }
    typealias Index = SIMD4<T.SIMDMaskScalar>
    let lanes = Index(0, 2, 4, 6), w = T.SIMDMaskScalar(truncatingIfNeeded: width), zero = SIMD4<T>.zero
    for i in 0..<outH {
        let top = dx + 2 * i * width, bottom = top + width
        for start in stride(from: 0, to: outW, by: 4) {
            let j = Swift.min(start, outW - 4), o = i * outW + j
            var gradient = UnsafeRawPointer(g + o).loadUnaligned(as: SIMD4<T>.self)
            if let rectifiedOutput {
                let y = UnsafeRawPointer(rectifiedOutput + o).loadUnaligned(as: SIMD4<T>.self)
                gradient *= zero.replacing(with: 1, where: y .> 0)
            }
            // Where each window's arg-max sits in it: 0, 1 (top row), W, W + 1 (bottom row).
            let index = Index(truncatingIfNeeded: UnsafeRawPointer(argmax + o).loadUnaligned(as: SIMD4<Int32>.self))
            let at = index &- (T.SIMDMaskScalar(truncatingIfNeeded: 2 * i * width + 2 * j) &+ lanes)
            let a = zero.replacing(with: gradient, where: at .== 0)
            let b = zero.replacing(with: gradient, where: at .== 1)
            let c = zero.replacing(with: gradient, where: at .== w)
            let d = zero.replacing(with: gradient, where: at .== w &+ 1)
            let upper = SIMD8(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3])
            let lower = SIMD8(c[0], d[0], c[1], d[1], c[2], d[2], c[3], d[3])
            UnsafeMutableRawPointer(top + 2 * j).storeBytes(of: upper, as: SIMD8<T>.self)
            UnsafeMutableRawPointer(bottom + 2 * j).storeBytes(of: lower, as: SIMD8<T>.self)
        }
        for column in (2 * outW)..<width {
            top[column] = 0
            bottom[column] = 0
        }
    }
    (dx + 2 * outH * width).update(repeating: 0, count: (windows.height - 2 * outH) * width)
}

/// Average pooling (padding counted in the divisor) of every (H, W) plane of an (N, C, H, W) input over `windows`:
/// forward and VJP side by side.
func averagePooling(_ name: StaticString, _ input: Tensor, _ windows: SlidingWindows) -> Tensor {
    let (n, c) = (input.shape[0], input.shape[1])
    let planes = n * c, inputPlane = windows.height * windows.width, outputPlane = windows.positions
    let window = windows.kernelHeight * windows.kernelWidth
    let out = Tensor(uninitialized: [n, c, windows.outputHeight, windows.outputWidth], dtype: input.dtype)
    let scale = 1 / Double(window)
    let taps = windowTaps(windows)
    func run<T: NativeScalar>(_: T.Type) {
        let x = input.pointer(T.self), y = out.pointer(T.self), s = T(scale)
        taps.withUnsafeBufferPointer { taps in
            forEachPlane(planes, size: inputPlane) { p in
                let (xp, yp) = (x + p * inputPlane, y + p * outputPlane)
                for o in 0..<outputPlane {
                    var sum: T = 0
                    for index in taps[(o * window)..<((o + 1) * window)] where index >= 0 { sum += xp[index] }
                    yp[o] = sum * s
                }
            }
        }
    }
    switch input.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    }
    return out.recorded(name, [input]) { g, _ in
        let dx = Tensor(uninitialized: input.shape, dtype: input.dtype)
        func spread<T: NativeScalar>(_: T.Type) {
            let gy = g.pointer(T.self), gx = dx.pointer(T.self), s = T(scale)
            taps.withUnsafeBufferPointer { taps in
                forEachPlane(planes, size: inputPlane) { p in
                    let (gxp, gyp) = (gx + p * inputPlane, gy + p * outputPlane)
                    gxp.update(repeating: 0, count: inputPlane)
                    for o in 0..<outputPlane {
                        let share = gyp[o] * s
                        for index in taps[(o * window)..<((o + 1) * window)] where index >= 0 { gxp[index] += share }
                    }
                }
            }
        }
        switch g.dtype {
        case .float32: spread(Float.self)
        case .float64: spread(Double.self)
        }
        return [dx]
    }
}

/// The flat input index within a plane that each tap of each window reads, or −1 for padding:
/// `taps[(oh·OW + ow)·KH·KW + a·KW + b]` for tap (a, b) of window (oh, ow), in row-major window order.
private func windowTaps(_ windows: SlidingWindows) -> [Int] {
    let outH = windows.outputHeight, outW = windows.outputWidth, kh = windows.kernelHeight, kw = windows.kernelWidth
    var taps = [Int](repeating: -1, count: outH * outW * kh * kw)
    for oh in 0..<outH {
        for ow in 0..<outW {
            for a in 0..<kh {
                let ih = windows.rowSource[a * outH + oh]
                for b in 0..<kw {
                    let iw = windows.columnSource[b * outW + ow]
                    if ih >= 0 && iw >= 0 { taps[((oh * outW + ow) * kh + a) * kw + b] = ih * windows.width + iw }
                }
            }
        }
    }
    return taps
}

/// Runs `body(p)` for every plane p in `0..<planes` of `size` elements each, the planes split into contiguous runs
/// over the threads when there are enough elements to pay for them.
@inline(__always)
private func forEachPlane(_ planes: Int, size: Int, _ body: (Int) -> Void) {
    parallelRanges(planes, grain: max(1, (1 << 14) / max(size, 1))) { range in
        for p in range { body(p) }
    }
}
