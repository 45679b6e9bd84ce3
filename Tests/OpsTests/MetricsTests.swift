import Ops
import Testing

/// Five rows of logits over 3 classes with labels [2, 0, 1, 2, 2]:
/// row 0 [0.1, 0.5, 0.4] → argmax 1, label 2 ranks 2nd;  row 1 [2, 1, 0] → argmax 0 = label;
/// row 2 [0, 0, 0] → argmax 0 (tie, lowest index), label 1 ranks 2nd (class 0 ties ahead of it);
/// row 3 [1, 3, 2] → argmax 1, label 2 ranks 2nd;  row 4 [5, 4, 3] → argmax 0, label 2 ranks 3rd.
private func fiveRows() -> Tensor { Tensor([[0.1, 0.5, 0.4], [2, 1, 0], [0, 0, 0], [1, 3, 2], [5, 4, 3]]) }
private let labels = [2, 0, 1, 2, 2]

@Test func argmaxAlongEachAxis() {
    let logits = fiveRows()
    #expect(logits.argmax(axis: 1) == [1, 0, 0, 1, 0])
    #expect(logits.argmax() == [1, 0, 0, 1, 0])
    // Along axis 0 of [[1, 5, 2], [3, 4, 2]]: column maxima at rows [1, 0, 0] (column 2 ties → row 0).
    #expect(Tensor([[1, 5, 2], [3, 4, 2]]).argmax(axis: 0) == [1, 0, 0])
    // The middle axis of (2, 3, 2): [[[0, 9], [5, 1], [2, 2]], [[7, 7], [8, 6], [1, 9]]] → [[1, 0], [1, 2]].
    let cube = Tensor([0, 9, 5, 1, 2, 2, 7, 7, 8, 6, 1, 9], shape: [2, 3, 2], dtype: .float64)
    #expect(cube.argmax(axis: 1) == [1, 0, 1, 2])
    #expect(Tensor([-1.0, .nan, 3.0]).argmax() == [1])
}

@Test func accuracyCountsArgmaxHits() {
    let logits = fiveRows()
    // Only row 1 is right: 1/5.
    #expect(logits.accuracy(labels: labels) == 0.2)
    #expect(logits.accuracy(labels: [1, 0, 0, 1, 0]) == 1)
}

@Test func topKAccuracy() {
    let logits = fiveRows()
    // Top-1 equals accuracy; top-2 adds rows 0, 2 and 3 (4/5); top-3 covers every row.
    #expect(logits.topKAccuracy(labels: labels, k: 1) == 0.2)
    #expect(logits.topKAccuracy(labels: labels, k: 2) == 0.8)
    #expect(logits.topKAccuracy(labels: labels, k: 3) == 1)
}

@Test func metricsRecordNothingOnTheTape() {
    let x = fiveRows().converted(to: .float64).requiringGrad()
    let before = Tape.current.liveNodeCount
    _ = x.argmax()
    _ = x.accuracy(labels: labels)
    _ = x.topKAccuracy(labels: labels, k: 2)
    #expect(Tape.current.liveNodeCount == before)
}
