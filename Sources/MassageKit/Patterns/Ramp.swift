/// Every actuator moving in a straight line from one level to another over `duration`,
/// then holding the last: a warm-up or a wind-down.
public struct Ramp: Sendable, Equatable {
    public let from: Double
    public let to: Double
    /// Seconds from `from` to `to`.
    public let duration: Double

    public init(from: Double, to: Double, duration: Double) throws(PatternError) {
        self.from = try checked(from, "from", PatternLimits.level, .fraction)
        self.to = try checked(to, "to", PatternLimits.level, .fraction)
        self.duration = try checked(duration, "duration", PatternLimits.transition, .seconds)
    }

    /// The level at `t` seconds.
    func level(at t: Double) -> Double {
        t >= duration ? to : between(from, to, t / duration)
    }

    func fill(_ out: inout ActuatorLevels, at t: Double, on geometry: ActuatorGeometry) {
        out.fill(level(at: t), count: geometry.count)
    }
}
