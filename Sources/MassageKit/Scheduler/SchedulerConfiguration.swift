/// How often the scheduler ticks and for how many actuators. Validated on creation.
public struct SchedulerConfiguration: Equatable, Sendable {
    /// The tick rates the scheduler accepts, Hz. Below 50 Hz vibration patterns step
    /// visibly; above 1 kHz no device accepts SetOutputs that fast.
    public static let rateRange: ClosedRange<Int> = 50...1000
    /// The default tick rate, Hz.
    public static let defaultRate = 100

    /// Ticks per second.
    public let rateHertz: Int
    /// The device's actuator count (0–16): every tick's levels are sized to it.
    public let actuatorCount: Int

    /// Checks the figures; the error says which is out of range and what is allowed.
    public init(rateHertz: Int = SchedulerConfiguration.defaultRate, actuatorCount: Int) throws(SchedulerConfigurationError) {
        guard Self.rateRange.contains(rateHertz) else { throw .rateOutOfRange(rateHertz) }
        guard (0...16).contains(actuatorCount) else { throw .actuatorCountOutOfRange(actuatorCount) }
        self.rateHertz = rateHertz
        self.actuatorCount = actuatorCount
    }

    /// The nominal period, ns (deadlines themselves are computed exactly, see `deadlineOffset`).
    public var periodNanoseconds: UInt64 { 1_000_000_000 / UInt64(rateHertz) }

    /// Nanoseconds from the start to deadline `index`: `index · 10⁹ / rate`, rounded down,
    /// computed from the start each time so that rates which do not divide a second
    /// (300 Hz) do not drift either.
    func deadlineOffset(_ index: UInt64) -> UInt64 {
        let (high, low) = index.multipliedFullWidth(by: 1_000_000_000)
        return UInt64(rate: rateHertz, high: high, low: low)
    }

    /// Program time of deadline `index`, µs.
    func microseconds(ofIndex index: UInt64) -> UInt64 {
        let (high, low) = index.multipliedFullWidth(by: 1_000_000)
        return UInt64(rate: rateHertz, high: high, low: low)
    }

    /// The last deadline index at or before `offset` ns after the start.
    func index(atOrBefore offset: UInt64) -> UInt64 {
        let (high, low) = offset.multipliedFullWidth(by: UInt64(rateHertz))
        guard high < 1_000_000_000 else { return .max }
        return UInt64(1_000_000_000).dividingFullWidth((high: high, low: low)).quotient
    }
}

extension UInt64 {
    /// (high, low) / rate, saturating; the tick arithmetic's one division.
    fileprivate init(rate: Int, high: UInt64, low: UInt64) {
        let divisor = UInt64(rate)
        self = high < divisor ? divisor.dividingFullWidth((high: high, low: low)).quotient : .max
    }
}

/// A scheduler setting out of range.
public enum SchedulerConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The tick rate is outside 50–1000 Hz.
    case rateOutOfRange(Int)
    /// More than 16 actuators, or a negative count.
    case actuatorCountOutOfRange(Int)
    /// An intensity outside 0–100 %.
    case intensityOutOfRange(Int)
    /// A SCHED_FIFO priority outside 1–99.
    case priorityOutOfRange(Int32)

    public var description: String {
        switch self {
        case .rateOutOfRange(let rate):
            "tick rate \(rate) Hz is out of range: choose \(SchedulerConfiguration.rateRange.lowerBound)–\(SchedulerConfiguration.rateRange.upperBound) Hz (default \(SchedulerConfiguration.defaultRate))"
        case .actuatorCountOutOfRange(let count):
            "actuator count \(count) is out of range: a device has 0–16 actuators"
        case .intensityOutOfRange(let percent):
            "intensity \(percent) % is out of range: choose 0–100 %"
        case .priorityOutOfRange(let priority):
            "real-time priority \(priority) is out of range: choose 1–99"
        }
    }
}
