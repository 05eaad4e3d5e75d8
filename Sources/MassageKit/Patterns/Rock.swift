/// The tennis ball, "gently rock back and forth": a peak sliding from one side of the
/// device to the other and back, once per period, slowing at each end (its place is
/// `(1 − cos 2πt/T) / 2` along the axis, 0 at t = 0, 1 at half a period).
///
/// Places along the axis at `axis` degrees are scaled to 0 … 1 as for `Wave`; an actuator
/// is at `high` under the peak and falls to `low` (raised cosine) at `width / 2` from it.
/// A single motor sits at 0.5, so it swells twice per period as the ball rolls over it.
public struct Rock: Sendable, Equatable {
    /// Seconds for there and back.
    public let period: Double
    /// The peak's full width as a fraction of the device's length along the axis.
    public let width: Double
    /// Degrees, counter-clockwise from +x: the line the rocking follows.
    public let axis: Double
    public let low: Double
    public let high: Double

    public init(period: Double, width: Double = 1, axis: Double = 0,
                low: Double = 0, high: Double = 1) throws(PatternError) {
        self.period = try checked(period, "period", PatternLimits.rockPeriod, .seconds)
        self.width = try checked(width, "width", PatternLimits.rockWidth, .fraction)
        self.axis = try checked(axis, "axis", PatternLimits.angle, .degrees)
        self.low = try checked(low, "low", PatternLimits.level, .fraction)
        self.high = try checked(high, "high", PatternLimits.level, .fraction)
        try checkedOrder(low: low, high: high)
    }

    func fill(_ out: inout ActuatorLevels, at t: Double, on geometry: ActuatorGeometry) {
        geometry.positionsAlong(angle: radians(axis), into: &out)
        let centre = (1 - cosine(2 * Double.pi * phase(t, period: period))) / 2
        let half = width / 2
        var levels = out.storage.mutableSpan
        for i in 0 ..< geometry.count {
            levels[i] = between(low, high, bump(abs(levels[i] - centre), halfWidth: half))
        }
    }
}
