import MassageWire

/// The session's vibration dose, as DESIGN.md and PROTOCOL.md 6.5 define it:
/// points = 2·a²·T, `a` the loudest actuator's acceleration at its intensity (m/s²,
/// `a = acceleration · intensity / 1000`), T in hours. Directive 2002/44/EC's hand-arm
/// exposure values (2.5 m/s² and 5 m/s² over 8 h) give 100 points (action) and 400 (limit).
///
/// The firmware's own integer arithmetic (MassageWire's `DoseAccumulator`), so host and device agree:
/// `a` in 0.01 m/s² (the unit of Info's acceleration field), each interval adds a²·dt(µs),
/// and one point is 1.8·10¹³ of those units (2·10⁻⁴ m²/s⁴ per unit² ÷ 3.6·10⁹ µs/h).
public struct VibrationDoseMeter: Equatable, Sendable {
    /// Units of a²·µs in one point (MassageWire's `DoseAccumulator`, shared with the firmware).
    public static let unitsPerPoint: UInt64 = DoseAccumulator.unitsPerPoint
    private var accumulator = DoseAccumulator()

    /// The dose so far, in a²·µs units (a in 0.01 m/s²); saturates, never wraps.
    public var units: UInt64 { accumulator.units }

    public init() {}

    /// The acceleration (0.01 m/s²) of an actuator declared at `acceleration` (0.01 m/s²,
    /// full intensity) driven at `intensity` per mille; rounded down, as the firmware does.
    public static func acceleration(declared acceleration: UInt16, intensity: UInt16) -> UInt64 {
        DoseAccumulator.acceleration(declared: acceleration, intensity: intensity)
    }

    /// Adds `microseconds` spent at `acceleration` (0.01 m/s²).
    public mutating func add(acceleration: UInt64, microseconds: UInt64) {
        accumulator.add(acceleration: acceleration, microseconds: microseconds)
    }

    /// The dose in points.
    public var points: Double { Double(units) / Double(Self.unitsPerPoint) }

    /// True once the dose has reached `limit` points.
    public func reached(points limit: UInt32) -> Bool { accumulator.reached(points: limit) }
}
