#if canImport(Glibc)
import Glibc
#endif

/// The host library's one seam for the C clock, sleep and error-text calls (the way
/// swift-system keeps `Syscalls.swift`): every module of the package that needs the
/// monotonic clock, an absolute sleep or strerror's words comes here, so each exists once.
/// `package`: shared by the package's modules (the simulator's device server, the
/// transports, the scheduler), not public API. libusb and libgpiod keep their own seams
/// (`LibUSB`, `GPIODCalls`) in their modules.
package enum Syscalls {
    /// `CLOCK_MONOTONIC` in nanoseconds.
    package static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// `CLOCK_MONOTONIC` in microseconds (the session engine's and the device's unit).
    package static func monotonicMicroseconds() -> UInt64 {
        monotonicNanoseconds() / 1000
    }

    /// `CLOCK_MONOTONIC` as a timespec, for APIs that take one (condition waits).
    package static func monotonicTimespec() -> timespec {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts
    }

    /// Sleeps to an absolute `CLOCK_MONOTONIC` time (`clock_nanosleep` with
    /// TIMER_ABSTIME, so no drift); a signal that interrupts the sleep does not shorten it.
    package static func sleep(untilMonotonicNanoseconds deadline: UInt64) {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }

    /// CPU time the calling thread has used (`CLOCK_THREAD_CPUTIME_ID`).
    package static func threadCPUTime() -> Duration {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return .seconds(Int64(ts.tv_sec)) + .nanoseconds(Int64(ts.tv_nsec))
    }
}

/// An errno value, typed: what a failed C call left, with strerror's words.
package struct Errno: Error, Equatable, Sendable, CustomStringConvertible {
    package let code: Int32

    package init(_ code: Int32) { self.code = code }

    /// The calling thread's errno now (read it right after the failing call).
    package static var current: Errno { Errno(errno) }

    /// strerror's words alone, e.g. "Permission denied".
    package var text: String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }

    /// strerror's words with the number, e.g. "Permission denied (errno 13)".
    package var description: String { "\(text) (errno \(code))" }
}
