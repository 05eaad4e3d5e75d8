import Foundation

/// Records one session as it runs, without ever making its caller wait for the disk or
/// for another process's lock.
///
/// ## Interface
/// - ``record(_:)`` and ``finish(outcome:note:_:)`` only change the session's state in
///   memory under a short internal lock and wake the recorder's own writer thread; they
///   never touch the file, so they can be called from anywhere (a scheduler's loop, a
///   signal-watching loop, another thread) and never block the stop path. The closure
///   they take runs under that lock: keep it to assignments.
/// - The writer thread opens the store (when the recorder was given a path), inserts the
///   row, then writes the newest state whenever ``updateInterval`` has passed in session
///   time (``HistoryEntry/elapsedSeconds``: program or mat time, so `--speed 10` loses no
///   more than 10 s of the session to a kill -9) or in wall time, and at once after
///   ``finish(outcome:note:_:)``. A write that fails (a full disk, a lock held past the
///   busy timeout) is retried with the newest state about once a second.
/// - ``takeProblems()`` returns what went wrong since the last call, each problem once
///   (again only after a write succeeded in between), for the caller to print as one
///   warning line.
/// - ``close(waitingAtMost:)`` waits a bounded time for the last write and says whether
///   the session's end is recorded. Call it after the device is stopped.
///
/// A process that dies leaves the row as its last write had it; the next reader shows it
/// as interrupted (see ``HistoryStore``).
public final class HistoryRecorder: @unchecked Sendable {
    // @unchecked: every stored var is in `state`, read and written only with `condition`
    // locked; the rest is immutable.

    /// How the recording ended, from ``close(waitingAtMost:)``.
    public enum Closing: Sendable, Equatable {
        /// The final state is in the file.
        case recorded
        /// It is not (the error says why); the row shows the last state that was written,
        /// or there is no row.
        case notRecorded(HistoryError)
    }

    public let updateInterval: TimeInterval
    /// How long the writer keeps retrying after ``close(waitingAtMost:)``, for a process
    /// that lives on (the service); then the thread ends.
    static let retryAfterClose: TimeInterval = 30
    /// Progress is written at most this often (wall time), whatever the speed.
    static let shortestSpacing: TimeInterval = 0.25
    public let path: String
    let opener: @Sendable () throws(HistoryError) -> HistoryStore

    struct State {
        var entry: HistoryEntry
        /// The newest state not yet written.
        var pending: HistoryEntry?
        var store: HistoryStore?
        var rowID: Int64?
        var lastWriteWall: Date?
        var lastWriteSession: Double = 0
        var retryAt = Date.distantPast
        var finished = false
        var finalWritten = false
        var closing = false
        /// When ``close(waitingAtMost:)`` was first called: the writer gives up
        /// ``HistoryRecorder/retryAfterClose`` seconds later.
        var closedAt: Date?
        var writerDone = false
        /// Failing since the last successful write: problems are reported once per run of
        /// failures.
        var failing = false
        var lastProblem: HistoryError?
        var problems: [HistoryError] = []
    }

    let condition = NSCondition()
    var state: State

    /// Starts recording `entry` in the history at `path`, opened (and created if needed) on
    /// the recorder's thread.
    public convenience init(path: String, createFolder: Bool? = nil, entry: HistoryEntry, updateInterval: TimeInterval = 10) {
        self.init(path: path, entry: entry, updateInterval: updateInterval) { () throws(HistoryError) in
            // A short busy timeout: a held lock delays only this thread, and the write is
            // retried.
            try HistoryStore(path: path, access: .readWrite, createFolder: createFolder, busyTimeout: 1)
        }
    }

    /// Starts recording `entry` in an open store.
    public convenience init(store: HistoryStore, entry: HistoryEntry, updateInterval: TimeInterval = 10) {
        self.init(path: store.path, entry: entry, updateInterval: updateInterval) { () throws(HistoryError) in store }
    }

    init(path: String, entry: HistoryEntry, updateInterval: TimeInterval,
         opener: @escaping @Sendable () throws(HistoryError) -> HistoryStore) {
        self.path = path
        self.updateInterval = min(max(updateInterval, 0.05), 10)
        self.opener = opener
        var entry = entry
        entry.id = nil
        entry.outcome = .running
        state = State(entry: entry, pending: entry)
        let thread = Thread { [self] in writerLoop() }
        thread.name = "history recorder"
        thread.start()
    }

    /// The session as last given (not necessarily written yet).
    public var entry: HistoryEntry {
        condition.lock()
        defer { condition.unlock() }
        var entry = state.entry
        entry.id = state.rowID
        return entry
    }

    /// Takes the session's progress. Never blocks on I/O.
    public func record(_ change: (inout HistoryEntry) -> Void, at now: Date = Date()) {
        condition.lock()
        defer { condition.unlock() }
        guard !state.finished else { return }
        change(&state.entry)
        state.entry.outcome = .running
        state.entry.updatedAt = now
        state.entry.wallSeconds = max(0, now.timeIntervalSince(state.entry.startedAt))
        state.pending = state.entry
        condition.broadcast()
    }

    /// Sets the session's end; the writer thread writes it at once. Never blocks on I/O.
    public func finish(outcome: HistoryEntry.Outcome, note: String? = nil, at now: Date = Date(),
                       _ change: (inout HistoryEntry) -> Void = { _ in }) {
        condition.lock()
        defer { condition.unlock() }
        guard !state.finished else { return }
        change(&state.entry)
        state.entry.outcome = outcome == .running ? .completed : outcome
        state.entry.note = note ?? state.entry.note
        state.entry.updatedAt = now
        state.entry.endedAt = now
        state.entry.wallSeconds = max(0, now.timeIntervalSince(state.entry.startedAt))
        state.pending = state.entry
        state.finished = true
        state.retryAt = .distantPast
        condition.broadcast()
    }

    /// Problems since the last call, each reported once.
    public func takeProblems() -> [HistoryError] {
        condition.lock()
        defer { condition.unlock() }
        let problems = state.problems
        state.problems = []
        return problems
    }

    /// Waits at most `seconds` for the final state to be written. The writer keeps trying
    /// afterwards for as long as the process lives.
    public func close(waitingAtMost seconds: Double) -> Closing {
        let deadline = Date(timeIntervalSinceNow: max(0, seconds))
        condition.lock()
        defer { condition.unlock() }
        state.closing = true
        state.closedAt = state.closedAt ?? Date()
        condition.broadcast()
        while !(state.writerDone || (state.pending == nil && !state.failing && state.rowID != nil && (state.finalWritten || !state.finished))) {
            guard condition.wait(until: deadline) else { break }
        }
        if state.pending == nil, state.rowID != nil, state.finalWritten || !state.finished, !state.failing {
            return .recorded
        }
        return .notRecorded(state.lastProblem ?? HistoryError(
            path: path, problem: "the last write was still waiting for the file's lock after \(String(format: "%.1f", seconds)) s"))
    }

    // MARK: - The writer thread

    func writerLoop() {
        condition.lock()
        defer {
            state.writerDone = true
            condition.broadcast()
            condition.unlock()
        }
        while true {
            let now = Date()
            if let closedAt = state.closedAt, now.timeIntervalSince(closedAt) > Self.retryAfterClose { return }
            if state.store == nil {
                guard now >= state.retryAt else {
                    _ = condition.wait(until: state.retryAt)
                    continue
                }
                condition.unlock()
                let result = Result { () throws(HistoryError) in try opener() }
                condition.lock()
                switch result {
                case .success(let store): state.store = store
                case .failure(let error):
                    report(error)
                    state.retryAt = Date(timeIntervalSinceNow: 1)
                    continue
                }
            }
            guard let store = state.store else { continue }
            if let pending = state.pending, now >= state.retryAt, isDue(pending, now: now) {
                state.pending = nil
                let rowID = state.rowID
                condition.unlock()
                let result = Result { () throws(HistoryError) -> Int64 in
                    if let rowID {
                        var entry = pending
                        entry.id = rowID
                        try store.update(entry)
                        return rowID
                    }
                    return try store.begin(pending).id ?? -1
                }
                condition.lock()
                switch result {
                case .success(let id):
                    state.rowID = id
                    state.lastWriteWall = Date()
                    state.lastWriteSession = pending.elapsedSeconds
                    state.failing = false
                    state.lastProblem = nil
                    if pending.outcome != .running { state.finalWritten = true }
                case .failure(let error):
                    if state.pending == nil { state.pending = pending }
                    report(error)
                    state.retryAt = Date(timeIntervalSinceNow: 1)
                }
                condition.broadcast()
                continue
            }
            if state.finalWritten && state.pending == nil { return }
            // Wake for the next due write, a retry, or a new state (record and finish
            // broadcast).
            var wake = Date(timeIntervalSinceNow: updateInterval)
            if let pending = state.pending, let last = state.lastWriteWall {
                let sessionDue = pending.elapsedSeconds - state.lastWriteSession >= updateInterval
                wake = min(wake, max(state.retryAt, last + (sessionDue ? Self.shortestSpacing : updateInterval)))
            }
            _ = condition.wait(until: max(wake, Date(timeIntervalSinceNow: 0.05)))
        }
    }

    /// Called with `condition` locked.
    func isDue(_ pending: HistoryEntry, now: Date) -> Bool {
        guard state.rowID != nil, pending.outcome == .running, let last = state.lastWriteWall else { return true }
        if state.closing { return true }
        guard now.timeIntervalSince(last) >= Self.shortestSpacing else { return false }
        return now.timeIntervalSince(last) >= updateInterval
            || pending.elapsedSeconds - state.lastWriteSession >= updateInterval
    }

    /// Called with `condition` locked.
    func report(_ error: HistoryError) {
        state.lastProblem = error
        if !state.failing { state.problems.append(error) }
        state.failing = true
    }
}
