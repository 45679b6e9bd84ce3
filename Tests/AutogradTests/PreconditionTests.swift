import Testing
import Autograd

// Programmer errors stop the process with a message naming the op and the shapes (exit tests run the body in a
// child process).

@Test func broadcastMismatchNamesTheOpAndShapes() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        _ = Tensor.ones([2, 3]) + Tensor.ones([4])
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("add: shapes [2, 3] and [4] do not broadcast"))
}

@Test func matmulMismatchNamesBothShapes() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        _ = Tensor.ones([2, 3]).matmul(Tensor.ones([4, 5]))
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("matmul: inner dimensions differ: [2, 3] · [4, 5]"))
}

@Test func outOfRangeIndexIsCaughtBeforeTheKernel() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        _ = Tensor.ones([3, 2]).indexSelect(axis: 0, indices: [0, 3])
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("indexSelect: index 3 out of range 0..<3 on axis 0 of [3, 2]"))
}

@Test func reusingAFreedGraphIsReported() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        let w = Tensor([1, 2]).requiringGrad()
        let h = w * 2
        h.sum().backward()
        _ = h * w  // h's graph was freed by backward()
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("mul: an input's graph was freed by an earlier backward()"))
}

@Test func backwardOfANonScalarNeedsAGradient() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        (Tensor([1, 2]).requiringGrad() * 2).backward()
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("backward(): output of shape [2] is not a scalar; pass gradient:"))
}
