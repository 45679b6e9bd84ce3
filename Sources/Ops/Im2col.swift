// The sliding-window geometry of convolution and pooling, and the im2col / col2im kernels that turn a
// convolution into one matrix product (Chellapilla et al. 2006, https://hal.inria.fr/inria-00112631; Caffe).

/// Where each tap of a KH × KW window reads in one image (C, H, W) at each of the OH × OW output positions.
///
/// Tap (kh, kw) at output position (oh, ow) reads input row `oh·S_h − P_top + kh·D_h` and column
/// `ow·S_w − P_left + kw·D_w`. The two index tables hold that row (column) per (tap, output row (column)), already
/// wrapped for circular padding, or −1 where it falls in zero padding, so the kernels neither divide nor test
/// bounds per element. With zero padding the columns a tap reads are moreover one contiguous range of output
/// columns, read `columnStride` apart, which the kernels copy as a block. Bottom and right padding only decide OH
/// and OW, which the caller passes in.
struct SlidingWindows {
    let channels: Int
    let height: Int
    let width: Int
    let kernelHeight: Int
    let kernelWidth: Int
    let outputHeight: Int
    let outputWidth: Int
    /// `rowSource[kh · OH + oh]`: the input row tap row kh reads at output row oh, or −1 (zero padding).
    let rowSource: [Int]
    /// `columnSource[kw · OW + ow]`: the input column tap column kw reads at output column ow, or −1.
    let columnSource: [Int]
    /// Whether the input wraps around; otherwise it is padded with zeros.
    let circular: Bool
    /// `S_w`: input columns between the columns read at consecutive output columns.
    let columnStride: Int
    /// See `readsShiftedPlanes`.
    let shiftedRanges: [(positions: Range<Int>, start: Int)]
    /// `validColumns[kw]`: the output columns at which tap column kw reads inside the input (zero padding only).
    let validColumns: [Range<Int>]

    init(
        channels: Int, height: Int, width: Int, kernel: Size2D, output: Size2D, stride: Size2D,
        dilation: Size2D = 1, padTop: Int, padLeft: Int, circular: Bool = false
    ) {
        self.channels = channels
        self.height = height
        self.width = width
        kernelHeight = kernel.height
        kernelWidth = kernel.width
        outputHeight = output.height
        outputWidth = output.width
        func sources(taps: Int, outputs: Int, size: Int, stride: Int, dilation: Int, pad: Int) -> [Int] {
            var table = [Int](repeating: -1, count: taps * outputs)
            for tap in 0..<taps {
                for o in 0..<outputs {
                    let i = o * stride - pad + tap * dilation
                    if circular {
                        table[tap * outputs + o] = ((i % size) + size) % size
                    } else if i >= 0 && i < size {
                        table[tap * outputs + o] = i
                    }
                }
            }
            return table
        }
        rowSource = sources(
            taps: kernel.height, outputs: output.height, size: height, stride: stride.height,
            dilation: dilation.height, pad: padTop)
        let columns = sources(
            taps: kernel.width, outputs: output.width, size: width, stride: stride.width,
            dilation: dilation.width, pad: padLeft)
        columnSource = columns
        self.circular = circular
        columnStride = stride.width
        validColumns = (0..<kernel.width).map { kw in
            let row = columns[(kw * output.width)..<((kw + 1) * output.width)]
            guard let first = row.firstIndex(where: { $0 >= 0 }), let last = row.lastIndex(where: { $0 >= 0 }) else {
                return 0..<0
            }
            return (first - row.startIndex)..<(last - row.startIndex + 1)
        }
        shiftedRanges = Ops.shiftedRanges(
            height: height, width: width, kernel: kernel, output: output, rowSource: rowSource, columnSource: columns,
            validColumns: validColumns, unitStrides: stride == Size2D(1, 1), circular: circular)
    }

    /// Elements of one image, C·H·W.
    var imageSize: Int { channels * height * width }
    /// Rows of the column matrix, one per (channel, tap): C·KH·KW.
    var columnRows: Int { channels * kernelHeight * kernelWidth }
    /// Output positions per image, OH·OW.
    var positions: Int { outputHeight * outputWidth }

    /// Whether every tap reads its plane shifted by a constant offset: stride 1, zero padding and OW = W (e.g. a
    /// 3 × 3 convolution with padding 1). Then row (c, kh, kw) of the column matrix is the plane read from one
    /// contiguous range (`shiftedRanges`), with the taps that fall in the padding set to 0.
    var readsShiftedPlanes: Bool { !shiftedRanges.isEmpty }
}

/// For windows that read shifted planes (see `SlidingWindows.readsShiftedPlanes`), per tap kh·KW + kw: the output
/// positions whose input row is inside the plane, clipped to those that read inside it, and the plane index the
/// first of them reads (position p reads `start + p − positions.lowerBound`; the positions whose input column is
/// outside the plane read a wrong element and are zeroed). Empty otherwise.
private func shiftedRanges(
    height: Int, width: Int, kernel: Size2D, output: Size2D, rowSource: [Int], columnSource: [Int],
    validColumns: [Range<Int>], unitStrides: Bool, circular: Bool
) -> [(positions: Range<Int>, start: Int)] {
    guard unitStrides && !circular && output.width == width else { return [] }
    let (outH, outW) = (output.height, output.width)
    var ranges: [(positions: Range<Int>, start: Int)] = []
    for kh in 0..<kernel.height {
        let rows = (0..<outH).filter { rowSource[kh * outH + $0] >= 0 }
        for kw in 0..<kernel.width {
            let valid = validColumns[kw]
            guard let firstRow = rows.first, let lastRow = rows.last, !valid.isEmpty else {
                ranges.append((0..<0, 0))
                continue
            }
            // Position p = oh·OW + ow reads plane index p + shift.
            let shift = rowSource[kh * outH + firstRow] * width + columnSource[kw * outW + valid.lowerBound]
                - (firstRow * outW + valid.lowerBound)
            let lower = max(firstRow * outW, -shift), upper = min((lastRow + 1) * outW, height * width - shift)
            ranges.append((lower..<max(lower, upper), lower + shift))
        }
    }
    return ranges
}

/// Copies the receptive fields of one image (C, H, W) into the columns of a (C·KH·KW, OH·OW) matrix:
///
///     columns[(c·KH + kh)·KW + kw, oh·OW + ow] = x[c, rowSource(kh, oh), columnSource(kw, ow)]   (0 in padding)
///
/// so that a convolution is the matrix product weight (F, C·KH·KW) · columns.
func im2col<T: NativeScalar>(
    _ image: UnsafePointer<T>, _ windows: SlidingWindows, into columns: UnsafeMutablePointer<T>
) {
    let outH = windows.outputHeight, outW = windows.outputWidth, stride = windows.columnStride
    if windows.readsShiftedPlanes { return im2colShifted(image, windows, into: columns) }
    windows.rowSource.withUnsafeBufferPointer { rowSource in
        windows.columnSource.withUnsafeBufferPointer { columnSource in
            var row = columns
            for c in 0..<windows.channels {
                let plane = image + c * windows.height * windows.width
                for kh in 0..<windows.kernelHeight {
                    for kw in 0..<windows.kernelWidth {
                        var dst = row
                        let sourceColumns = columnSource.baseAddress! + kw * outW
                        let valid = windows.validColumns[kw]
                        for oh in 0..<outH {
                            let ih = rowSource[kh * outH + oh]
                            if ih < 0 {
                                dst.update(repeating: 0, count: outW)
                            } else if windows.circular {
                                let src = plane + ih * windows.width
                                for ow in 0..<outW { dst[ow] = src[sourceColumns[ow]] }
                            } else {
                                // Zeros, the valid columns as one strided block, zeros (no memset call for none:
                                // unpadded rows are mostly 10–30 elements).
                                if valid.lowerBound > 0 { dst.update(repeating: 0, count: valid.lowerBound) }
                                if !valid.isEmpty {
                                    let src = plane + ih * windows.width + sourceColumns[valid.lowerBound]
                                    let block = dst + valid.lowerBound
                                    if stride == 1 {
                                        // Not `update(from:)`: rows are short, and a call per row costs more.
                                        copyRow(src, into: block, count: valid.count)
                                    } else {
                                        for j in 0..<valid.count { block[j] = src[j * stride] }
                                    }
                                }
                                if valid.upperBound < outW {
                                    (dst + valid.upperBound).update(repeating: 0, count: outW - valid.upperBound)
                                }
                            }
                            dst += outW
                        }
                        row += outH * outW
                    }
                }
            }
        }
    }
}

/// `im2col` when `windows.readsShiftedPlanes`: each row of the column matrix one contiguous copy of its plane,
/// shifted, then zeros where the tap reads padding (rows above and below, columns beside).
private func im2colShifted<T: NativeScalar>(
    _ image: UnsafePointer<T>, _ windows: SlidingWindows, into columns: UnsafeMutablePointer<T>
) {
    forEachShiftedRow(windows) { rowOffset, planeOffset, tap, kw in
        let row = columns + rowOffset, (range, start) = tap
        row.update(repeating: 0, count: range.lowerBound)
        (row + range.lowerBound).update(from: image + planeOffset + start, count: range.count)
        (row + range.upperBound).update(repeating: 0, count: windows.positions - range.upperBound)
        zeroPaddingColumns(row, windows, kw: kw)
    }
}

/// The adjoint of `im2col`: adds every entry of a (C·KH·KW, OH·OW) column matrix into the image element it was
/// read from, so overlapping windows accumulate and padding entries are dropped. The column matrix is scratch: its
/// padding entries may be overwritten.
func col2im<T: NativeScalar>(
    _ columns: UnsafeMutablePointer<T>, _ windows: SlidingWindows, addingInto image: UnsafeMutablePointer<T>
) {
    let outH = windows.outputHeight, outW = windows.outputWidth, stride = windows.columnStride
    if windows.readsShiftedPlanes { return col2imShifted(columns, windows, addingInto: image) }
    windows.rowSource.withUnsafeBufferPointer { rowSource in
        windows.columnSource.withUnsafeBufferPointer { columnSource in
            var row = columns
            for c in 0..<windows.channels {
                let plane = image + c * windows.height * windows.width
                for kh in 0..<windows.kernelHeight {
                    for kw in 0..<windows.kernelWidth {
                        var src = row
                        let sourceColumns = columnSource.baseAddress! + kw * outW
                        let valid = windows.validColumns[kw]
                        for oh in 0..<outH {
                            let ih = rowSource[kh * outH + oh]
                            if ih >= 0 && windows.circular {
                                let dst = plane + ih * windows.width
                                for ow in 0..<outW { dst[sourceColumns[ow]] += src[ow] }
                            } else if ih >= 0 && !valid.isEmpty {
                                let dst = plane + ih * windows.width + sourceColumns[valid.lowerBound]
                                let block = src + valid.lowerBound
                                if stride == 1 {
                                    addRow(block, into: dst, count: valid.count)
                                } else {
                                    for j in 0..<valid.count { dst[j * stride] += block[j] }
                                }
                            }
                            src += outW
                        }
                        row += outH * outW
                    }
                }
            }
        }
    }
}

/// `col2im` when `windows.readsShiftedPlanes`: the entries of padding columns set to 0, then each row of the column
/// matrix added to its plane as one contiguous, shifted range (padding rows are outside the range).
private func col2imShifted<T: NativeScalar>(
    _ columns: UnsafeMutablePointer<T>, _ windows: SlidingWindows, addingInto image: UnsafeMutablePointer<T>
) {
    forEachShiftedRow(windows) { rowOffset, planeOffset, tap, kw in
        let row = columns + rowOffset, (range, start) = tap
        zeroPaddingColumns(row, windows, kw: kw)
        let (source, target) = (row + range.lowerBound, image + planeOffset + start)
        addRow(source, into: target, count: range.count)
    }
}

/// Calls `body` once per row (c, kh, kw) of the column matrix of windows that read shifted planes, with the row's
/// offset in the column matrix, its plane's offset in the image, the tap's `shiftedRanges` entry and kw.
@inline(__always)
private func forEachShiftedRow(
    _ windows: SlidingWindows,
    _ body: (_ rowOffset: Int, _ planeOffset: Int, _ tap: (positions: Range<Int>, start: Int), _ kw: Int) -> Void
) {
    var rowOffset = 0
    for c in 0..<windows.channels {
        let planeOffset = c * windows.height * windows.width
        for kh in 0..<windows.kernelHeight {
            for kw in 0..<windows.kernelWidth {
                body(rowOffset, planeOffset, windows.shiftedRanges[kh * windows.kernelWidth + kw], kw)
                rowOffset += windows.positions
            }
        }
    }
}

/// Sets to 0 the entries of one column-matrix row (tap column `kw`) at the output columns where that tap reads
/// padding, in every output row.
@inline(__always)
private func zeroPaddingColumns<T: NativeScalar>(_ row: UnsafeMutablePointer<T>, _ windows: SlidingWindows, kw: Int) {
    let outW = windows.outputWidth, valid = windows.validColumns[kw]
    guard valid.count < outW else { return }
    for p in stride(from: 0, to: windows.positions, by: outW) {
        for ow in 0..<valid.lowerBound { row[p + ow] = 0 }
        for ow in valid.upperBound..<outW { row[p + ow] = 0 }
    }
}

/// target[i] = source[i] for i < count, eight elements at a time (see `addRow`).
@inline(__always)
private func copyRow<T: NativeScalar>(_ source: UnsafePointer<T>, into target: UnsafeMutablePointer<T>, count: Int) {
    var i = 0
    while i + 8 <= count {
        UnsafeMutableRawPointer(target + i).storeBytes(
            of: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<T>.self), as: SIMD8<T>.self)
        i += 8
    }
    while i < count {
        target[i] = source[i]
        i += 1
    }
}

/// target[i] += source[i] for i < count, eight elements at a time: the two never overlap, but the compiler cannot
/// know it, and a plain loop stays scalar.
@inline(__always)
private func addRow<T: NativeScalar>(_ source: UnsafePointer<T>, into target: UnsafeMutablePointer<T>, count: Int) {
    var i = 0
    while i + 8 <= count {
        let sum = UnsafeRawPointer(target + i).loadUnaligned(as: SIMD8<T>.self)
            + UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<T>.self)
        UnsafeMutableRawPointer(target + i).storeBytes(of: sum, as: SIMD8<T>.self)
        i += 8
    }
    while i < count {
        target[i] += source[i]
        i += 1
    }
}
