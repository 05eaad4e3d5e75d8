/// Tapotement: short, sharp bursts at `high`, one per period, resting at `low` between.
///
/// `alternating` taps even-ranked actuators on even beats and odd-ranked ones on odd
/// beats, like two hands; on a one-motor device it taps every beat (there is no partner).
public struct Tap: Sendable, Equatable {
    /// Seconds from one tap to the next.
    public let period: Double
    /// Seconds each tap lasts (at most half the period).
    public let burst: Double
    public let alternating: Bool
    public let low: Double
    public let high: Double

    public init(period: Double, burst: Double = 0.04, alternating: Bool = false,
                low: Double = 0, high: Double = 1) throws(PatternError) {
        self.period = try checked(period, "period", PatternLimits.tapPeriod, .seconds)
        self.burst = try checked(burst, "burst", PatternLimits.tapBurst, .seconds)
        if burst > period / 2 {
            throw .exceeds(parameter: "burst", value: burst, limitName: "half the period", limit: period / 2, unit: .seconds)
        }
        self.alternating = alternating
        self.low = try checked(low, "low", PatternLimits.level, .fraction)
        self.high = try checked(high, "high", PatternLimits.level, .fraction)
        try checkedOrder(low: low, high: high)
    }

    func fill(_ out: inout ActuatorLevels, at t: Double, on geometry: ActuatorGeometry) {
        let cycles = t / period
        let beat = cycles.rounded(.down)
        let inBurst = (cycles - beat) * period < burst
        // The beat's parity; the remainder keeps huge times from overflowing an Int.
        let oddBeat = beat.truncatingRemainder(dividingBy: 2) == 1
        out.count = geometry.count
        let positions = geometry.positions.span
        var levels = out.storage.mutableSpan
        for i in 0 ..< geometry.count {
            let mine = !alternating || geometry.count < 2 || (positions[i].rank % 2 == 1) == oddBeat
            levels[i] = inBurst && mine ? high : low
        }
    }
}
