/// Which way a stroke travels along its axis.
public enum TravelDirection: Sendable, Equatable {
    /// Towards the positive end of the axis (for axis 0°, from -x to +x).
    case forward
    /// Towards the negative end.
    case backward
}

/// Effleurage, "long, gliding strokes": a peak travelling along a line of actuators, one
/// stroke per period, then starting again from the first end.
///
/// Each actuator's place along the axis (at `axis` degrees) is scaled so the device runs
/// 0 … 1; the peak's centre moves from `−width / 2` to `1 + width / 2` in one period, so
/// every stroke enters and leaves the device smoothly. An actuator is at `high` under the
/// peak's centre and falls to `low` (raised cosine) at `width / 2` from it. On a device
/// with no extent along the axis (one motor) every actuator is at 0.5, so each stroke is
/// felt as one swell.
public struct Wave: Sendable, Equatable {
    /// Seconds for one stroke.
    public let period: Double
    /// The peak's full width as a fraction of the device's length along the axis.
    public let width: Double
    public let direction: TravelDirection
    /// Degrees, counter-clockwise from +x: the line the strokes follow.
    public let axis: Double
    public let low: Double
    public let high: Double

    public init(period: Double, width: Double = 0.5, direction: TravelDirection = .forward, axis: Double = 0,
                low: Double = 0, high: Double = 1) throws(PatternError) {
        self.period = try checked(period, "period", PatternLimits.wavePeriod, .seconds)
        self.width = try checked(width, "width", PatternLimits.waveWidth, .fraction)
        self.direction = direction
        self.axis = try checked(axis, "axis", PatternLimits.angle, .degrees)
        self.low = try checked(low, "low", PatternLimits.level, .fraction)
        self.high = try checked(high, "high", PatternLimits.level, .fraction)
        try checkedOrder(low: low, high: high)
    }

    func fill(_ out: inout ActuatorLevels, at t: Double, on geometry: ActuatorGeometry) {
        geometry.positionsAlong(angle: radians(axis), into: &out)
        let half = width / 2
        let centre = -half + (1 + width) * phase(t, period: period)
        var levels = out.storage.mutableSpan
        for i in 0 ..< geometry.count {
            let along = direction == .forward ? levels[i] : 1 - levels[i]
            levels[i] = between(low, high, bump(abs(along - centre), halfWidth: half))
        }
    }
}
