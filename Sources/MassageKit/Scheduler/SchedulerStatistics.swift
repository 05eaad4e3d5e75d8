/// What a scheduler run did: how late it woke, how often it overran, what it offered.
public struct SchedulerStatistics: Sendable {
    /// Ticks run (each offered one set of levels).
    public var ticks: UInt64 = 0
    /// Wakes that came a period or more late, so the scheduler skipped to the next
    /// deadline instead of catching up.
    public var overruns: UInt64 = 0
    /// Deadlines skipped by those overruns.
    public var skippedDeadlines: UInt64 = 0
    /// Levels handed to the sink.
    public var framesOffered: UInt64 = 0
    /// Wake lateness (actual wake − deadline), ns.
    public var lateness = LatenessHistogram()
    /// What the sink did with the offers, when it counts them (read when the statistics
    /// were taken).
    public var delivery: OutputDeliveryCounts? = nil

    public init() {}

    /// One line for a person: `ticks 1200, overruns 0, lateness p50 52 µs p99 …`.
    public var summary: String {
        func micro(_ ns: UInt64) -> String {
            let tenths = (ns + 50) / 100
            return "\(tenths / 10).\(tenths % 10) µs"
        }
        var line = "ticks \(ticks), overruns \(overruns) (\(skippedDeadlines) deadlines skipped), offered \(framesOffered)"
        if let delivery { line += " (sent \(delivery.sent), coalesced \(delivery.coalesced))" }
        line += "; wake lateness p50 \(micro(lateness.p50)), p99 \(micro(lateness.p99)), p99.9 \(micro(lateness.p999)), max \(micro(lateness.maximum))"
        return line
    }
}
