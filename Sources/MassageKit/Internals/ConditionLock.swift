import Glibc

/// A POSIX mutex and condition variable (monotonic clock) guarding a value, for threads
/// that wait with a deadline for another thread to change it: the USB transport's
/// receivers and senders while libusb's event thread completes transfers, the in-memory
/// link's host end while the simulator writes. (Synchronization's `Mutex` has no
/// condition variable.) `package`: shared by the package's modules, not public API.
package final class ConditionLock<Value>: @unchecked Sendable {
    // @unchecked: `value` is only read or written with `mutex` held (every access goes
    // through `withLock` or `wait`), and the pthread objects are allocated once, never
    // moved, and used only through thread-safe pthread calls.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var value: Value

    package init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with the lock held; with `signal`, wakes every waiter afterwards.
    package func withLock<Result>(signal: Bool = false, _ body: (inout Value) -> Result) -> Result {
        pthread_mutex_lock(mutex)
        defer {
            if signal { pthread_cond_broadcast(condition) }
            pthread_mutex_unlock(mutex)
        }
        return body(&value)
    }

    /// Waits, lock held, until `ready` returns a result or `deadline` passes (nil then).
    /// `ready` is checked first, then after every wake-up.
    package func wait<Result>(until deadline: ContinuousClock.Instant, _ ready: (inout Value) -> Result?) -> Result? {
        var absolute = Self.monotonicTime(at: deadline)
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while true {
            if let result = ready(&value) { return result }
            if ContinuousClock.now >= deadline { return nil }
            _ = pthread_cond_timedwait(condition, mutex, &absolute)
        }
    }

    /// `deadline` as a CLOCK_MONOTONIC timespec (ContinuousClock is CLOCK_MONOTONIC-based
    /// here too, but its epoch is not exposed, so go through "now").
    private static func monotonicTime(at deadline: ContinuousClock.Instant) -> timespec {
        let remaining = max(.zero, deadline - ContinuousClock.now)
        let now = Syscalls.monotonicTimespec()
        let (seconds, attoseconds) = remaining.components
        var nanoseconds = Int64(now.tv_nsec) + attoseconds / 1_000_000_000
        var wholeSeconds = Int64(now.tv_sec) + seconds
        if nanoseconds >= 1_000_000_000 {
            nanoseconds -= 1_000_000_000
            wholeSeconds += 1
        }
        return timespec(tv_sec: Int(wholeSeconds), tv_nsec: Int(nanoseconds))
    }
}
