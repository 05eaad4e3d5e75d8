/// Which way a peak goes round, seen from the treatment face (the side that touches the
/// body), the same view as `ActuatorInfo.angle`.
public enum RotationDirection: Sendable, Equatable {
    /// Towards increasing ring angle.
    case counterclockwise
    /// Towards decreasing ring angle.
    case clockwise
}

/// Friction circles and the handheld's "circular motions": a peak going round the ring
/// once per period, starting at 0° (+x).
///
/// An actuator with a bearing is at `high` when the peak is on it and falls to `low` with
/// a raised-cosine shape as the peak moves `width / 2` away. Centre actuators on such a
/// device stay at `low` (the peak never passes over them).
///
/// On a device with no bearings at all (one motor at the centre), it is an *amplitude
/// orbit*: every motor follows the orbit's projection on the x axis,
/// `low + (high − low) × (1 + cos φ) / 2` for the peak angle φ, so the rotation is felt as
/// one swell per period. A projection cannot tell the two directions apart, so both feel
/// the same there.
public struct Circular: Sendable, Equatable {
    /// Seconds for one turn.
    public let period: Double
    /// Degrees of ring the peak covers, edge to edge.
    public let width: Double
    public let direction: RotationDirection
    public let low: Double
    public let high: Double

    public init(period: Double, width: Double = 180, direction: RotationDirection = .clockwise,
                low: Double = 0, high: Double = 1) throws(PatternError) {
        self.period = try checked(period, "period", PatternLimits.circularPeriod, .seconds)
        self.width = try checked(width, "width", PatternLimits.circularWidth, .degrees)
        self.direction = direction
        self.low = try checked(low, "low", PatternLimits.level, .fraction)
        self.high = try checked(high, "high", PatternLimits.level, .fraction)
        try checkedOrder(low: low, high: high)
    }

    /// The peak's angle at `t` seconds, radians, 0 ..< 2π.
    func peakAngle(at t: Double) -> Double {
        let turned = 2 * Double.pi * phase(t, period: period)
        return direction == .counterclockwise ? turned : normalizedAngle(-turned)
    }

    func fill(_ out: inout ActuatorLevels, at t: Double, on geometry: ActuatorGeometry) {
        let peak = peakAngle(at: t)
        guard geometry.hasBearings else {
            out.fill(between(low, high, (1 + cosine(peak)) / 2), count: geometry.count)
            return
        }
        out.count = geometry.count
        var levels = out.storage.mutableSpan
        let halfWidth = radians(width) / 2
        let positions = geometry.positions.span
        for i in 0 ..< geometry.count {
            if let bearing = positions[i].bearing {
                levels[i] = between(low, high, bump(angularDistance(bearing, peak), halfWidth: halfWidth))
            } else {
                levels[i] = low
            }
        }
    }
}
