import MassageWire

/// The session's vibration dose on the device: MassageWire's `DoseAccumulator` (the
/// arithmetic the host's governor uses too), with one step never counting more than 1 s
/// (a tick that comes late after a stall must not add a burst).
struct DoseMeter: Sendable {
    private var accumulator = DoseAccumulator()

    var units: UInt64 { accumulator.units }

    mutating func reset() { accumulator.reset() }

    /// Adds `elapsed` µs at acceleration `acceleration` (0.01 m/s²).
    mutating func add(acceleration: UInt64, elapsed: UInt64) {
        accumulator.add(acceleration: acceleration, microseconds: min(elapsed, 1_000_000))
    }

    /// The dose in 0.01 points, saturating at the field's maximum.
    var hundredths: UInt16 { accumulator.hundredths }

    /// True once the dose reaches `limit` whole points.
    func reached(points limit: UInt32) -> Bool { accumulator.reached(points: limit) }
}
