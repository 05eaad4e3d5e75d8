/// The time the scheduler core runs on: the monotonic clock on the real-time thread, a
/// `ManualClock` in tests (time moves only when the scheduler sleeps, or the test says).
///
/// Implementation requirements: `nowNanoseconds()` never goes backwards; after
/// `sleep(untilNanoseconds: d)` returns, `nowNanoseconds()` is at least `d`.
public protocol SchedulerClock {
    /// Nanoseconds since an arbitrary fixed origin.
    mutating func nowNanoseconds() -> UInt64
    /// Returns at or after the absolute time `deadline` (same origin as `nowNanoseconds`).
    mutating func sleep(untilNanoseconds deadline: UInt64)
}
