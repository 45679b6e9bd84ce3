// The kernels of fused attention: per (batch, head) group, the small products Q·Kᵀ and P·V and the masked softmax,
// with heads read in place from the packed (…, T, H·D) projections through leading dimensions (no head split or
// merge copies). Groups run in parallel, each product single-threaded.

/// Where the matrices of group g = (batch b, head h) live. Q is (…, Tq, ·), K (…, Tk, ·), V (…, Tk, ·) and the
/// output (…, Tq, H·dv), row-major with rows `ldq`, `ldk`, `ldv` and H·dv elements apart; head h is the column block
/// h·d..<(h+1)·d (h·dv for V and the output) of its batch's rows. (Q, K and V may be column blocks of one packed
/// (…, T, 3·H·d) tensor.) Weights and their gradients are (…, H, Tq, Tk), one contiguous Tq × Tk block per group.
struct AttentionLayout {
    let batch: Int, heads: Int, tq: Int, tk: Int, d: Int, dv: Int
    let ldq: Int, ldk: Int, ldv: Int

    var groups: Int { batch * heads }
    var ldo: Int { heads * dv }
    var block: Int { tq * tk }

    func queryOffset(_ g: Int) -> Int { (g / heads) * tq * ldq + (g % heads) * d }
    func keyOffset(_ g: Int) -> Int { (g / heads) * tk * ldk + (g % heads) * d }
    func valueOffset(_ g: Int) -> Int { (g / heads) * tk * ldv + (g % heads) * dv }
    func outputOffset(_ g: Int) -> Int { (g / heads) * tq * ldo + (g % heads) * dv }

    /// Keys query i sees: all Tk, or j ≤ i when causal (top-left aligned, as PyTorch's `is_causal`).
    @inline(__always)
    func visible(_ i: Int, causal: Bool) -> Int { causal ? Swift.min(i + 1, tk) : tk }
}

/// C (m × n) = op(A)·op(B) with BLAS, skipping empty products (C is then left as it is).
@inline(__always)
private func product<T: NativeScalar>(
    _ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>,
    _ ldb: Int, _ c: UnsafeMutablePointer<T>, _ ldc: Int
) {
    guard m > 0 && n > 0 && k > 0 else { return }
    T.gemm(
        transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: c,
        ldc: ldc)
}

/// Forward of every group: S = Q·Kᵀ into `weights`, P = softmax(scale·S) in place (masked entries exactly 0),
/// P̃ = P ⊙ mask into `dropped` when there is a mask, out = P̃·V.
func attentionForward<T: NativeScalar>(
    _ l: AttentionLayout, causal: Bool, scale: T, q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,
    mask: UnsafePointer<T>?, weights: UnsafeMutablePointer<T>, dropped: UnsafeMutablePointer<T>?,
    out: UnsafeMutablePointer<T>
) {
    parallelFor(l.groups) { g in
        let p = weights + g * l.block
        product(false, true, l.tq, l.tk, l.d, q + l.queryOffset(g), l.ldq, k + l.keyOffset(g), l.ldk, p, l.tk)
        for i in 0..<l.tq {
            softmaxRow(p + i * l.tk, count: l.tk, visible: l.visible(i, causal: causal), scale: scale)
        }
        var used = UnsafePointer(p)
        if let mask, let dropped {
            let m = mask + g * l.block, pd = dropped + g * l.block
            for i in 0..<l.block { pd[i] = p[i] * m[i] }
            used = UnsafePointer(pd)
        }
        let o = out + l.outputOffset(g)
        product(false, false, l.tq, l.dv, l.tk, used, l.tk, v + l.valueOffset(g), l.ldv, o, l.ldo)
    }
}

/// Backward of every group, G the output's gradient (output layout):
///
///     ∂V = P̃ᵀ·G,   ∂P = (G·Vᵀ) ⊙ mask,   ∂S = scale · P ⊙ (∂P − rowsum(∂P ⊙ P)),   ∂Q = ∂S·K,   ∂K = ∂Sᵀ·Q
///
/// `scratch` holds ∂P then ∂S, one block per group; a gradient pointer that is `nil` is not computed.
func attentionBackward<T: NativeScalar>(
    _ l: AttentionLayout, causal: Bool, scale: T, q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,
    mask: UnsafePointer<T>?, weights: UnsafePointer<T>, dropped: UnsafePointer<T>?, gradient: UnsafePointer<T>,
    scratch: UnsafeMutablePointer<T>, dq: UnsafeMutablePointer<T>?, dk: UnsafeMutablePointer<T>?,
    dv: UnsafeMutablePointer<T>?
) {
    parallelFor(l.groups) { g in
        let p = weights + g * l.block, go = gradient + l.outputOffset(g)
        if let dv {
            let used = dropped.map { $0 + g * l.block } ?? p
            product(true, false, l.tk, l.dv, l.tq, used, l.tk, go, l.ldo, dv + l.valueOffset(g), l.ldv)
        }
        guard dq != nil || dk != nil else { return }
        let ds = scratch + g * l.block
        if l.dv == 0 {
            ds.update(repeating: 0, count: l.block)
        } else {
            product(false, true, l.tq, l.tk, l.dv, go, l.ldo, v + l.valueOffset(g), l.ldv, ds, l.tk)
        }
        if let mask {
            let m = mask + g * l.block
            for i in 0..<l.block { ds[i] *= m[i] }
        }
        for i in 0..<l.tq {
            softmaxBackwardRow(p + i * l.tk, ds + i * l.tk, count: l.tk, visible: l.visible(i, causal: causal), scale)
        }
        if let dq {
            product(false, false, l.tq, l.d, l.tk, ds, l.tk, k + l.keyOffset(g), l.ldk, dq + l.queryOffset(g), l.ldq)
        }
        if let dk {
            product(true, false, l.tk, l.d, l.tq, ds, l.tk, q + l.queryOffset(g), l.ldq, dk + l.keyOffset(g), l.ldk)
        }
    }
}

/// softmax(scale·s) over the first `visible` entries of a row, in place; the rest become exactly 0 (and are never
/// exponentiated). Stable: the row's maximum is subtracted first.
@inline(__always)
private func softmaxRow<T: NativeScalar>(_ row: UnsafeMutablePointer<T>, count: Int, visible: Int, scale: T) {
    let m = rowMaximum(visible) { row[$0] }
    for j in 0..<visible { row[j] = fastExp(scale * (row[j] - m)) }
    let inv = 1 / rowSum(visible) { row[$0] }
    for j in 0..<visible { row[j] *= inv }
    for j in visible..<count { row[j] = 0 }
}

/// ∂S = scale · P ⊙ (∂P − Σ ∂P ⊙ P) over the visible entries of a row, in place over ∂P; masked entries (P = 0)
/// get 0.
@inline(__always)
private func softmaxBackwardRow<T: NativeScalar>(
    _ p: UnsafePointer<T>, _ ds: UnsafeMutablePointer<T>, count: Int, visible: Int, _ scale: T
) {
    let dot = rowSum(visible) { ds[$0] * p[$0] }
    for j in 0..<visible { ds[j] = scale * p[j] * (ds[j] - dot) }
    for j in visible..<count { ds[j] = 0 }
}
