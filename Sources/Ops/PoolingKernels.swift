// The kernels of max and average pooling over the (H, W) planes of (N, C, H, W) tensors: forward and VJP side by
// side. Planes run in parallel; the common 2 × 2, stride 2, unpadded max pooling has a kernel of its own.

/// Max pooling of every (H, W) plane of an (N, C, H, W) input over `windows`: forward and VJP side by side. The
/// forward pass records each output's arg-max, as an index within its input plane, for the VJP to scatter the
/// gradient to: dx[plane, argmax[o]] += g[o], one plane per thread at a time, so no two threads add to one element.
func maxPooling(_ name: StaticString, _ input: Tensor, _ windows: SlidingWindows, stride: Size2D) -> Tensor {
    let (n, c) = (input.shape[0], input.shape[1])
    let planes = n * c, inputPlane = windows.height * windows.width, outputPlane = windows.positions
    let out = Tensor(uninitialized: [n, c, windows.outputHeight, windows.outputWidth], dtype: input.dtype)
    // 2 × 2 windows, stride 2, all inside the input (no padding is read)
    let halving = windows.kernelHeight == 2 && windows.kernelWidth == 2 && stride == Size2D(2, 2)
        && windows.rowSource[0] == 0 && windows.columnSource[0] == 0
        && 2 * windows.outputHeight <= windows.height && 2 * windows.outputWidth <= windows.width
    let taps = halving ? [] : windowTaps(windows)
    let argmax = [Int32](unsafeUninitializedCapacity: out.count) { argmax, initialized in
        func run<T: NativeScalar>(_: T.Type) {
            let x = input.pointer(T.self), y = out.pointer(T.self), best = argmax.baseAddress!
            forEachPlane(planes, size: inputPlane) { p in
                let (xp, yp, bp) = (x + p * inputPlane, y + p * outputPlane, best + p * outputPlane)
                if halving {
                    maxPool2x2(xp, width: windows.width, windows, into: yp, argmax: bp)
                } else {
                    maxPool(xp, taps: taps, window: windows.kernelHeight * windows.kernelWidth, into: yp, argmax: bp,
                        count: outputPlane)
                }
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
            let gy = g.pointer(T.self), gx = dx.pointer(T.self)
            argmax.withUnsafeBufferPointer { argmax in
                forEachPlane(planes, size: inputPlane) { p in
                    let plane = gx + p * inputPlane
                    plane.update(repeating: 0, count: inputPlane)
                    for o in (p * outputPlane)..<((p + 1) * outputPlane) { plane[Int(argmax[o])] += gy[o] }
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
/// first tap in row-major order that equals it, as in `maxPool`. Written without branches on the data (a random
/// arg-max defeats branch prediction); a window holding a NaN (or both infinities) takes the ordered comparisons
/// of `maxPool` instead.
@inline(__always)
private func maxPool2x2<T: NativeScalar>(
    _ x: UnsafePointer<T>, width: Int, _ windows: SlidingWindows, into y: UnsafeMutablePointer<T>,
    argmax: UnsafeMutablePointer<Int32>
) {
    let outW = windows.outputWidth
    for i in 0..<windows.outputHeight {
        let top = 2 * i * width
        for j in 0..<outW {
            let a = top + 2 * j, b = a + 1, c = a + width, d = c + 1
            let (x0, x1, x2, x3) = (x[a], x[b], x[c], x[d])
            let upper = x1 > x0 ? x1 : x0, lower = x3 > x2 ? x3 : x2
            var best = lower > upper ? lower : upper
            var index = x2 == best ? c : d
            index = x1 == best ? b : index
            index = x0 == best ? a : index
            if (x0 + x1 + x2 + x3).isNaN {
                index = a
                for tap in [b, c, d] where beats(x[tap], x[index]) { index = tap }
                best = x[index]
            }
            // Ties keep the earlier tap on both sides, so `best` is the element at `index` (zeros' signs too).
            y[i * outW + j] = best
            argmax[i * outW + j] = Int32(truncatingIfNeeded: index)
        }
    }
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
