/// The real clock: `CLOCK_MONOTONIC`, slept on with
/// `clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)` so each wake aims at an absolute
/// deadline and lateness never accumulates.
public struct MonotonicClock: SchedulerClock, Sendable {
    public init() {}

    public func nowNanoseconds() -> UInt64 { PosixRealtime.monotonicNanoseconds() }

    public func sleep(untilNanoseconds deadline: UInt64) {
        PosixRealtime.sleep(untilMonotonicNanoseconds: deadline)
    }
}
