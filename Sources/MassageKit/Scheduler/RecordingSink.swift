import MassageWire
import Synchronization

/// A sink for tests and tools: keeps every offer (up to `capacity`, reserved up front, so
/// offering does not allocate) and counts all of them. It takes a lock, so it belongs
/// beside a manual clock or a short real-thread check, not in front of a device.
public final class RecordingSink: OutputSink {
    private struct Record {
        var levels: [OutputLevels]
        var offers: UInt64 = 0
        var last: OutputLevels? = nil
    }
    private let record: Mutex<Record>
    public let capacity: Int

    /// Keeps the first `capacity` offers; later ones are counted, and the newest kept as `last`.
    public init(capacity: Int = 4096) {
        var levels: [OutputLevels] = []
        levels.reserveCapacity(max(0, capacity))
        record = Mutex(Record(levels: levels))
        self.capacity = max(0, capacity)
    }

    public func offer(_ levels: OutputLevels) {
        record.withLock { record in
            record.offers += 1
            record.last = levels
            if record.levels.count < capacity { record.levels.append(levels) }
        }
    }

    /// The offers kept, oldest first.
    public var levels: [OutputLevels] { record.withLock { $0.levels } }
    /// How many offers there were.
    public var offers: UInt64 { record.withLock { $0.offers } }
    /// The newest offer.
    public var last: OutputLevels? { record.withLock { $0.last } }
}
