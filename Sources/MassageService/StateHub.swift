import Foundation
import Synchronization

/// The live state stream's fan-out: every subscriber gets the newest message only.
///
/// Each subscriber has an `AsyncStream` buffering the newest element: publishing never
/// waits for a subscriber, and one that does not read holds at most one pending message
/// here (its socket's own buffers are bounded by the channel's back-pressure, since the
/// writer awaits writability). So a stalled client never delays the others and never
/// grows the service's memory.
public final class StateHub: Sendable {
    let subscribers = Mutex<[Int: AsyncStream<String>.Continuation]>([:])
    let nextID = Atomic<Int>(0)
    let latest = Mutex<String?>(nil)
    let sequence = Atomic<Int>(0)

    /// The next message's sequence number (clients see gaps where they missed states).
    public func nextSequence() -> Int { sequence.add(1, ordering: .relaxed).newValue }

    /// The most streams at once: each holds a connection and a task, so a local program
    /// opening them in a loop must meet a limit.
    public let maxSubscribers: Int

    public init(maxSubscribers: Int = 256) {
        self.maxSubscribers = maxSubscribers
    }

    /// A new subscriber's stream, starting with the newest message when there is one; nil
    /// when ``maxSubscribers`` are subscribed.
    public func subscribe() -> (id: Int, stream: AsyncStream<String>)? {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(1))
        if let newest = latest.withLock({ $0 }) { continuation.yield(newest) }
        let added = subscribers.withLock { table in
            guard table.count < maxSubscribers else { return false }
            table[id] = continuation
            return true
        }
        guard added else {
            continuation.finish()
            return nil
        }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return (id, stream)
    }

    public var isFull: Bool { subscribers.withLock { $0.count >= maxSubscribers } }

    public func unsubscribe(_ id: Int) {
        subscribers.withLock { $0.removeValue(forKey: id) }?.finish()
    }

    /// Hands `message` to every subscriber, replacing what each has not read yet.
    public func publish(_ message: String) {
        latest.withLock { $0 = message }
        let current = subscribers.withLock { Array($0.values) }
        for continuation in current { continuation.yield(message) }
    }

    public var subscriberCount: Int { subscribers.withLock { $0.count } }
}
