/// The real clock: `CLOCK_MONOTONIC`, slept on with
/// `clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)` so each wake aims at an absolute
/// deadline and lateness never accumulates.
///
/// `speed` runs time faster than the wall clock (2 = two scheduler seconds per wall
/// second), for a program played on a simulator that runs at the same speed; the
/// scheduler then sees its own time, and sleeps the wall time that corresponds.
public struct MonotonicClock: SchedulerClock, Sendable {
    public let speed: Double
    let origin: UInt64

    public init(speed: Double = 1) {
        self.speed = speed.isFinite && speed > 0 ? speed : 1
        origin = PosixRealtime.monotonicNanoseconds()
    }

    public func nowNanoseconds() -> UInt64 {
        let now = PosixRealtime.monotonicNanoseconds()
        if speed == 1 { return now }
        return origin &+ UInt64(Double(now &- origin) * speed)
    }

    public func sleep(untilNanoseconds deadline: UInt64) {
        if speed == 1 {
            PosixRealtime.sleep(untilMonotonicNanoseconds: deadline)
        } else {
            let wall = origin &+ UInt64(Double(deadline &- min(deadline, origin)) / speed)
            PosixRealtime.sleep(untilMonotonicNanoseconds: wall)
        }
    }
}
