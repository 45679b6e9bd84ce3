// Embedding lookup: rows of a (vocabulary, dimension) table picked by integer token ids.

extension Tensor {
    /// Looks up the rows of an embedding table, like PyTorch's `F.embedding(ids, weight)`:
    ///
    ///     out[i₁, …, iₖ, :] = table[ids[i₁, …, iₖ], :]
    ///
    /// Shapes: `table` (V, E); `ids` holds ∏ `shape` token ids in 0..<V, row-major over `shape` (default
    /// [ids.count]), e.g. (B, T); the output is `shape` + [E], e.g. (B, T, E).
    ///
    /// ∂/∂table = g scatter-added into the rows of the ids: a token that occurs k times receives the sum of its
    /// k gradients, and rows of absent tokens get 0. The ids are not differentiable.
    public static func embedding(_ ids: [Int], shape: [Int]? = nil, table: Tensor) -> Tensor {
        let shape = shape ?? [ids.count]
        precondition(table.rank == 2, "embedding: table must be (vocabulary, dimension), got \(table.shape)")
        precondition(
            shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == ids.count,
            "embedding: \(ids.count) ids do not fill shape \(shape)")
        let vocabulary = table.shape[0]
        for id in ids {
            precondition(
                id >= 0 && id < vocabulary,
                "embedding: id \(id) out of range 0..<\(vocabulary) of table \(table.shape)")
        }
        return table.indexSelect(axis: 0, indices: ids)  // (∏shape, E)
            .reshaped(shape + [table.shape[1]])  // (…shape, E)
    }
}
