// Sizes computed from numbers a user gives (a spec's widths and counts, a file's header): the arithmetic reports
// a result that does not fit an `Int` as nil, so that it becomes a message naming the number, never a trap.

extension Int {
    /// The sum of `terms`, or nil when it does not fit an `Int`.
    public static func exactSum(_ terms: Int...) -> Int? { exactSum(terms) }

    /// The sum of `terms`, or nil when it does not fit an `Int`.
    public static func exactSum(_ terms: some Sequence<Int>) -> Int? {
        var total = 0
        for term in terms {
            let (sum, overflow) = total.addingReportingOverflow(term)
            if overflow { return nil }
            total = sum
        }
        return total
    }

    /// The product of `factors` (1 for none), or nil when it does not fit an `Int`.
    public static func exactProduct(_ factors: Int...) -> Int? { exactProduct(factors) }

    /// The product of `factors` (1 for none), or nil when it does not fit an `Int`.
    public static func exactProduct(_ factors: some Sequence<Int>) -> Int? {
        var total = 1
        for factor in factors {
            let (product, overflow) = total.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            total = product
        }
        return total
    }
}
