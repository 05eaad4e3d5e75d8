/// The session's vibration dose, as DESIGN.md and PROTOCOL.md 6.5 define it:
/// points = 2·a²·T, `a` the loudest actuator's acceleration at its intensity (m/s²,
/// `a = acceleration · intensity / 1000`), T in hours. Directive 2002/44/EC's hand-arm
/// exposure values (2.5 m/s² and 5 m/s² over 8 h) give 100 points (action) and 400 (limit).
///
/// The same integer arithmetic as the reference firmware, so host and device agree:
/// `a` in 0.01 m/s² (the unit of Info's acceleration field), each interval adds a²·dt(µs),
/// and one point is 1.8·10¹³ of those units (2·10⁻⁴ m²/s⁴ per unit² ÷ 3.6·10⁹ µs/h).
public struct VibrationDoseMeter: Equatable, Sendable {
    /// Units of a²·µs in one point.
    public static let unitsPerPoint: UInt64 = 18_000_000_000_000
    /// The dose so far, in a²·µs units (a in 0.01 m/s²); saturates, never wraps.
    public private(set) var units: UInt64 = 0

    public init() {}

    /// The acceleration (0.01 m/s²) of an actuator declared at `acceleration` (0.01 m/s²,
    /// full intensity) driven at `intensity` per mille; rounded down, as the firmware does.
    public static func acceleration(declared acceleration: UInt16, intensity: UInt16) -> UInt64 {
        UInt64(acceleration) * UInt64(min(intensity, 1000)) / 1000
    }

    /// Adds `microseconds` spent at `acceleration` (0.01 m/s²).
    public mutating func add(acceleration: UInt64, microseconds: UInt64) {
        let (product, overflow) = (acceleration * acceleration).multipliedReportingOverflow(by: microseconds)
        let (sum, overflowSum) = units.addingReportingOverflow(product)
        units = overflow || overflowSum ? .max : sum
    }

    /// The dose in points.
    public var points: Double { Double(units) / Double(Self.unitsPerPoint) }

    /// True once the dose has reached `limit` points.
    public func reached(points limit: UInt32) -> Bool {
        units / Self.unitsPerPoint >= UInt64(limit)
    }
}
