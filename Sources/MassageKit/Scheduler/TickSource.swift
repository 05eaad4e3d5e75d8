import MassageWire

/// What a tick source says after producing one tick's levels.
public enum TickResult: Equatable, Sendable {
    /// The program goes on; the levels written are this tick's.
    case running
    /// The program has ended; the levels written are ignored and the scheduler stops
    /// with every output at zero.
    case finished
}

/// Produces the output levels for a moment of program time: a pattern program, or a
/// test's script. The scheduler calls it once per tick on its real-time thread.
///
/// Implementation requirements: `levels(atMicroseconds:into:)` must not block, take a
/// lock, or allocate; it is called at up to 1 kHz on a thread that may run at SCHED_FIFO
/// priority. Program time starts at 0, moves in whole scheduler periods, and stands still
/// while the scheduler is paused; it never goes backwards.
public protocol TickSource {
    /// Writes the levels for program time `microseconds` into `levels`, which arrives
    /// with every actuator at 0 and the heater off, sized to the device's actuators.
    mutating func levels(atMicroseconds microseconds: UInt64, into levels: inout OutputLevels) -> TickResult
}
