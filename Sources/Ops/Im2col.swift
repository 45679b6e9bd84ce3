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
    }

    /// Elements of one image, C·H·W.
    var imageSize: Int { channels * height * width }
    /// Rows of the column matrix, one per (channel, tap): C·KH·KW.
    var columnRows: Int { channels * kernelHeight * kernelWidth }
    /// Output positions per image, OH·OW.
    var positions: Int { outputHeight * outputWidth }
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
                                // Zeros, the valid columns as one strided block, zeros.
                                dst.update(repeating: 0, count: valid.lowerBound)
                                if !valid.isEmpty {
                                    let src = plane + ih * windows.width + sourceColumns[valid.lowerBound]
                                    let block = dst + valid.lowerBound
                                    if stride == 1 {
                                        // A loop, not `update(from:)`: rows are short, and a call per row costs more.
                                        for j in 0..<valid.count { block[j] = src[j] }
                                    } else {
                                        for j in 0..<valid.count { block[j] = src[j * stride] }
                                    }
                                }
                                (dst + valid.upperBound).update(repeating: 0, count: outW - valid.upperBound)
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

/// The adjoint of `im2col`: adds every entry of a (C·KH·KW, OH·OW) column matrix into the image element it was
/// read from, so overlapping windows accumulate and padding entries are dropped.
func col2im<T: NativeScalar>(
    _ columns: UnsafePointer<T>, _ windows: SlidingWindows, addingInto image: UnsafeMutablePointer<T>
) {
    let outH = windows.outputHeight, outW = windows.outputWidth, stride = windows.columnStride
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
                                    for j in 0..<valid.count { dst[j] += block[j] }  // vectorized
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
