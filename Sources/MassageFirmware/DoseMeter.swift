/// The session's vibration dose (DESIGN.md, PROTOCOL.md 6.5): points = 2·a²·T, a the
/// loudest actuator's acceleration at its drive (m/s²), T in hours; Directive 2002/44/EC's
/// hand-arm exposure values give 100 points (2.5 m/s² for 8 h) and 400 (5 m/s² for 8 h).
///
/// Integer arithmetic: a in 0.01 m/s², so one step adds a²·dt(µs), and one point is
/// 1.8·10¹³ of those units (2 · 10⁻⁴ m²/s⁴ per unit² ÷ 3.6·10⁹ µs per hour).
struct DoseMeter: Sendable {
    static let unitsPerPoint: UInt64 = 18_000_000_000_000
    private(set) var units: UInt64 = 0

    mutating func reset() { units = 0 }

    /// Adds `elapsed` µs at acceleration `acceleration` (0.01 m/s²).
    mutating func add(acceleration: UInt64, elapsed: UInt64) {
        units &+= acceleration * acceleration * min(elapsed, 1_000_000)
    }

    /// The dose in 0.01 points, saturating at the field's maximum.
    var hundredths: UInt16 { UInt16(min(units / (Self.unitsPerPoint / 100), UInt64(UInt16.max))) }

    /// True once the dose reaches `limit` whole points.
    func reached(points limit: UInt32) -> Bool { units >= UInt64(limit) * Self.unitsPerPoint }
}
