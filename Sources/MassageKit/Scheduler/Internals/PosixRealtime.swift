#if canImport(Glibc)
import Glibc
#endif

/// Every C call the scheduler makes, in one place: the monotonic clock, absolute sleeps,
/// memory locking and real-time thread creation. Errors come back as errno values for the
/// callers to turn into notes a person can act on.
enum PosixRealtime {
    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Sleeps to an absolute `CLOCK_MONOTONIC` time; a signal that interrupts the sleep
    /// does not shorten it.
    static func sleep(untilMonotonicNanoseconds deadline: UInt64) {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }

    /// `mlockall(MCL_CURRENT | MCL_FUTURE)`: 0 or the errno.
    static func lockAllMemory() -> Int32 {
        mlockall(Int32(MCL_CURRENT) | Int32(MCL_FUTURE)) == 0 ? 0 : errno
    }

    static func unlockAllMemory() { _ = munlockall() }

    /// A C-callable thread entry: the context is a retained `ThreadBody`.
    private static let entry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { context in
        guard let context else { return nil }
        let body = Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue()
        body.run()
        return nil
    }

    /// Starts a joinable thread running `body`, at SCHED_FIFO `fifoPriority` when given
    /// (explicit scheduling, not inherited). Returns the thread or the errno of
    /// `pthread_create` (EPERM when real-time scheduling is not permitted).
    static func startThread(fifoPriority: Int32?, stackBytes: Int, body: ThreadBody) -> Result<pthread_t, ThreadStartErrno> {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackBytes)
        if let fifoPriority {
            pthread_attr_setinheritsched(&attributes, Int32(PTHREAD_EXPLICIT_SCHED))
            pthread_attr_setschedpolicy(&attributes, SCHED_FIFO)
            var parameters = sched_param()
            parameters.sched_priority = fifoPriority
            pthread_attr_setschedparam(&attributes, &parameters)
        }
        let context = Unmanaged.passRetained(body).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, entry, context)
        guard status == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            return .failure(ThreadStartErrno(code: status))
        }
        return .success(thread)
    }

    static func join(_ thread: pthread_t) { _ = pthread_join(thread, nil) }

    static func detach(_ thread: pthread_t) { _ = pthread_detach(thread) }

    /// The highest SCHED_FIFO priority this system has (99 on Linux).
    static var maximumFIFOPriority: Int32 { sched_get_priority_max(SCHED_FIFO) }

    /// The message for an errno, as `strerror` words it.
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }

    static let eperm = EPERM
}

/// An errno from starting a thread.
struct ThreadStartErrno: Error { var code: Int32 }

/// What a started thread runs. Sendable because it is handed to exactly one new thread
/// and never touched by the starter again.
final class ThreadBody: @unchecked Sendable {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}
