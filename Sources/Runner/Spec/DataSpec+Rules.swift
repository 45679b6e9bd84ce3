// The rules between the keys of the `data` section: what a CSV's columns may be, what fits in an edge image or
// a generated dataset, and how much padding an augmented image can take.

import Models

extension DataKeys {
    static func check(_ data: inout DataSpec, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        if data.dataset == .csv && data.path == nil && !diagnostics.hasIssues(under: path.appending("path")) {
            diagnostics.report(path.appending("path"), "required key is missing; expected the path of the CSV file")
        }
        if let file = data.path, file.contains("\0") {
            diagnostics.report(path.appending("path"), "a path cannot hold a NUL character (\\u0000)")
        }
        guard !diagnostics.hasIssues(under: path) else { return }
        if data.dataset == .csv { checkColumns(data, at: path, diagnostics) }
        if data.dataset == .edges { checkEdges(data, at: path, diagnostics) }
        if let side = data.knownShape?.exampleShape.last, data.dataset.isImage, data.augmentCropPadding >= side {
            diagnostics.report(
                path.appending("augment_crop_padding"),
                "\(data.augmentCropPadding) pixels of padding on \(side)×\(side) images would let a crop miss the "
                    + "image; at most \(side - 1)")
        }
        if data.dataset == .blobs, Int.exactProduct(data.points, data.classes) == nil {
            diagnostics.report(
                path.appending("points"),
                "\(data.points) points in each of \(data.classes) classes are more than an integer can count")
        }
        guard let total = data.syntheticCount, !diagnostics.hasIssues(under: path) else { return }
        let test = data.test ?? 0
        if let train = data.train, Int.exactSum(train, data.validation, test) == nil {
            diagnostics.report(
                path.appending("train"),
                "\(train) train + \(data.validation) validation + \(test) test examples are more than an integer "
                    + "can count")
        } else if data.train == nil, Int.exactSum(data.validation, test) == nil {
            diagnostics.report(
                path.appending("validation"),
                "\(data.validation) validation + \(test) test examples are more than an integer can count")
        } else if let train = data.train, train + data.validation + test > total {
            diagnostics.report(
                path.appending("train"),
                "\(train) train + \(data.validation) validation + \(test) test examples exceed the "
                    + "\(total) points of the \(data.dataset.rawValue) dataset")
        } else if data.train == nil, data.validation + test >= total {
            diagnostics.report(
                path.appending("validation"),
                "\(data.validation) validation + \(test) test examples leave none of the \(total) points for training")
        }
    }

    /// The label is not a feature, and categorical columns are features, each listed once.
    private static func checkColumns(_ data: DataSpec, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        let label = quoteJSONString(data.labelColumn)
        for (i, name) in (data.featureColumns ?? []).enumerated() where name == data.labelColumn {
            diagnostics.report(
                path.appending("feature_columns").appending(index: i), "\(label) is the label column, not a feature")
        }
        let categorical = data.categoricalColumns
        for (i, name) in categorical.enumerated() {
            let at = path.appending("categorical_columns").appending(index: i)
            let quoted = quoteJSONString(name)
            if name == data.labelColumn {
                diagnostics.report(
                    at, "\(quoted) is the label column (label_column), whose names are classes already, not a feature")
            } else if categorical[..<i].contains(name) {
                diagnostics.report(at, "\(quoted) is listed twice")
            } else if let features = data.featureColumns, !features.contains(name) {
                diagnostics.report(at, "\(quoted) is not one of the feature_columns; add it there")
            }
        }
    }

    /// The line fits in the image, in the training positions and, moved by `test_shift`, in the test ones; the
    /// training and validation images fit in the generated training set, the test images in the test set.
    private static func checkEdges(_ data: DataSpec, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        let (side, thickness, shift) = (data.imageSize, data.thickness, data.testShift)
        if Int.exactProduct(side, side) == nil {
            diagnostics.report(
                path.appending("image_size"), "\(side)×\(side) images have more pixels than an integer can count")
            return
        }
        if thickness >= side {
            diagnostics.report(
                path.appending("thickness"),
                "a line \(thickness) pixels thick fills the \(side)×\(side) image; at most \(side - 1)")
        } else if shift > side - thickness {
            diagnostics.report(
                path.appending("test_shift"),
                "a line \(thickness) pixel\(thickness == 1 ? "" : "s") thick shifted by \(shift) leaves the "
                    + "\(side)×\(side) image; at most \(side - thickness)")
        }
        let points = data.points
        if let train = data.train, Int.exactSum(train, data.validation).map({ $0 > points }) ?? true {
            diagnostics.report(
                path.appending("train"),
                "\(train) train + \(data.validation) validation images exceed the \(points) generated training images "
                    + "(points)")
        } else if data.train == nil, data.validation >= points {
            diagnostics.report(
                path.appending("validation"),
                "\(data.validation) validation images leave none of the \(points) generated training images (points)")
        }
        if let test = data.test, test > points {
            diagnostics.report(
                path.appending("test"), "\(test) test images exceed the \(points) generated test images (points)")
        }
    }
}
