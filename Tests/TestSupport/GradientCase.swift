import Autograd

/// One row of the gradient-check table: input shapes, how to draw them, and the function under test.
public struct GradientCase: CustomStringConvertible, Sendable {
    public enum Domain: Sendable {
        /// N(0, 1).
        case normal
        /// U[0.5, 2]: for log, sqrt, division, fractional powers.
        case positive
    }

    public let name: String
    public let shapes: [[Int]]
    public let domain: Domain
    public let f: @Sendable ([Tensor]) -> Tensor

    public init(
        _ name: String, _ shapes: [[Int]], _ domain: Domain = .normal, _ f: @escaping @Sendable ([Tensor]) -> Tensor
    ) {
        self.name = name
        self.shapes = shapes
        self.domain = domain
        self.f = f
    }

    public var description: String { name }

    public func inputs(seed: UInt64) -> [Tensor] {
        var rng = RandomGenerator(seed: seed)
        return shapes.map { shape in
            switch domain {
            case .normal: Tensor.normal(shape, dtype: .float64, using: &rng)
            case .positive: Tensor.uniform(shape, low: 0.5, high: 2, dtype: .float64, using: &rng)
            }
        }
    }
}

/// A 0/1 mask tensor in float64 with a fixed pattern.
public func mask(_ shape: [Int]) -> Tensor {
    Tensor.generate(shape, dtype: .float64) { Double(($0 * 7 + 3) % 3 == 0 ? 1 : 0) }
}
