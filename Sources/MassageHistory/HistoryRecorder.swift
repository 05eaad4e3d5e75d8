import Foundation

/// Records one session as it runs: the row is written at ``start(_:)``, then at most every
/// ``updateInterval`` (10 s by default) as progress comes in, so a crash loses at most
/// that much; ``finish(outcome:note:)`` writes the end. Writes are synchronous and short
/// (one row, WAL); call ``record(_:at:)`` as often as convenient, it decides when to write.
public final class HistoryRecorder {
    public let store: HistoryStore
    public let updateInterval: TimeInterval
    public private(set) var entry: HistoryEntry
    var lastWrite: Date

    /// Starts recording `entry` (written at once).
    public init(store: HistoryStore, entry: HistoryEntry, updateInterval: TimeInterval = 10) throws(HistoryError) {
        self.store = store
        self.updateInterval = min(max(updateInterval, 0.05), 10)
        self.entry = try store.begin(entry)
        lastWrite = entry.startedAt
    }

    /// Takes the session's progress; writes it when `updateInterval` has passed since the
    /// last write. Returns whether it wrote.
    @discardableResult
    public func record(_ change: (inout HistoryEntry) -> Void, at now: Date = Date()) throws(HistoryError) -> Bool {
        change(&entry)
        entry.elapsedSeconds = max(entry.elapsedSeconds, now.timeIntervalSince(entry.startedAt))
        guard now.timeIntervalSince(lastWrite) >= updateInterval else { return false }
        entry.updatedAt = now
        try store.update(entry)
        lastWrite = now
        return true
    }

    /// Writes the end of the session.
    public func finish(outcome: HistoryEntry.Outcome, note: String? = nil, at now: Date = Date(),
                       _ change: (inout HistoryEntry) -> Void = { _ in }) throws(HistoryError) {
        change(&entry)
        entry.outcome = outcome
        entry.note = note ?? entry.note
        entry.updatedAt = now
        entry.endedAt = now
        entry.elapsedSeconds = max(entry.elapsedSeconds, now.timeIntervalSince(entry.startedAt))
        try store.update(entry)
        lastWrite = now
    }
}
