import Synchronization

/// Keeps a simulator inside the host's process from blaming the device for the host's own
/// pauses. A simulated device's clock runs on wall time; when the whole process stalls
/// (a loaded machine, a debugger, SIGSTOP), the host sends nothing and, at `--speed 10`,
/// 70 ms of stall are 700 ms of device time: the watchdog would trip on a host that never
/// went away.
///
/// The rule: the device's clock may run at most ``allowance`` of device time past the
/// moment it last heard the host. Beyond that it waits for the host, but only while the
/// host has been silent for less than ``patience`` of wall time: a host silent longer is
/// gone (or hung), and the device's clock runs free again, so its watchdog still trips.
/// Frames the link's injected faults drop still count as heard (they reached the link),
/// so injected faults trip the watchdog as before.
public final class HostPacing: Sendable {
    /// Device time the device may run past the host's last frame, µs: under the
    /// protocol's smallest watchdog (250 ms), so a paused host never trips it.
    public let allowance: Double
    /// Wall time of host silence after which the device stops waiting, ns.
    public let patience: Int64
    private let held = Mutex(Figures())

    /// What the pacing did: how often the device's clock waited for its host, the
    /// longest host silence it waited through (wall time), and the device time held back.
    public struct Figures: Sendable, Equatable {
        public var pauses = 0
        public var longestPauseNanoseconds: Int64 = 0
        public var heldMicroseconds: Double = 0
        /// Set while a pause is going on: its start (wall ns).
        var pauseStartedAt: Int64? = nil
    }

    public init(allowanceMicroseconds: Double = 200_000, patienceNanoseconds: Int64 = 2_000_000_000) {
        allowance = allowanceMicroseconds
        patience = patienceNanoseconds
    }

    /// The pauses so far.
    public var figures: Figures { held.withLock { $0 } }

    /// The device clock's next value: `clock` advanced by `step` µs, held at
    /// `hostHeardAt.device + allowance` while the host has been silent for less than
    /// ``patience``.
    func advance(_ clock: Double, by step: Double, hostHeardAt: (wall: Int64, device: Double), wallNow: Int64) -> Double {
        let free = clock + step
        let silence = wallNow - hostHeardAt.wall
        let limit = hostHeardAt.device + allowance
        let waiting = free > limit && silence < patience
        held.withLock { figures in
            if waiting {
                if figures.pauseStartedAt == nil {
                    figures.pauseStartedAt = wallNow
                    figures.pauses += 1
                }
                figures.heldMicroseconds += free - max(clock, limit)
                figures.longestPauseNanoseconds = max(figures.longestPauseNanoseconds, silence)
            } else {
                figures.pauseStartedAt = nil
            }
        }
        return waiting ? max(clock, limit) : free
    }
}
