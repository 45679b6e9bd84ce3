import Ops
import TestSupport
import Testing

/// The 3×3 image [[1, 2, 3], [4, 5, 6], [7, 8, 9]] as (1, 1, 3, 3).
private func image3x3() -> Tensor { Tensor((1...9).map(Double.init), shape: [1, 1, 3, 3]) }

@Test func shiftUpFillsZerosAtTheBottom() {
    #expect(image3x3().shifted(rows: -1).scalars == [4, 5, 6, 7, 8, 9, 0, 0, 0])
}

@Test func shiftDownRightMovesContent() {
    #expect(image3x3().shifted(rows: 1, columns: 2).scalars == [0, 0, 0, 0, 0, 1, 0, 0, 4])
}

@Test func shiftPastTheEdgeGivesZeros() {
    #expect(image3x3().shifted(columns: -5).scalars == [Double](repeating: 0, count: 9))
}

@Test func rotationsMatchNumpyRot90() {
    let x = image3x3()
    #expect(x.rotated90(times: 1).scalars == [3, 6, 9, 2, 5, 8, 1, 4, 7])
    #expect(x.rotated90(times: 2).scalars == [9, 8, 7, 6, 5, 4, 3, 2, 1])
    #expect(x.rotated90(times: 3).scalars == [7, 4, 1, 8, 5, 2, 9, 6, 3])
    #expect(x.rotated90(times: -1).scalars == x.rotated90(times: 3).scalars)
    #expect(x.rotated90(times: 4).scalars == x.scalars)
}

@Test func rotationOfANonSquareImageSwapsHeightAndWidth() {
    let x = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
    let r = x.rotated90()
    #expect(r.shape == [3, 2])
    #expect(r.scalars == [3, 6, 2, 5, 1, 4])
}

let imageTransformGradientCases: [GradientCase] = [
    GradientCase("shift up 1, left 2", [[2, 1, 4, 5]]) { $0[0].shifted(rows: -1, columns: -2) },
    GradientCase("shift down 2", [[1, 2, 4, 4]]) { $0[0].shifted(rows: 2) },
    GradientCase("rotate 90", [[2, 3, 4]]) { $0[0].rotated90() },
    GradientCase("rotate 180", [[2, 3, 4]]) { $0[0].rotated90(times: 2) },
    GradientCase("rotate 270", [[2, 3, 4]]) { $0[0].rotated90(times: 3) },
    GradientCase("flip", [[2, 3, 4]]) { $0[0].flipped(axis: 1) },
]

@Test("image transform gradients (float64)", arguments: imageTransformGradientCases)
func imageTransformGradient(_ c: GradientCase) {
    let result = checkGradients(of: c.f, at: c.inputs(seed: 11))
    #expect(result.passed, "\(c.name): \(result)")
}
