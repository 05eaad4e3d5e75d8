/// How kneading splits the actuators into the two groups that take turns.
public enum KneadGrouping: Sendable, Equatable {
    /// Even and odd ranks (round the ring, or along the line): on a 4-ring, opposite
    /// pairs squeeze in turn; on a line, neighbours do.
    case alternating
    /// The two sides of the line through the centre at right angles to the axis at
    /// `axis` degrees: the actuators at the axis's negative end are one group, those at
    /// its positive end the other. Actuators on the dividing line take the larger of the
    /// two levels, so they swell twice per period.
    case halves(axis: Double)
}

/// Petrissage, "kneading and squeezing": two groups of actuators swelling in turn, a
/// smooth (cosine) exchange, once per period. Group A (even ranks, or the negative side)
/// is at `high` at t = 0 and group B at `low`; half a period later they have swapped.
///
/// On one motor (`.alternating`), it is group A alone: one squeeze per period.
public struct Knead: Sendable, Equatable {
    /// Seconds for a full cycle: A squeezes, then B.
    public let period: Double
    public let grouping: KneadGrouping
    public let low: Double
    public let high: Double

    public init(period: Double, grouping: KneadGrouping = .alternating,
                low: Double = 0, high: Double = 1) throws(PatternError) {
        self.period = try checked(period, "period", PatternLimits.kneadPeriod, .seconds)
        if case .halves(let axis) = grouping {
            _ = try checked(axis, "axis", PatternLimits.angle, .degrees)
        }
        self.grouping = grouping
        self.low = try checked(low, "low", PatternLimits.level, .fraction)
        self.high = try checked(high, "high", PatternLimits.level, .fraction)
        try checkedOrder(low: low, high: high)
    }

    func fill(_ out: inout ActuatorLevels, at t: Double, on geometry: ActuatorGeometry) {
        let a = (1 + cosine(2 * Double.pi * phase(t, period: period))) / 2
        let levelA = between(low, high, a), levelB = between(low, high, 1 - a)
        switch grouping {
        case .alternating:
            out.count = geometry.count
            let positions = geometry.positions.span
            var levels = out.storage.mutableSpan
            for i in 0 ..< geometry.count {
                levels[i] = positions[i].rank % 2 == 0 ? levelA : levelB
            }
        case .halves(let axis):
            geometry.positionsAlong(angle: radians(axis), into: &out)
            var levels = out.storage.mutableSpan
            for i in 0 ..< geometry.count {
                let along = levels[i]
                // Within a millionth of the middle counts as on the dividing line.
                levels[i] = along < 0.5 - 1e-6 ? levelA : along > 0.5 + 1e-6 ? levelB : max(levelA, levelB)
            }
        }
    }
}
