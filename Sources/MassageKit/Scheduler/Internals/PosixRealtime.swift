#if canImport(Glibc)
import Glibc
#endif

/// Every C call the scheduler makes, in one place: memory locking and real-time thread
/// creation (the clock and absolute sleeps are `Syscalls`', shared by the package). Errors come back as errno values for the
/// callers to turn into notes a person can act on.
enum PosixRealtime {
    static func monotonicNanoseconds() -> UInt64 { Syscalls.monotonicNanoseconds() }

    /// Sleeps to an absolute `CLOCK_MONOTONIC` time; a signal that interrupts the sleep
    /// does not shorten it.
    static func sleep(untilMonotonicNanoseconds deadline: UInt64) { Syscalls.sleep(untilMonotonicNanoseconds: deadline) }

    /// How much of its stack the scheduler thread locks: far more than a tick uses (the
    /// tick path has no recursion and keeps its levels inline), and small enough for the
    /// common 64 KB RLIMIT_MEMLOCK of an unprivileged user.
    static let lockedStackBytes = 48 * 1024

    /// Locks (and so faults in) the `bytes` of the calling thread's stack below the
    /// current frame: the tick path's stack never page-faults. Only these pages: not
    /// `mlockall(MCL_FUTURE)`, which with a finite RLIMIT_MEMLOCK makes every later
    /// allocation and thread stack of the process fail with ENOMEM once the limit is
    /// reached, and which made a run's resident memory 112 MB (every thread's whole stack
    /// and every arena faulted in). Returns the range to unlock, or the errno.
    static func lockStack(bytes: Int) -> Result<UnsafeMutableRawBufferPointer, Errno> {
        var marker: UInt8 = 0
        let page = max(4096, sysconf(Int32(_SC_PAGESIZE)))
        let here = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        // The page holding this frame and the pages below it (the stack grows down).
        let top = (here / UInt(page) + 1) * UInt(page)
        let length = (bytes + page - 1) / page * page
        guard let start = UnsafeMutableRawPointer(bitPattern: top - UInt(length)) else { return .failure(Errno(EINVAL)) }
        guard mlock(start, length) == 0 else { return .failure(Errno.current) }
        return .success(UnsafeMutableRawBufferPointer(start: start, count: length))
    }

    static func unlock(_ range: UnsafeMutableRawBufferPointer) {
        if let base = range.baseAddress { _ = munlock(base, range.count) }
    }

    /// RLIMIT_MEMLOCK's soft limit, bytes; nil when unlimited.
    static var memoryLockLimit: Int? {
        var limit = rlimit()
        // RLIM_INFINITY is all ones (its C macro, -1, does not import as unsigned).
        guard getrlimit(__rlimit_resource_t(__RLIMIT_MEMLOCK.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return Int(clamping: limit.rlim_cur)
    }

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
    static func describe(_ code: Int32) -> String { Errno(code).text }

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
