/// The safety figures of DESIGN.md's table that the device core and the host both
/// enforce, stated once: the firmware core (`FirmwareLimits`) and the host's governor
/// (`SafetyLimits`) read them from here, so the two can never disagree. Embedded-clean.
public enum SafetyFigures {
    /// No heater cap above 43.0 °C (0.1 °C): IEC 60601-1's limit for ≥ 10 min of skin contact.
    public static let heaterCapCeiling: UInt16 = 430
    /// A heater setpoint lapses at most this long after the last SetOutputs, ms (Klipper's
    /// MAX_HEAT_TIME 3.0 s).
    public static let maxLeaseMilliseconds: UInt16 = 3000
    /// The vibration dose at which a session stops by default, points: the action value
    /// of Directive 2002/44/EC (2.5 m/s² over 8 h).
    public static let doseActionPoints: UInt32 = 100
    /// The dose no setting may pass, points: the limit value (5 m/s² over 8 h).
    public static let doseLimitPoints: UInt32 = 400
    /// A surface this far above the cap in force (0.1 °C) is over temperature: the device
    /// latches its fault there, and the host stops driving a device that reports it.
    public static let overTemperatureMargin: UInt16 = 20
    /// The watchdog a host may drive a device under, ms (PROTOCOL.md 4.19): below 250 it
    /// trips on a host's normal refresh; above 2000 the outputs run on too long after the
    /// host is gone.
    public static let watchdogRangeMilliseconds: ClosedRange<UInt16> = 250...2000
}

/// The vibration dose's integer arithmetic (DESIGN.md, PROTOCOL.md 6.5), shared by the
/// firmware core and the host's governor so that both count the same points:
/// points = 2·a²·T, `a` the loudest actuator's acceleration at its intensity (m/s²), T in
/// hours. `a` is kept in 0.01 m/s² (Info's unit), each interval adds a²·dt(µs), and one
/// point is 1.8·10¹³ of those units (2·10⁻⁴ m²/s⁴ per unit² ÷ 3.6·10⁹ µs per hour).
/// Saturates, never wraps: a dose can only grow.
public struct DoseAccumulator: Equatable, Sendable {
    /// Units of a²·µs in one point.
    public static let unitsPerPoint: UInt64 = 18_000_000_000_000

    /// The dose so far, in a²·µs units (a in 0.01 m/s²).
    public private(set) var units: UInt64 = 0

    public init() {}

    /// The acceleration (0.01 m/s²) of an actuator declared at `declared` (0.01 m/s², at
    /// full intensity) driven at `intensity` per mille; rounded down.
    public static func acceleration(declared: UInt16, intensity: UInt16) -> UInt64 {
        UInt64(declared) * UInt64(min(intensity, 1000)) / 1000
    }

    /// Adds `microseconds` spent at `acceleration` (0.01 m/s²).
    public mutating func add(acceleration: UInt64, microseconds: UInt64) {
        let (product, overflow) = (acceleration * acceleration).multipliedReportingOverflow(by: microseconds)
        let (sum, overflowSum) = units.addingReportingOverflow(product)
        units = overflow || overflowSum ? .max : sum
    }

    /// Back to zero (a new session).
    public mutating func reset() { units = 0 }

    /// The dose in 0.01 points (Status's unit), saturating at the field's maximum.
    public var hundredths: UInt16 { UInt16(min(units / (Self.unitsPerPoint / 100), UInt64(UInt16.max))) }

    /// True once the dose has reached `limit` whole points.
    public func reached(points limit: UInt32) -> Bool { units / Self.unitsPerPoint >= UInt64(limit) }
}
