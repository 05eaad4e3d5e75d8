import Foundation
import GRDB
@testable import MassageHistory
import Testing

/// Damaged histories: rows are skipped and counted, nothing traps, nothing is rewritten.
@Suite struct HistoryDamageTests {
    /// A good row, then one damaged row per kind of damage, written with raw SQL as a
    /// broken disk or tool would leave them.
    static func damagedHistory() throws -> (ScratchHistory, damaged: Int) {
        let scratch = try ScratchHistory()
        let store = try HistoryStore(path: scratch.path)
        _ = try store.begin(.sample("good"))
        let insert = #"INSERT INTO session (kind, name, device, startedAt, updatedAt, endedAt, outcome, pid, elapsedSeconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"#
        var damaged = 0
        try scratch.raw().write { db in
            // Every byte 0x80–0xAF in a date column: it overflowed GRDB's date parser.
            for byte in UInt8(0x80)...UInt8(0xAF) {
                let blob = Data("2027-01-15 10:00:00.000".utf8.map { $0 == UInt8(ascii: "1") ? byte : $0 })
                for column in ["startedAt", "updatedAt", "endedAt"] {
                    let sql = "INSERT INTO session (kind, name, device, startedAt, updatedAt, endedAt, outcome, pid, elapsedSeconds) "
                        + "VALUES ('program', 'damaged', 'sim', "
                        + ["startedAt", "updatedAt", "endedAt"].map { $0 == column ? "CAST(? AS TEXT)" : "'2027-01-15 10:00:00.000'" }.joined(separator: ", ")
                        + ", 'completed', 1, 5)"
                    try db.execute(sql: sql, arguments: [blob])
                    damaged += 1
                }
            }
            let bad: [[(any DatabaseValueConvertible)?]] = [
                ["program", "text pid", "sim", "2027-01-15 10:00:00", "2027-01-15 10:00:00", nil, "completed", "twelve", 5],
                ["program", "text seconds", "sim", "2027-01-15 10:00:00", "2027-01-15 10:00:00", nil, "completed", 1, "long"],
                ["lunch", "unknown kind", "sim", "2027-01-15 10:00:00", "2027-01-15 10:00:00", nil, "completed", 1, 5],
                ["program", "unknown outcome", "sim", "2027-01-15 10:00:00", "2027-01-15 10:00:00", nil, "exploded", 1, 5],
                ["program", "blob date", "sim", Data([0xFF, 0x00, 0x80]), "2027-01-15 10:00:00", nil, "completed", 1, 5],
                ["program", "month 13", "sim", "2027-13-15 10:00:00", "2027-01-15 10:00:00", nil, "completed", 1, 5],
                ["program", "february 30", "sim", "2027-02-30 10:00:00", "2027-01-15 10:00:00", nil, "completed", 1, 5],
                ["program", "huge pid", "sim", "2027-01-15 10:00:00", "2027-01-15 10:00:00", nil, "completed", Int64.max, 5],
                ["program", "number date far out", "sim", 1e300, "2027-01-15 10:00:00", nil, "completed", 1, 5],
            ]
            for values in bad {
                try db.execute(sql: insert, arguments: StatementArguments(values))
                damaged += 1
            }
            // A damaged row marked running: the sweep must leave it alone.
            try db.execute(sql: insert, arguments: ["program", "damaged running", "sim", Data([0x32, 0x80]), "2027-01-15 10:00:00", nil, "running", 999_999_999, 5])
            damaged += 1
        }
        return (scratch, damaged)
    }

    @Test func damagedRowsAreSkippedAndCounted() throws {
        let (scratch, damaged) = try Self.damagedHistory()
        defer { scratch.remove() }
        for access in [HistoryStore.Access.readOnly, .readWrite] {
            let reading = try HistoryStore(path: scratch.path, access: access).read(limit: 10_000)
            #expect(reading.entries.map(\.name) == ["good"], "\(access)")
            #expect(reading.damagedRows == damaged, "\(access)")
        }
    }

    @Test func theDamagedRowsAreNeverRewritten() throws {
        let (scratch, _) = try Self.damagedHistory()
        defer { scratch.remove() }
        func snapshot() throws -> [String] {
            try scratch.raw().read { db in
                try Row.fetchAll(db, sql: "SELECT hex(startedAt), hex(updatedAt), hex(endedAt), outcome, pid, quote(elapsedSeconds) FROM session ORDER BY id")
                    .map { row in row.description }
            }
        }
        let before = try snapshot()
        _ = try HistoryStore(path: scratch.path, access: .readOnly).read()
        let store = try HistoryStore(path: scratch.path)   // opening for writing sweeps
        _ = try store.read()
        _ = try store.begin(.sample("after"))
        let after = try snapshot()
        #expect(Array(after.prefix(before.count)) == before)
        #expect(after.count == before.count + 1)
    }

    @Test func everyByteInEveryPlaceOfADateIsReadWithoutTrapping() {
        let good = Array("2027-01-15 10:20:30.456".utf8)
        #expect(HistoryDate.date(String(decoding: good, as: UTF8.self)) != nil)
        for index in good.indices {
            for byte in UInt8(0)...UInt8(255) where byte != good[index] {
                var text = good
                text[index] = byte
                _ = HistoryDate.date(String(decoding: text, as: UTF8.self))
            }
        }
        for text in ["", "2027", "2027-01-15", "9999-12-31 23:59:59.9999999999999", "0000-00-00 00:00:00", "2027-01-15 24:00:00",
                     "2027-01-15 10:20:30.", "2027-01-15 10:20:30.45x", "٢٠٢٧-01-15 10:20:30"] {
            #expect(HistoryDate.date(text) == nil, "\(text)")
        }
    }

    @Test func datesRoundTripAtMillisecondPrecision() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let milliseconds = Int64.random(in: 0..<253_402_300_800_000, using: &generator)
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            let text = HistoryDate.text(date)
            #expect(HistoryDate.date(text) == date || abs((HistoryDate.date(text) ?? .distantPast).timeIntervalSince(date)) < 0.0005, "\(text)")
        }
        // The format GRDB wrote, so older histories read the same.
        #expect(HistoryDate.text(Date(timeIntervalSince1970: 1_800_000_000.25)) == "2027-01-15 08:00:00.250")
        #expect(HistoryDate.date("2027-01-15T08:00:00Z") == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(HistoryDate.date("2024-02-29 00:00:00") != nil && HistoryDate.date("2023-02-29 00:00:00") == nil)
    }

    @Test func aHistoryWrittenByTheFirstReleaseIsReadAndUpgraded() throws {
        let scratch = try ScratchHistory()
        defer { scratch.remove() }
        // Version 1 as GRDB's migrator made it, with one row in GRDB's date format.
        try scratch.raw().write { db in
            try db.execute(sql: """
                CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                INSERT INTO grdb_migrations VALUES ('v1');
                CREATE TABLE "session" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "kind" TEXT NOT NULL, "name" TEXT NOT NULL,
                  "device" TEXT NOT NULL, "startedAt" DATETIME NOT NULL, "updatedAt" DATETIME NOT NULL, "endedAt" DATETIME,
                  "outcome" TEXT NOT NULL, "pid" INTEGER NOT NULL, "elapsedSeconds" DOUBLE NOT NULL, "contactSeconds" DOUBLE,
                  "goalSeconds" DOUBLE, "dosePoints" DOUBLE, "note" TEXT, "summary" TEXT);
                CREATE INDEX "index_session_on_startedAt" ON "session"("startedAt");
                INSERT INTO session (kind, name, device, startedAt, updatedAt, endedAt, outcome, pid, elapsedSeconds, contactSeconds, summary)
                  VALUES ('mat', 'mat', 'sim:mat-16', '2027-01-15 08:00:00.000', '2027-01-15 08:00:20.000', '2027-01-15 08:00:20.000',
                          'completed', 42, 20, 14.5, '{"timeOnMatSeconds":14.5,"zoneContactSeconds":[1,2]}');
                """)
        }
        let store = try HistoryStore(path: scratch.path)
        let old = try #require(try store.entries().first)
        #expect(old.contactSeconds == 14.5 && old.startedAt == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(old.isSimulated && old.deviceKind == nil)
        var new = HistoryEntry.sample("new")
        new.intensityPercent = 60
        new.file = "/home/me/mine.yaml"
        new = try store.begin(new)
        #expect(try store.entries().first { $0.name == "new" } == new)

        // Its JSON: snake_case, and the summary nested as an object.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(old), as: UTF8.self)
        #expect(json.contains(#""summary":{"time_on_mat_seconds":14.5,"zone_contact_seconds":[1,2]}"#), "\(json)")
        #expect(json.contains(#""contact_seconds":14.5"#) && !json.contains("contactSeconds"), "\(json)")
    }
}
