/// Another pattern at a fraction of its intensity: every level multiplied by `factor`.
public struct Scale: Sendable, Equatable {
    /// 0 … 1.
    public let factor: Double
    public let pattern: Pattern
    let shape: PatternShape

    public init(_ factor: Double, of pattern: Pattern) throws(PatternError) {
        self.factor = try checked(factor, "factor", PatternLimits.level, .fraction)
        self.pattern = pattern
        self.shape = try PatternShape(children: CollectionOfOne(pattern))
    }

    func fill(_ out: inout ActuatorLevels, at t: Double, on geometry: ActuatorGeometry) {
        pattern.fill(&out, at: t, on: geometry)
        out.multiply(by: factor)
    }
}
