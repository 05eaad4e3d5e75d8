import Foundation
import GRDB

/// The history of program runs and mat sessions: one SQLite file under the XDG data
/// directory (`$XDG_DATA_HOME/massage-control/history.sqlite`, default
/// `~/.local/share/…`), opened in WAL mode so a reader never blocks the recorder.
///
/// A session's row is written when it starts and updated as it runs (see
/// ``HistoryRecorder``); a row left `running` by a process that no longer exists is
/// marked ``HistoryEntry/Outcome/interrupted`` the next time the history is opened,
/// keeping what its last update recorded.
public final class HistoryStore: Sendable {
    public let path: String
    let queue: DatabaseQueue

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

    /// Opens (creating if needed) the history at `path`, and marks the sessions of dead
    /// processes interrupted.
    public init(path: String, isAlive: (Int32) -> Bool = HistoryStore.processIsAlive) throws(HistoryError) {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw HistoryError(path: path, problem: "cannot create its folder \(folder) (\(Self.reason(error)))")
        }
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
            }
            try Self.migrator.migrate(queue)
        } catch {
            throw HistoryError(path: path, problem: "cannot open it (\(Self.reason(error)))")
        }
        try sweepInterrupted(isAlive: isAlive)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: HistoryEntry.databaseTableName) { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()
                t.column("name", .text).notNull()
                t.column("device", .text).notNull()
                t.column("startedAt", .datetime).notNull().indexed()
                t.column("updatedAt", .datetime).notNull()
                t.column("endedAt", .datetime)
                t.column("outcome", .text).notNull()
                t.column("pid", .integer).notNull()
                t.column("elapsedSeconds", .double).notNull()
                t.column("contactSeconds", .double)
                t.column("goalSeconds", .double)
                t.column("dosePoints", .double)
                t.column("note", .text)
                t.column("summary", .text)
            }
        }
        return migrator
    }

    /// Writes a new running session and returns it with its id.
    public func begin(_ entry: HistoryEntry) throws(HistoryError) -> HistoryEntry {
        var entry = entry
        entry.outcome = .running
        do {
            try queue.write { db in try entry.insert(db) }
        } catch {
            throw HistoryError(path: path, problem: "cannot record the session (\(error))")
        }
        return entry
    }

    /// Writes `entry` over its row (progress, or its end).
    public func update(_ entry: HistoryEntry) throws(HistoryError) {
        do {
            try queue.write { db in try entry.update(db) }
        } catch {
            throw HistoryError(path: path, problem: "cannot update session \(entry.id.map(String.init) ?? "?") (\(error))")
        }
    }

    /// The newest `limit` sessions, newest first.
    public func entries(limit: Int = 50) throws(HistoryError) -> [HistoryEntry] {
        do {
            return try queue.read { db in
                try HistoryEntry.order(Column("startedAt").desc, Column("id").desc).limit(limit).fetchAll(db)
            }
        } catch {
            throw HistoryError(path: path, problem: "cannot read it (\(error))")
        }
    }

    /// Marks `running` rows whose process is gone as interrupted; returns how many.
    @discardableResult
    public func sweepInterrupted(isAlive: (Int32) -> Bool = HistoryStore.processIsAlive) throws(HistoryError) -> Int {
        do {
            return try queue.write { db in
                let running = try HistoryEntry.filter(Column("outcome") == HistoryEntry.Outcome.running.rawValue).fetchAll(db)
                var swept = 0
                for var entry in running where entry.pid == getpid() ? false : !isAlive(entry.pid) {
                    entry.outcome = .interrupted
                    entry.endedAt = entry.updatedAt
                    entry.note = entry.note ?? "the recording process ended without finishing the session"
                    try entry.update(db)
                    swept += 1
                }
                return swept
            }
        } catch {
            throw HistoryError(path: path, problem: "cannot check for interrupted sessions (\(error))")
        }
    }

    /// The short reason of a Foundation or SQLite error, without its dictionary dump.
    static func reason(_ error: any Error) -> String {
        if let database = error as? DatabaseError { return database.message ?? "\(database.resultCode)" }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedDescription
    }

    /// Whether a process with this pid exists (kill(pid, 0)).
    public static func processIsAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}

/// The history file cannot be used. The message names the file and what to do.
public struct HistoryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var problem: String

    public var description: String {
        "history \(path): \(problem). Check the disk and the file's permissions, or move the file aside to start a new history."
    }
}
