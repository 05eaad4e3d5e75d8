import Foundation
import GRDB
import MassageHistory
@testable import massagectl
import Testing

/// `massagectl history` through the binary: damaged files, read-only reading, paths,
/// JSON, filters, totals; and `run`'s history warnings.
@Suite struct HistoryCommandTests {
    /// A history with one good program run, one good mat session with a summary, and two
    /// rows whose dates hold bytes 0x80 and 0xAF (they crashed every command before).
    static func makeHistory(in directory: ScratchDirectory) throws -> String {
        let path = directory.file("history.sqlite")
        let store = try HistoryStore(path: path)
        var run = HistoryEntry(kind: .program, name: "swedish", device: "sim", startedAt: Date(timeIntervalSince1970: 1_800_000_000))
        run.outcome = .completed
        run.elapsedSeconds = 1200
        run.wallSeconds = 60
        run.speed = 20
        run.deviceKind = .simulated
        run.file = "/home/me/mine.yaml"
        var mat = HistoryEntry(kind: .mat, name: "mat", device: "gpio:chip0", startedAt: Date(timeIntervalSince1970: 1_800_090_000))
        mat.outcome = .completed
        mat.deviceKind = .real
        mat.contactSeconds = 320
        mat.goalSeconds = 300
        mat.summary = #"{"timeOnMatSeconds":320,"zoneContactSeconds":[1.5,2]}"#
        var running = try store.begin(run)
        running.outcome = .completed
        try store.update(running)
        _ = try store.begin(mat)
        let raw = try DatabaseQueue(path: path)
        try raw.write { db in
            for byte in [0x80, 0xAF] {
                try db.execute(sql: """
                    INSERT INTO session (kind, name, device, startedAt, updatedAt, outcome, pid, elapsedSeconds)
                    VALUES ('program', 'damaged', 'sim', CAST(? AS TEXT), '2027-01-15 10:00:00', 'completed', 1, 5)
                    """, arguments: [Data("2027-01-15 10:00:0".utf8) + Data([UInt8(byte)])])
            }
        }
        try raw.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        return path
    }

    static func sha(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    @Test func aDamagedHistoryIsShownWithTheDamageCountedAndLeftAsItIs() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = try Self.makeHistory(in: directory)
        let before = Self.sha(path)
        let result = try MassagectlProcess.run(["history", "--file", path])
        #expect(result.exitedNormally && result.status == 0, "\(result.status) \(result.standardError)")
        #expect(result.standardError.contains("2 damaged rows skipped"), "\(result.standardError)")
        #expect(result.output.contains("mine.yaml") && result.output.contains("gpio:chip0"), "\(result.output)")
        #expect(result.output.contains("20:00") && result.output.contains("1:00"), "program time and wall time: \(result.output)")
        #expect(Self.sha(path) == before, "reading changed the file")
    }

    @Test func jsonIsSnakeCaseWithTheSummaryNested() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = try Self.makeHistory(in: directory)
        let result = try MassagectlProcess.run(["history", "--file", path, "--json", "--kind", "mat"])
        #expect(result.status == 0, "\(result.standardError)")
        let rows = try #require(try JSONSerialization.jsonObject(with: result.standardOutput) as? [[String: Any]])
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(row["contact_seconds"] as? Double == 320 && row["device_kind"] as? String == "real")
        let summary = try #require(row["summary"] as? [String: Any], "summary is an object")
        #expect(summary["time_on_mat_seconds"] as? Double == 320)
        for key in rows.flatMap(\.keys) + summary.keys {
            #expect(key == key.lowercased(), "camelCase key \(key)")
        }
    }

    @Test func filtersAndTotals() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = try Self.makeHistory(in: directory)
        let real = try MassagectlProcess.run(["history", "--file", path, "--real"])
        #expect(real.output.contains("gpio:chip0") && !real.output.contains("mine.yaml"), "\(real.output)")
        let device = try MassagectlProcess.run(["history", "--file", path, "--device", "sim"])
        #expect(device.output.contains("mine.yaml") && !device.output.contains("gpio"), "\(device.output)")
        let since = try MassagectlProcess.run(["history", "--file", path, "--since", "2027-01-16"])
        #expect(since.output.contains("gpio:chip0") && !since.output.contains("mine.yaml"), "\(since.output)")
        let totals = try MassagectlProcess.run(["history", "--file", path, "--totals", "day", "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: totals.standardOutput) as? [String: Any])
        let days = try #require(report["periods"] as? [[String: Any]])
        #expect(report["goal_streak_days"] as? Int == 0, "the met day is long past")
        #expect(days.count == 2 && days.contains { $0["goal_days_met"] as? Int == 1 }, "\(totals.output)")
        let bad = try MassagectlProcess.run(["history", "--file", path, "--since", "yesterday-ish"])
        #expect(bad.status == 64, "\(bad.standardError)")
    }

    @Test func theGoalStreakCountsMetDaysInARowUpToToday() {
        let calendar = Calendar(identifier: .gregorian)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func mat(daysAgo: Int, contact: Double) -> HistoryEntry {
            var entry = HistoryEntry(kind: .mat, name: "mat", device: "gpio:chip0", startedAt: now - Double(daysAgo) * 86_400)
            entry.contactSeconds = contact
            entry.goalSeconds = 300
            return entry
        }
        // Met yesterday and the two days before, missed four days ago; today not yet met.
        let entries = [mat(daysAgo: 0, contact: 100), mat(daysAgo: 1, contact: 200), mat(daysAgo: 1, contact: 150),
                       mat(daysAgo: 2, contact: 400), mat(daysAgo: 3, contact: 300), mat(daysAgo: 4, contact: 10)]
        #expect(HistoryCommand.goalStreak(entries, now: now, calendar: calendar) == 3)
        #expect(HistoryCommand.goalStreak(entries + [mat(daysAgo: 0, contact: 250)], now: now, calendar: calendar) == 4)
        #expect(HistoryCommand.goalStreak([], now: now, calendar: calendar) == 0)
    }

    @Test func deleteRemovesRowsById() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = try Self.makeHistory(in: directory)
        let deleted = try MassagectlProcess.run(["history", "--file", path, "--delete", "1"])
        #expect(deleted.status == 0 && deleted.output.contains("deleted 1 of 1"), "\(deleted.output + deleted.standardError)")
        let after = try MassagectlProcess.run(["history", "--file", path])
        #expect(!after.output.contains("mine.yaml"), "\(after.output)")
    }

    @Test func fileNeverCreatesFolders() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = directory.file("not/there/history.sqlite")
        let result = try MassagectlProcess.run(["history", "--file", path])
        #expect(result.status == 0 && result.output.contains("No sessions recorded yet"), "\(result.output + result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("not")))
        let delete = try MassagectlProcess.run(["history", "--file", path, "--delete", "3"])
        #expect(delete.status == 1 && delete.standardError.contains("does not exist"), "\(delete.standardError)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("not")))
    }

    @Test func runWithoutAHistoryLocationWarnsInOneLine() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let run = try BackgroundSimulator(["run", "swedish", "--device", "sim", "--speed", "10", "--max-session", "2s"],
                                          directory: directory, environment: ["HOME": "", "XDG_DATA_HOME": ""])
        defer { run.kill() }
        let exit = try run.waitForExit(timeout: .seconds(60))
        #expect(exit.normally, "\(exit)")
        let warnings = run.standardError.split(separator: "\n").filter { $0.contains("history") }
        #expect(warnings == ["warning: not recording history: neither XDG_DATA_HOME nor HOME is set"], "\(run.standardError)")
    }
}
