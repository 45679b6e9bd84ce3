// The rules between the keys of the `data` section: what fits in a generated dataset, and how much padding an
// augmented image can take.

import Models

extension DataKeys {
    static func check(_ data: inout DataSpec, at path: SpecPath, _ diagnostics: SpecDiagnostics) {
        if data.dataset == .csv && data.path == nil && !diagnostics.hasIssues(under: path.appending("path")) {
            diagnostics.report(path.appending("path"), "required key is missing; expected the path of the CSV file")
        }
        guard !diagnostics.hasIssues(under: path) else { return }
        if let side = data.knownShape?.exampleShape.last, data.dataset.isImage, data.augmentCropPadding >= side {
            diagnostics.report(
                path.appending("augment_crop_padding"),
                "\(data.augmentCropPadding) pixels of padding on \(side)×\(side) images would let a crop miss the "
                    + "image; at most \(side - 1)")
        }
        guard let total = data.syntheticCount, !diagnostics.hasIssues(under: path) else { return }
        let test = data.test ?? 0
        if let train = data.train, train + data.validation + test > total {
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
}
