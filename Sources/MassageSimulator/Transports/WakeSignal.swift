import Glibc

/// A wake-up a thread can wait for with a timeout: a generation number behind a POSIX
/// mutex and condition variable on the monotonic clock. (Synchronization's `Mutex` has
/// no condition variable.)
///
/// To wait for "something changed": take ``generation``, look at the shared state, and
/// if there is nothing, ``wait(whileGenerationIs:until:)`` with the generation taken
/// before looking; a ``signal()`` in between is then not lost.
final class WakeSignal: @unchecked Sendable {
    // @unchecked: the pointers are allocated once, never reassigned, and only used
    // through pthread calls that are thread-safe; `count` is read and written only with
    // `mutex` held.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var count: UInt64 = 0

    init() {
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

    var generation: UInt64 {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return count
    }

    /// Wakes every waiter.
    func signal() {
        pthread_mutex_lock(mutex)
        count &+= 1
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Returns when the generation differs from `seen` or at `deadline`, whichever is
    /// first.
    func wait(whileGenerationIs seen: UInt64, until deadline: ContinuousClock.Instant) {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { return }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let (seconds, attoseconds) = remaining.components
        var nanoseconds = Int64(now.tv_nsec) + attoseconds / 1_000_000_000
        var wholeSeconds = Int64(now.tv_sec) + seconds
        if nanoseconds >= 1_000_000_000 {
            nanoseconds -= 1_000_000_000
            wholeSeconds += 1
        }
        var absolute = timespec(tv_sec: Int(wholeSeconds), tv_nsec: Int(nanoseconds))
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while count == seen {
            if pthread_cond_timedwait(condition, mutex, &absolute) == ETIMEDOUT { return }
        }
    }
}
