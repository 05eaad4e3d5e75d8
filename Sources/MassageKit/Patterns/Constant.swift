/// Every actuator at one level, for ever.
public struct Constant: Sendable, Equatable {
    /// 0 … 1 of full intensity.
    public let level: Double

    public init(level: Double) throws(PatternError) {
        self.level = try checked(level, "level", PatternLimits.level, .fraction)
    }

    func fill(_ out: inout ActuatorLevels, on geometry: ActuatorGeometry) {
        out.fill(level, count: geometry.count)
    }
}

extension Constant {
    /// Level 0.
    public static let off = Constant(uncheckedLevel: 0)

    private init(uncheckedLevel: Double) { level = uncheckedLevel }
}
