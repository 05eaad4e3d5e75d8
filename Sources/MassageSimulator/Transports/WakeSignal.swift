import MassageKit

/// A wake-up a thread can wait for with a timeout: a generation number behind a
/// ``ConditionLock``.
///
/// To wait for "something changed": take ``generation``, look at the shared state, and
/// if there is nothing, ``wait(whileGenerationIs:until:)`` with the generation taken
/// before looking; a ``signal()`` in between is then not lost.
final class WakeSignal: Sendable {
    private let lock = ConditionLock<UInt64>(0)

    var generation: UInt64 { lock.withLock { $0 } }

    /// Wakes every waiter.
    func signal() {
        lock.withLock(signal: true) { $0 &+= 1 }
    }

    /// Returns when the generation differs from `seen` or at `deadline`, whichever is
    /// first.
    func wait(whileGenerationIs seen: UInt64, until deadline: ContinuousClock.Instant) {
        _ = lock.wait(until: deadline) { generation in generation != seen ? () : nil }
    }
}
