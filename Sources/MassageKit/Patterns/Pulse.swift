/// Shiatsu's pulsing pressure: every actuator presses together, once per period.
///
/// Within each period the press is on for `duty × period`: it rises from `low` to `high`
/// over `attack`, holds, and falls back over the last `release` of the on-time; the rest
/// of the period rests at `low`. Rises and falls are straight lines.
public struct Pulse: Sendable, Equatable {
    /// Seconds from one press to the next.
    public let period: Double
    /// The fraction of the period the press is on.
    public let duty: Double
    /// Seconds to rise at the start of a press.
    public let attack: Double
    /// Seconds to fall at the end of a press.
    public let release: Double
    public let low: Double
    public let high: Double

    public init(period: Double, duty: Double = 0.5, attack: Double = 0, release: Double = 0,
                low: Double = 0, high: Double = 1) throws(PatternError) {
        self.period = try checked(period, "period", PatternLimits.pulsePeriod, .seconds)
        self.duty = try checked(duty, "duty", PatternLimits.pulseDuty, .fraction)
        self.attack = try checked(attack, "attack", PatternLimits.pulseEdge, .seconds)
        self.release = try checked(release, "release", PatternLimits.pulseEdge, .seconds)
        self.low = try checked(low, "low", PatternLimits.level, .fraction)
        self.high = try checked(high, "high", PatternLimits.level, .fraction)
        try checkedOrder(low: low, high: high)
        let onTime = duty * period
        // A hair of slack so that e.g. attack 0.3 + release 0.2 fits an on-time of 0.5
        // computed as 0.5 × 1.0 despite rounding.
        if attack + release > onTime * (1 + 1e-12) {
            throw .exceeds(parameter: "attack + release", value: attack + release,
                           limitName: "the on-time (duty × period)", limit: onTime, unit: .seconds)
        }
    }

    /// 0 … 1: how far the press is in at `t` seconds.
    func weight(at t: Double) -> Double {
        let inPeriod = phase(t, period: period) * period
        let onTime = duty * period
        if inPeriod < attack { return inPeriod / attack }
        if inPeriod < onTime - release { return 1 }
        if inPeriod < onTime { return (onTime - inPeriod) / release }
        return 0
    }

    func fill(_ out: inout ActuatorLevels, at t: Double, on geometry: ActuatorGeometry) {
        out.fill(between(low, high, weight(at: t)), count: geometry.count)
    }
}
