import Foundation
import GRDB
@testable import MassageHistory
import Testing

@Suite struct HistoryStoreTests {
    @Test func aSessionIsWrittenAtStartUpdatedAndFinished() throws {
        let scratch = try ScratchHistory()
        defer { scratch.remove() }
        let store = try HistoryStore(path: scratch.path)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var entry = try store.begin(HistoryEntry(kind: .mat, name: "mat", device: "sim:mat-16", startedAt: start))
        #expect(try store.entries().map(\.outcome) == [.running], "the row exists from the start")
        entry.contactSeconds = 9.5
        entry.elapsedSeconds = 10
        try store.update(entry)
        #expect(try store.entries().first?.contactSeconds == 9.5)
        entry.outcome = .completed
        entry.endedAt = start + 61
        entry.note = "goal reached"
        entry.deviceKind = .simulated
        entry.wallSeconds = 61
        try store.update(entry)
        let read = try #require(try store.entries().first)
        #expect(read == entry)
    }

    @Test func aDeadProcessesSessionIsMarkedInterruptedWithItsLastUpdate() throws {
        let scratch = try ScratchHistory()
        defer { scratch.remove() }
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let gone = ProcessIdentity(pid: 999_999_999, startTicks: 5, bootID: nil)
        do {
            let store = try HistoryStore(path: scratch.path)
            var entry = try store.begin(.sample(at: start, process: gone))
            entry.elapsedSeconds = 20
            entry.dosePoints = 1.25
            entry.updatedAt = start + 20
            try store.update(entry)
        }
        let reopened = try HistoryStore(path: scratch.path)
        let entry = try #require(try reopened.entries().first)
        #expect(entry.outcome == .interrupted)
        #expect(entry.elapsedSeconds == 20)
        #expect(entry.dosePoints == 1.25)
        #expect(entry.endedAt == start + 20)
        // Stored, not only shown: a raw reader sees it too.
        let outcome = try scratch.raw().read { db in try String.fetchOne(db, sql: "SELECT outcome FROM session") }
        #expect(outcome == "interrupted")
    }

    @Test func aLiveProcessesSessionIsLeftRunning() throws {
        let scratch = try ScratchHistory()
        defer { scratch.remove() }
        let store = try HistoryStore(path: scratch.path)
        let parent = getppid()
        let identity = ProcessIdentity(pid: parent, startTicks: ProcessIdentity.startTicks(of: parent), bootID: ProcessIdentity.currentBootID)
        _ = try store.begin(.sample(process: identity))
        #expect(try store.sweepInterrupted() == 0)
        #expect(try store.entries().first?.outcome == .running)
    }

    /// The pid is alive, but it is another process now (its start time differs): the row is
    /// interrupted, not running for ever.
    @Test func aReusedPidDoesNotKeepARowRunning() throws {
        let scratch = try ScratchHistory()
        defer { scratch.remove() }
        let me = ProcessIdentity.current
        let ticks = try #require(me.startTicks, "/proc/self/stat has a start time")
        let reused = ProcessIdentity(pid: me.pid, startTicks: ticks - 1, bootID: me.bootID)
        let otherBoot = ProcessIdentity(pid: me.pid, startTicks: ticks, bootID: "00000000-0000-0000-0000-000000000000")
        #expect(!ProcessIdentity.isRunning(reused))
        #expect(!ProcessIdentity.isRunning(otherBoot))
        #expect(ProcessIdentity.isRunning(me))

        do {
            let store = try HistoryStore(path: scratch.path)
            _ = try store.begin(.sample("reused", process: reused))
            _ = try store.begin(.sample("other boot", process: otherBoot))
            _ = try store.begin(.sample("mine", process: me))
            // Read-only readers show the truth without writing it.
            let readOnly = try HistoryStore(path: scratch.path, access: .readOnly)
            let shown = Dictionary(uniqueKeysWithValues: try readOnly.entries().map { ($0.name, $0.outcome) })
            #expect(shown == ["reused": .interrupted, "other boot": .interrupted, "mine": .running])
        }
        let swept = try HistoryStore(path: scratch.path)
        let outcomes = try scratch.raw().read { db in
            try Row.fetchAll(db, sql: "SELECT name, outcome FROM session").map { [$0["name"] as String? ?? "", $0["outcome"] as String? ?? ""] }
        }
        #expect(Set(outcomes) == [["reused", "interrupted"], ["other boot", "interrupted"], ["mine", "running"]])
        _ = swept
    }

    @Test func theStartTimeIsReadPastACommandNameWithParentheses() {
        let line = "1234 (a) b (c) S 1 1234 1234 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 987654 12345678 300"
        #expect(ProcessIdentity.startTicks(statLine: line) == 987_654)
        #expect(ProcessIdentity.startTicks(statLine: "1234 (short) S 1") == nil)
        #expect(ProcessIdentity.startTicks(statLine: "garbage") == nil)
    }

    @Test func anUnusableFileSaysWhatToDo() {
        #expect {
            _ = try HistoryStore(path: "/proc/massage-control-cannot-be-here/history.sqlite", createFolder: true)
        } throws: { error in
            "\(error)".contains("/proc/massage-control-cannot-be-here/history.sqlite") && "\(error)".contains("move the file aside")
        }
    }

    @Test func anExplicitPathNeverCreatesFolders() throws {
        let scratch = try ScratchHistory()
        defer { scratch.remove() }
        let nested = scratch.folder + "/not/there/history.sqlite"
        #expect(throws: HistoryError.self) { _ = try HistoryStore(path: nested) }
        #expect(!FileManager.default.fileExists(atPath: scratch.folder + "/not"))
        #expect(throws: HistoryError.self) { _ = try HistoryStore(path: nested, access: .readOnly) }
        #expect(!FileManager.default.fileExists(atPath: scratch.folder + "/not"))
    }

    @Test func aBareRelativeNameWorks() throws {
        let scratch = try ScratchHistory()
        defer { scratch.remove() }
        let previous = FileManager.default.currentDirectoryPath
        #expect(FileManager.default.changeCurrentDirectoryPath(scratch.folder))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        let store = try HistoryStore(path: "bare-name.sqlite")
        _ = try store.begin(.sample())
        #expect(try HistoryStore(path: "bare-name.sqlite", access: .readOnly).entries().count == 1)
        #expect(FileManager.default.fileExists(atPath: scratch.folder + "/bare-name.sqlite"))
    }

    @Test func readingOnlyCreatesNothing() throws {
        let scratch = try ScratchHistory()
        defer { scratch.remove() }
        #expect(throws: HistoryError.self) { _ = try HistoryStore(path: scratch.path, access: .readOnly) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.folder).isEmpty)
    }

    /// A WAL history whose `-shm` cannot be opened (here a folder stands in its place; as
    /// a user, a leftover read-only `-shm` or a read-only folder does the same) is still
    /// read, as immutable, with a note saying so.
    @Test func aHistoryWhoseLockFileCannotBeUsedIsStillRead() throws {
        let scratch = try ScratchHistory()
        defer { scratch.remove() }
        do {
            let store = try HistoryStore(path: scratch.path)
            _ = try store.begin(.sample())
        }
        // Fold the log into the file, as a clean close does, then block the -shm.
        try scratch.raw().writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try? FileManager.default.removeItem(atPath: scratch.path + "-shm")
        try FileManager.default.createDirectory(atPath: scratch.path + "-shm", withIntermediateDirectories: false)
        let store = try HistoryStore(path: scratch.path, access: .readOnly)
        #expect(try store.entries().map(\.name) == ["swedish"], "read \(store.readNote ?? "normally")")
    }

    @Test func filtersSelectKindDeviceDateAndSimulation() throws {
        let scratch = try ScratchHistory()
        defer { scratch.remove() }
        let store = try HistoryStore(path: scratch.path)
        let day = Date(timeIntervalSince1970: 1_800_000_000)
        var mat = HistoryEntry(kind: .mat, name: "mat", device: "gpio:chip0", startedAt: day)
        mat.deviceKind = .real
        _ = try store.begin(mat)
        _ = try store.begin(HistoryEntry(kind: .program, name: "swedish", device: "sim", startedAt: day + 86_400))
        _ = try store.begin(HistoryEntry(kind: .mat, name: "mat", device: "sim:mat-16", startedAt: day + 2 * 86_400))
        #expect(try store.read(filter: .init(kind: .mat)).entries.map(\.device) == ["sim:mat-16", "gpio:chip0"])
        #expect(try store.read(filter: .init(device: "sim")).entries.map(\.name) == ["swedish"])
        #expect(try store.read(filter: .init(since: day + 86_400)).entries.count == 2)
        #expect(try store.read(filter: .init(simulated: false)).entries.map(\.device) == ["gpio:chip0"])
        #expect(try store.read(limit: 1).entries.map(\.device) == ["sim:mat-16"])
        let ids = try store.read(filter: .init(simulated: true)).entries.compactMap(\.id)
        #expect(try store.delete(ids: ids) == 2)
        #expect(try store.entries().map(\.device) == ["gpio:chip0"])
    }

    @Test func theFileFollowsXDG() {
        #expect(HistoryStore.defaultPath(environment: ["XDG_DATA_HOME": "/d", "HOME": "/h"]) == "/d/massage-control/history.sqlite")
        #expect(HistoryStore.defaultPath(environment: ["HOME": "/h"]) == "/h/.local/share/massage-control/history.sqlite")
        #expect(HistoryStore.defaultPath(environment: [:]) == nil)
    }
}
