import Foundation
import GRDB

/// Creates and upgrades the history's table, safely against other processes doing the same.
///
/// Two commands creating a new history at once used to fail ("table session already
/// exists", "database is locked"): GRDB's migrator checks which migrations are applied
/// before it takes the write lock. Here everything happens inside one `BEGIN IMMEDIATE`
/// transaction, so the second process waits (busy timeout) for the first and then finds
/// the table made; every statement is idempotent (`IF NOT EXISTS`, a column added only when
/// `PRAGMA table_info` lacks it), which also upgrades histories written by older versions.
enum HistorySchema {
    /// Version 1's columns (the first release), then the ones added since.
    static let table = HistoryEntry.databaseTableName
    static let addedColumns: [(name: String, type: String)] = [
        ("deviceKind", "TEXT"),
        ("wallSeconds", "DOUBLE"),
        ("intensityPercent", "INTEGER"),
        ("heat", "TEXT"),
        ("file", "TEXT"),
        ("speed", "DOUBLE"),
        ("processStartTicks", "INTEGER"),
        ("bootID", "TEXT"),
    ]

    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS "\(table)" (
                "id" INTEGER PRIMARY KEY AUTOINCREMENT,
                "kind" TEXT NOT NULL,
                "name" TEXT NOT NULL,
                "device" TEXT NOT NULL,
                "startedAt" DATETIME NOT NULL,
                "updatedAt" DATETIME NOT NULL,
                "endedAt" DATETIME,
                "outcome" TEXT NOT NULL,
                "pid" INTEGER NOT NULL,
                "elapsedSeconds" DOUBLE NOT NULL,
                "contactSeconds" DOUBLE,
                "goalSeconds" DOUBLE,
                "dosePoints" DOUBLE,
                "note" TEXT,
                "summary" TEXT)
            """)
        // Versions before this one migrated with GRDB's migrator: telling it that "v1" is
        // applied lets an older massagectl still open a history this one created.
        try db.execute(sql: #"CREATE TABLE IF NOT EXISTS "grdb_migrations" ("identifier" TEXT NOT NULL PRIMARY KEY)"#)
        try db.execute(sql: #"INSERT OR IGNORE INTO "grdb_migrations" ("identifier") VALUES ('v1')"#)
        // GRDB's migrator named its index this way; the same name keeps one index.
        try db.execute(sql: #"CREATE INDEX IF NOT EXISTS "index_session_on_startedAt" ON "session"("startedAt")"#)
        let existing = Set(try Row.fetchAll(db, sql: #"PRAGMA table_info("session")"#).compactMap { row -> String? in
            for (column, value) in row where column == "name" {
                if case .string(let name) = value.storage { return name }
            }
            return nil
        })
        for column in addedColumns where !existing.contains(column.name) {
            try db.execute(sql: #"ALTER TABLE "session" ADD COLUMN "\#(column.name)" \#(column.type)"#)
        }
    }

    /// Every column this version writes, in one order.
    static let columns = ["kind", "name", "device", "startedAt", "updatedAt", "endedAt", "outcome", "pid",
                          "elapsedSeconds", "contactSeconds", "goalSeconds", "dosePoints", "note", "summary"]
        + addedColumns.map(\.name)

    static func arguments(_ entry: HistoryEntry) -> StatementArguments {
        let values: [(any DatabaseValueConvertible)?] = [
            entry.kind.rawValue, entry.name, entry.device,
            HistoryDate.text(entry.startedAt), HistoryDate.text(entry.updatedAt), entry.endedAt.map(HistoryDate.text),
            entry.outcome.rawValue, Int64(entry.pid), entry.elapsedSeconds, entry.contactSeconds, entry.goalSeconds,
            entry.dosePoints, entry.note, entry.summary,
            entry.deviceKind?.rawValue, entry.wallSeconds, entry.intensityPercent.map { Int64($0) }, entry.heat,
            entry.file, entry.speed, entry.processStartTicks, entry.bootID,
        ]
        return StatementArguments(values)
    }

    static var insertSQL: String {
        let names = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        return "INSERT INTO \"session\" (\(names)) VALUES (\(marks))"
    }

    static var updateSQL: String {
        "UPDATE \"session\" SET " + columns.map { "\"\($0)\" = ?" }.joined(separator: ", ") + " WHERE \"id\" = ?"
    }
}
