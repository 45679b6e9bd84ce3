import Testing

@testable import Runner

// The BadSpec table of the data section's datasets, augmentation, categorical columns, test predictions and the
// least-squares baseline; run with the main table by `rejectsBadSpec` (SpecRejectionTests.swift).

/// `{"training": {"epochs": 1}, …}`: the smallest valid spec, with more sections spliced in.
private func spec(_ sections: String) -> String { "{\"training\": {\"epochs\": 1}, " + sections + "}" }

let badDataSpecs: [BadSpec] = [
    BadSpec(
        name: "sequences with a classifier",
        json: spec("\"data\": {\"dataset\": \"sequences\"}, \"model\": {\"type\": \"mlp\"}"),
        expected: "$.model.type: sequences are pairs of digit strings; they need a \"seq2seq\" model, got \"mlp\""),
    BadSpec(
        name: "seq2seq on images", json: spec("\"model\": {\"type\": \"seq2seq\"}"),
        expected:
            "$.data.dataset: a seq2seq model maps strings to strings; it needs \"sequences\", got \"fashion-mnist\""),
    BadSpec(
        name: "seq2seq with the hinge loss",
        json: spec("\"data\": {\"dataset\": \"sequences\"}, \"model\": {\"type\": \"seq2seq\"}, \"loss\": \"hinge\""),
        expected: "$.loss: seq2seq models are trained with cross_entropy, got \"hinge\""),
    BadSpec(
        name: "seq2seq with early stopping",
        json: "{\"training\": {\"epochs\": 1, \"early_stopping_patience\": 2}, "
            + "\"data\": {\"dataset\": \"sequences\", \"validation\": 10}, \"model\": {\"type\": \"seq2seq\"}}",
        expected: "$.training.early_stopping_patience: early stopping is for classifiers; a seq2seq run trains for its"),
    BadSpec(
        name: "an unknown sequence task",
        json: spec("\"data\": {\"dataset\": \"sequences\", \"task\": \"shuffle\"}, \"model\": {\"type\": \"seq2seq\"}"),
        expected: "$.data.task: expected one of \"copy\", \"reverse\", \"sort\", got \"shuffle\""),
    BadSpec(
        name: "more strings asked for than generated",
        json: spec(
            "\"data\": {\"dataset\": \"sequences\", \"points\": 100, \"train\": 90, \"test\": 20}, "
                + "\"model\": {\"type\": \"seq2seq\"}"),
        expected: "$.data.train: 90 train + 0 validation + 20 test examples exceed the 100 points of the sequences"),
    BadSpec(
        name: "seq2seq heads not dividing dim",
        json: spec(
            "\"data\": {\"dataset\": \"sequences\"}, \"model\": {\"type\": \"seq2seq\", \"dim\": 30, \"heads\": 4}"),
        expected: "$.model.heads: 4 heads do not divide dim 30"),
    BadSpec(
        name: "splits larger than the spiral",
        json: spec("\"data\": {\"dataset\": \"spiral\", \"points\": 50, \"train\": 40, \"test\": 20}"),
        expected:
            "$.data.train: 40 train + 0 validation + 20 test examples exceed the 50 points of the spiral dataset"),
    BadSpec(
        name: "edges: more training images than generated",
        json: spec("\"data\": {\"dataset\": \"edges\", \"points\": 100, \"train\": 90, \"validation\": 20}"),
        expected: "$.data.train: 90 train + 20 validation images exceed the 100 generated training images (points)"),
    BadSpec(
        name: "edges: more test images than generated",
        json: spec("\"data\": {\"dataset\": \"edges\", \"points\": 100, \"test\": 101}"),
        expected: "$.data.test: 101 test images exceed the 100 generated test images (points)"),
    BadSpec(
        name: "edges: a line filling the image",
        json: spec("\"data\": {\"dataset\": \"edges\", \"image_size\": 6, \"thickness\": 6}"),
        expected: "$.data.thickness: a line 6 pixels thick fills the 6×6 image; at most 5"),
    BadSpec(
        name: "edges: a shift out of the image",
        json: spec("\"data\": {\"dataset\": \"edges\", \"thickness\": 2, \"test_shift\": 7}"),
        expected: "$.data.test_shift: a line 2 pixels thick shifted by 7 leaves the 8×8 image; at most 6"),
    BadSpec(
        name: "negative noise", json: spec("\"data\": {\"dataset\": \"circle\", \"noise\": -0.1}"),
        expected: "$.data.noise: expected a non-negative number, got -0.1"),
    BadSpec(
        name: "negative test noise", json: spec("\"data\": {\"dataset\": \"edges\", \"test_noise\": -1}"),
        expected: "$.data.test_noise: expected a non-negative number, got -1"),
    BadSpec(
        name: "noise of a dataset without noise", json: spec("\"data\": {\"dataset\": \"blobs\", \"noise\": 0.1}"),
        expected: "$.data.noise: not a key of the blobs dataset"),
    BadSpec(
        name: "padding wider than the edge images",
        json: spec("\"data\": {\"dataset\": \"edges\", \"image_size\": 4, \"augment_crop_padding\": 9}"),
        expected: "$.data.augment_crop_padding: 9 pixels of padding on 4×4 images"),
    BadSpec(
        name: "padding as wide as the image",
        json: spec("\"data\": {\"dataset\": \"cifar10\", \"augment_crop_padding\": 32}"),
        expected: "$.data.augment_crop_padding: 32 pixels of padding on 32×32 images would let a crop miss the image; "
            + "at most 31"),
    BadSpec(
        name: "augmenting a table", json: spec("\"data\": {\"dataset\": \"blobs\", \"augment_flip\": true}"),
        expected: "$.data.augment_flip: not a key of the blobs dataset"),
    BadSpec(
        name: "categorical label column",
        json: spec(
            "\"data\": {\"dataset\": \"csv\", \"path\": \"t.csv\", \"label_column\": \"kind\", "
                + "\"categorical_columns\": [\"color\", \"kind\"]}"),
        expected: "$.data.categorical_columns[1]: \"kind\" is the label column (label_column)"),
    BadSpec(
        name: "categorical column not a feature",
        json: spec(
            "\"data\": {\"dataset\": \"csv\", \"path\": \"t.csv\", \"feature_columns\": [\"size\"], "
                + "\"categorical_columns\": [\"color\"]}"),
        expected: "$.data.categorical_columns[0]: \"color\" is not one of the feature_columns; add it there"),
    BadSpec(
        name: "categorical column twice",
        json: spec(
            "\"data\": {\"dataset\": \"csv\", \"path\": \"t.csv\", "
                + "\"categorical_columns\": [\"color\", \"color\"]}"),
        expected: "$.data.categorical_columns[1]: \"color\" is listed twice"),
    BadSpec(
        name: "label column as a feature",
        json: spec(
            "\"data\": {\"dataset\": \"csv\", \"path\": \"t.csv\", \"feature_columns\": [\"a\", \"label\"]}"),
        expected: "$.data.feature_columns[1]: \"label\" is the label column, not a feature"),
    BadSpec(
        name: "categorical columns of images", json: spec("\"data\": {\"categorical_columns\": [\"a\"]}"),
        expected: "$.data.categorical_columns: not a key of the fashion-mnist dataset"),
    BadSpec(
        name: "predictions without a test split",
        json: spec("\"data\": {\"dataset\": \"blobs\"}, \"outputs\": {\"predictions\": true}"),
        expected: "$.outputs.predictions: predictions are written for the test split; data.test is 0"),
    BadSpec(
        name: "predictions of a language model",
        json: "{\"data\": {\"dataset\": \"tinyshakespeare\"}, \"model\": {\"type\": \"transformer\"}, "
            + "\"training\": {\"steps\": 10}, \"outputs\": {\"predictions\": true}}",
        expected:
            "$.outputs.predictions: predictions are a classifier's; tinyshakespeare is not a classification dataset"),
    BadSpec(
        name: "least squares on images", json: spec("\"outputs\": {\"least_squares\": true}"),
        expected: "$.outputs.least_squares: the least-squares baseline fits a table's features (csv or a 2-D "
            + "dataset); fashion-mnist is an image dataset"),
    BadSpec(
        name: "least squares on edges",
        json: spec("\"data\": {\"dataset\": \"edges\"}, \"outputs\": {\"least_squares\": true}"),
        expected: "$.outputs.least_squares: the least-squares baseline fits a table's features (csv or a 2-D "
            + "dataset); edges is an image dataset"),
    BadSpec(
        name: "least squares on text",
        json: "{\"data\": {\"dataset\": \"tinyshakespeare\"}, \"model\": {\"type\": \"transformer\"}, "
            + "\"training\": {\"steps\": 10}, \"outputs\": {\"least_squares\": true}}",
        expected: "$.outputs.least_squares: the least-squares baseline fits a table's features (csv or a 2-D "
            + "dataset); tinyshakespeare is a text corpus"),
    BadSpec(
        name: "least squares on sequences",
        json: "{\"data\": {\"dataset\": \"sequences\"}, \"model\": {\"type\": \"seq2seq\"}, "
            + "\"training\": {\"steps\": 10}, \"outputs\": {\"least_squares\": true}}",
        expected: "$.outputs.least_squares: the least-squares baseline fits a table's features (csv or a 2-D "
            + "dataset); sequences is a sequence-to-sequence task"),
]
