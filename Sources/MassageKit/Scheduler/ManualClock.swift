/// A clock for tests: time starts at `now` and moves only when the scheduler sleeps (to
/// its deadline, plus whatever `wakeDelay` adds for that deadline) or when the test calls
/// `advance(by:)`. A 20-minute program runs in as long as its ticks take to compute.
public struct ManualClock: SchedulerClock, Sendable {
    /// The current time, ns.
    public var now: UInt64
    /// Extra lateness for the wake aimed at a deadline (ns → ns); 0 by default. Lets a
    /// test make chosen wakes late, to exercise overruns.
    public var wakeDelay: @Sendable (_ deadline: UInt64) -> UInt64
    /// How many times the scheduler slept on this clock.
    public private(set) var sleeps: Int = 0

    public init(now: UInt64 = 0, wakeDelay: @escaping @Sendable (_ deadline: UInt64) -> UInt64 = { _ in 0 }) {
        self.now = now
        self.wakeDelay = wakeDelay
    }

    public func nowNanoseconds() -> UInt64 { now }

    public mutating func sleep(untilNanoseconds deadline: UInt64) {
        sleeps += 1
        now = max(now, deadline) + wakeDelay(deadline)
    }

    /// Moves time forward by `nanoseconds`.
    public mutating func advance(by nanoseconds: UInt64) { now += nanoseconds }
}
