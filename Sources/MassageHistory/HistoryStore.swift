import Foundation
import GRDB

/// The history of program runs and mat sessions: one SQLite file under the XDG data
/// directory (`$XDG_DATA_HOME/massage-control/history.sqlite`, default
/// `~/.local/share/…`), in WAL mode so a reader never blocks the recorder.
///
/// - Reading never writes: ``Access/readOnly`` opens the file read-only (and, where even
///   that fails, as immutable), so `history` works in a read-only folder or beside a
///   leftover read-only `-shm` file.
/// - Reading never traps: rows are decoded from their raw columns (``HistoryRow``); a
///   damaged row is skipped and counted in ``HistoryReading/damagedRows``, and the file is
///   never rewritten or replaced.
/// - Creating is race-free (see ``HistorySchema``).
/// - A row left `running` by a process that no longer runs (``ProcessIdentity``) reads as
///   ``HistoryEntry/Outcome/interrupted``, keeping what its last update recorded; opening
///   for writing also stores that.
///
/// Writes here are synchronous and wait up to the busy timeout for the lock: a session in
/// progress records through ``HistoryRecorder``, which keeps them off the caller's thread.
public final class HistoryStore: Sendable {
    public enum Access: Sendable, Equatable {
        case readWrite
        case readOnly
    }

    public let path: String
    public let access: Access
    /// Set when the file could only be read as immutable (its lock files cannot be used):
    /// what that means for the reader, in words.
    public let readNote: String?
    let queue: DatabaseQueue
    let isRunning: @Sendable (ProcessIdentity) -> Bool

    /// `$XDG_DATA_HOME/massage-control/history.sqlite`, or `$HOME/.local/share/…`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
            return data + "/massage-control/history.sqlite"
        }
        if let home = environment["HOME"], !home.isEmpty {
            return home + "/.local/share/massage-control/history.sqlite"
        }
        return nil
    }

    /// Why there is no default path, for the one warning line a command prints.
    public static let noDefaultPathReason = "neither XDG_DATA_HOME nor HOME is set"

    /// Opens the history at `path`.
    ///
    /// - Parameters:
    ///   - access: `.readOnly` never creates or changes anything; `.readWrite` creates the
    ///     file and its table if needed and marks the sessions of ended processes
    ///     interrupted.
    ///   - createFolder: whether a missing folder is created (mode 0700). Nil: only for
    ///     the default path, so a `--file` path never creates folders.
    ///   - busyTimeout: how long a statement waits for another process's lock.
    public init(path: String, access: Access = .readWrite, createFolder: Bool? = nil, busyTimeout: Double = 5,
                isRunning: @escaping @Sendable (ProcessIdentity) -> Bool = ProcessIdentity.isRunning) throws(HistoryError) {
        self.path = path
        self.access = access
        self.isRunning = isRunning
        let folder = Self.folder(of: path)
        let timeout = min(max(busyTimeout, 0), 60)
        switch access {
        case .readOnly:
            guard FileManager.default.fileExists(atPath: path) else {
                throw HistoryError(path: path, problem: "it does not exist")
            }
            (queue, readNote) = try Self.openReadOnly(path: path, busyTimeout: timeout)
        case .readWrite:
            readNote = nil
            if createFolder ?? (path == Self.defaultPath()) {
                do {
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                            attributes: [.posixPermissions: 0o700])
                } catch {
                    throw HistoryError(path: path, problem: "cannot create its folder \(folder) (\(Self.reason(error)))")
                }
            } else {
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
                    throw HistoryError(path: path, problem: "its folder \(folder) does not exist (it is not created for a path given explicitly)")
                }
            }
            do {
                var configuration = Configuration()
                configuration.busyMode = .timeout(timeout)
                configuration.label = "history"
                queue = try DatabaseQueue(path: path, configuration: configuration)
                try queue.writeWithoutTransaction { db in
                    try db.inTransaction(.immediate) {
                        try HistorySchema.create(db)
                        return .commit
                    }
                    try Self.enableWAL(db)
                }
            } catch {
                throw HistoryError(path: path, problem: "cannot open it (\(Self.reason(error)))")
            }
            try sweepInterrupted()
        }
    }

    /// The folder of `path`; "." for a bare file name.
    static func folder(of path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }

    /// WAL lets the reader and the recorder work at once. Switching needs every other
    /// connection out of the way, so a busy switch is retried a few times and then left:
    /// the history works in the default journal mode too, and a later open switches it.
    static func enableWAL(_ db: Database) throws {
        for attempt in 0..<20 {
            do {
                if try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")?.lowercased() == "wal" {
                    try db.execute(sql: "PRAGMA synchronous = NORMAL")
                    return
                }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                // Another opener holds a lock: try again shortly.
            }
            usleep(useconds_t(5_000 + attempt * 5_000))
        }
    }

    static func openReadOnly(path: String, busyTimeout: Double) throws(HistoryError) -> (DatabaseQueue, String?) {
        func open(_ location: String) throws -> DatabaseQueue {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(busyTimeout)
            configuration.label = "history"
            let queue = try DatabaseQueue(path: location, configuration: configuration)
            _ = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
            return queue
        }
        do {
            return (try open(path), nil)
        } catch {
            // A WAL file needs its -shm file writable, or a folder to create it in. Where
            // neither is there (a read-only folder, a read-only leftover -shm), the file
            // can still be read as immutable: without locks, and without what is only in
            // the write-ahead log.
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            var allowed = CharacterSet.urlPathAllowed
            allowed.remove(charactersIn: "?#%")
            let encoded = absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute
            do {
                return (try open("file:\(encoded)?immutable=1"),
                        "read without locking (\(reason(error))): sessions recorded since the last checkpoint may be missing")
            } catch {
                throw HistoryError(path: path, problem: "cannot read it (\(reason(error)))")
            }
        }
    }

    // MARK: - Writing

    /// Writes a new session and returns it with its id.
    public func begin(_ entry: HistoryEntry) throws(HistoryError) -> HistoryEntry {
        var entry = entry
        do {
            try queue.write { db in
                try db.execute(sql: HistorySchema.insertSQL, arguments: HistorySchema.arguments(entry))
                entry.id = db.lastInsertedRowID
            }
        } catch {
            throw HistoryError(path: path, problem: "cannot record the session (\(Self.reason(error)))")
        }
        return entry
    }

    /// Writes `entry` over its row (progress, or its end).
    public func update(_ entry: HistoryEntry) throws(HistoryError) {
        guard let id = entry.id else {
            throw HistoryError(path: path, problem: "cannot update a session that was never recorded")
        }
        do {
            try queue.write { db in
                var arguments = HistorySchema.arguments(entry)
                arguments += [id]
                try db.execute(sql: HistorySchema.updateSQL, arguments: arguments)
            }
        } catch {
            throw HistoryError(path: path, problem: "cannot update session \(id) (\(Self.reason(error)))")
        }
    }

    /// Deletes the sessions with these ids; returns how many there were.
    public func delete(ids: [Int64]) throws(HistoryError) -> Int {
        guard !ids.isEmpty else { return 0 }
        do {
            return try queue.write { db in
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
                try db.execute(sql: "DELETE FROM \"session\" WHERE \"id\" IN (\(marks))", arguments: StatementArguments(ids))
                return db.changesCount
            }
        } catch {
            throw HistoryError(path: path, problem: "cannot delete sessions (\(Self.reason(error)))")
        }
    }

    /// Marks `running` rows whose process no longer runs as interrupted; returns how many.
    /// Only those three columns change: a damaged row is left exactly as it is.
    @discardableResult
    public func sweepInterrupted() throws(HistoryError) -> Int {
        do {
            return try queue.write { db in
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM \"session\" WHERE \"outcome\" = 'running'")
                var swept = 0
                for row in rows {
                    guard let entry = HistoryRow.entry(row), let id = entry.id, !isRunning(entry.process) else { continue }
                    try db.execute(sql: """
                        UPDATE "session" SET "outcome" = 'interrupted', "endedAt" = ?, "note" = coalesce("note", ?)
                        WHERE "id" = ? AND "outcome" = 'running'
                        """, arguments: [HistoryDate.text(entry.updatedAt), Self.interruptedNote, id])
                    swept += 1
                }
                return swept
            }
        } catch {
            throw HistoryError(path: path, problem: "cannot check for interrupted sessions (\(Self.reason(error)))")
        }
    }

    static let interruptedNote = "the recording process ended without finishing the session"

    // MARK: - Reading

    /// Which sessions to read.
    public struct Filter: Sendable, Equatable {
        public var kind: HistoryEntry.Kind?
        /// The device URI, exactly.
        public var device: String?
        /// Sessions started at or after this.
        public var since: Date?
        /// True: simulated only; false: real devices only; nil: both.
        public var simulated: Bool?

        public init(kind: HistoryEntry.Kind? = nil, device: String? = nil, since: Date? = nil, simulated: Bool? = nil) {
            self.kind = kind
            self.device = device
            self.since = since
            self.simulated = simulated
        }

        func matches(_ entry: HistoryEntry) -> Bool {
            if let kind, entry.kind != kind { return false }
            if let device, entry.device != device { return false }
            if let since, entry.startedAt < since { return false }
            if let simulated, entry.isSimulated != simulated { return false }
            return true
        }
    }

    /// The newest `limit` sessions that match `filter`, newest first, with the number of
    /// damaged rows skipped in the whole file.
    public func read(limit: Int = 50, filter: Filter = Filter()) throws(HistoryError) -> HistoryReading {
        do {
            return try queue.read { db in
                guard try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'session'") == true else {
                    return HistoryReading(entries: [], damagedRows: 0)
                }
                var entries: [HistoryEntry] = []
                var damaged = 0
                let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \"session\" ORDER BY \"startedAt\" DESC, \"id\" DESC")
                while let row = try rows.next() {
                    guard var entry = HistoryRow.entry(row) else {
                        damaged += 1
                        continue
                    }
                    guard entries.count < limit, filter.matches(entry) else { continue }
                    if entry.outcome == .running, !isRunning(entry.process) {
                        entry.outcome = .interrupted
                        entry.endedAt = entry.updatedAt
                        entry.note = entry.note ?? Self.interruptedNote
                    }
                    entries.append(entry)
                }
                // Damaged dates sort anywhere in SQL: put the readable rows in order.
                entries.sort { ($0.startedAt, $0.id ?? 0) > ($1.startedAt, $1.id ?? 0) }
                return HistoryReading(entries: entries, damagedRows: damaged)
            }
        } catch {
            throw HistoryError(path: path, problem: "cannot read it (\(Self.reason(error)))")
        }
    }

    /// The newest `limit` sessions, newest first (damaged rows skipped; ``read(limit:filter:)``
    /// counts them).
    public func entries(limit: Int = 50) throws(HistoryError) -> [HistoryEntry] {
        try read(limit: limit).entries
    }

    /// The short reason of a Foundation or SQLite error, without its dictionary dump.
    static func reason(_ error: any Error) -> String {
        if let database = error as? DatabaseError { return database.message ?? "\(database.resultCode)" }
        if let history = error as? HistoryError { return history.problem }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedDescription
    }
}

/// What ``HistoryStore/read(limit:filter:)`` found.
public struct HistoryReading: Sendable, Equatable {
    public var entries: [HistoryEntry]
    /// Rows that could not be read (damaged text, numbers or dates) and were skipped.
    public var damagedRows: Int

    public init(entries: [HistoryEntry], damagedRows: Int) {
        self.entries = entries
        self.damagedRows = damagedRows
    }
}

/// The history file cannot be used. The message names the file and what to do.
public struct HistoryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String {
        "history \(path): \(problem). Check the disk and the file's permissions, or move the file aside to start a new history."
    }
}
