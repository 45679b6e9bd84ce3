// Training-time augmentation of image batches: a random crop of the padded image and a random left–right flip,
// drawn per image from a seeded generator, as torchvision's `RandomCrop(32, padding=4)` followed by
// `RandomHorizontalFlip()` in the usual CIFAR-10 recipe. Data only: nothing here is recorded on the tape.

/// Where one augmented image takes its pixels from: output pixel (y, x) is input pixel
/// (y + `rows`, x′ + `columns`) with x′ = W − 1 − x when `flipped`, x otherwise; outside the input it is the
/// fill.
///
/// A crop at offset (oy, ox) of the image padded with p pixels on each side is `rows` = oy − p,
/// `columns` = ox − p; the flip mirrors the crop.
public struct ImagePlacement: Equatable, Sendable {
    /// The vertical offset of the crop, in −p…p: positive values move the content up.
    public var rows: Int
    /// The horizontal offset of the crop, in −p…p: positive values move the content left (before the flip).
    public var columns: Int
    /// Whether the crop is mirrored left–right.
    public var flipped: Bool

    /// A placement; `ImagePlacement(rows: 0, columns: 0, flipped: false)` is the image itself.
    public init(rows: Int = 0, columns: Int = 0, flipped: Bool = false) {
        (self.rows, self.columns, self.flipped) = (rows, columns, flipped)
    }
}

/// Random crops with padding and random horizontal flips of (N, C, H, W) images, one draw per image:
///
/// ```
/// let augment = ImageAugmentation(cropPadding: 4, flip: true)
/// var rng = RandomGenerator(seed: 7)
/// let batch = augment.apply(to: images, using: &rng)   // (N, 3, 32, 32), a fresh draw per call
/// ```
///
/// Each image is padded with `cropPadding` pixels of `fill` on every side, cropped back to H × W at an offset
/// drawn uniformly from the (2p + 1)² possible ones, then mirrored left–right with probability 1/2 when `flip` is
/// on. The shape never changes. Apply it to training batches only; evaluation sees the images as they are.
public struct ImageAugmentation: Equatable, Sendable {
    /// Pixels of padding on each side before the crop, p; 0: no crop.
    public var cropPadding: Int
    /// Whether each image is mirrored left–right with probability 1/2.
    public var flip: Bool
    /// The padding's value per channel (one value: every channel). Images standardized before augmentation pass
    /// (0 − mean[c]) / std[c], so that the padding is a black pixel as when padding raw pixels with zeros.
    public var fill: [Double]

    /// An augmentation; the default changes nothing.
    public init(cropPadding: Int = 0, flip: Bool = false, fill: [Double] = [0]) {
        precondition(cropPadding >= 0, "ImageAugmentation: cropPadding must be non-negative, got \(cropPadding)")
        precondition(!fill.isEmpty, "ImageAugmentation: fill needs one value, or one per channel")
        (self.cropPadding, self.flip, self.fill) = (cropPadding, flip, fill)
    }

    /// Whether every image comes out as it went in.
    public var isIdentity: Bool { cropPadding == 0 && !flip }

    /// The placements of `count` images, drawn in image order: for each image the crop's row offset, then its
    /// column offset (each `rng.nextInt(below: 2p + 1) − p`, only when p > 0), then the flip
    /// (`rng.nextInt(below: 2) == 1`, only when `flip` is on).
    public func placements(count: Int, using rng: inout RandomGenerator) -> [ImagePlacement] {
        (0..<count).map { _ in
            var placement = ImagePlacement()
            if cropPadding > 0 {
                placement.rows = rng.nextInt(below: 2 * cropPadding + 1) - cropPadding
                placement.columns = rng.nextInt(below: 2 * cropPadding + 1) - cropPadding
            }
            if flip { placement.flipped = rng.nextInt(below: 2) == 1 }
            return placement
        }
    }

    /// `images` (N, C, H, W) augmented with placements drawn from `rng` (see `placements(count:using:)`).
    public func apply(to images: Tensor, using rng: inout RandomGenerator) -> Tensor {
        precondition(images.rank == 4, "ImageAugmentation.apply: images must be (N, C, H, W), got \(images.shape)")
        if isIdentity { return images }
        return apply(to: images, placements: placements(count: images.shape[0], using: &rng))
    }

    /// `images` (N, C, H, W) with image n taken from where `placements[n]` says, the fill outside the image.
    public func apply(to images: Tensor, placements: [ImagePlacement]) -> Tensor {
        precondition(images.rank == 4, "ImageAugmentation.apply: images must be (N, C, H, W), got \(images.shape)")
        let (n, channels, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        precondition(
            placements.count == n, "ImageAugmentation.apply: \(placements.count) placements for \(n) images")
        precondition(
            fill.count == 1 || fill.count == channels,
            "ImageAugmentation.apply: \(fill.count) fill values for \(channels) channels of \(images.shape)")
        let out = Tensor(uninitialized: images.shape, dtype: images.dtype)

        func run<T: NativeScalar>(_: T.Type) {
            let source = images.pointer(T.self), destination = out.pointer(T.self)
            for (image, placement) in placements.enumerated() {
                for c in 0..<channels {
                    let value = T(fill[fill.count == 1 ? 0 : c])
                    let s = source + (image * channels + c) * h * w
                    let d = destination + (image * channels + c) * h * w
                    for y in 0..<h {
                        let row = d + y * w
                        let sy = y + placement.rows
                        guard sy >= 0 && sy < h else {
                            row.update(repeating: value, count: w)
                            continue
                        }
                        let sourceRow = s + sy * w
                        for x in 0..<w {
                            let sx = (placement.flipped ? w - 1 - x : x) + placement.columns
                            row[x] = sx >= 0 && sx < w ? sourceRow[sx] : value
                        }
                    }
                }
            }
        }
        switch images.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return out
    }
}
