import Foundation
import MassageHistory
import Testing

@Suite struct HistoryStoreTests {
    static func temporaryPath() -> String {
        NSTemporaryDirectory() + "mc-history-\(getpid())-\(UUID().uuidString)/history.sqlite"
    }

    @Test func aSessionIsWrittenAtStartUpdatedAndFinished() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try HistoryStore(path: path)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let recorder = try HistoryRecorder(store: store, entry: HistoryEntry(kind: .mat, name: "mat", device: "sim:mat-16", startedAt: start))
        #expect(try store.entries().map(\.outcome) == [.running], "the row exists from the start")

        #expect(try recorder.record({ $0.contactSeconds = 4 }, at: start + 4) == false, "not yet 10 s")
        #expect(try store.entries().first?.contactSeconds == nil)
        #expect(try recorder.record({ $0.contactSeconds = 9.5 }, at: start + 10) == true)
        #expect(try store.entries().first?.contactSeconds == 9.5)
        #expect(try store.entries().first?.elapsedSeconds == 10)

        try recorder.finish(outcome: .completed, note: "goal reached", at: start + 61) { $0.contactSeconds = 60 }
        let entry = try #require(try store.entries().first)
        #expect(entry.outcome == .completed)
        #expect(entry.contactSeconds == 60)
        #expect(entry.elapsedSeconds == 61)
        #expect(entry.endedAt == start + 61)
        #expect(entry.note == "goal reached")
    }

    @Test func aDeadProcessesSessionIsMarkedInterruptedWithItsLastUpdate() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        do {
            let store = try HistoryStore(path: path)
            var entry = HistoryEntry(kind: .program, name: "swedish", device: "sim", startedAt: start, pid: 999_999_999)
            entry = try store.begin(entry)
            entry.elapsedSeconds = 20
            entry.dosePoints = 1.25
            entry.updatedAt = start + 20
            try store.update(entry)
        }
        let reopened = try HistoryStore(path: path, isAlive: { $0 != 999_999_999 })
        let entry = try #require(try reopened.entries().first)
        #expect(entry.outcome == .interrupted)
        #expect(entry.elapsedSeconds == 20)
        #expect(entry.dosePoints == 1.25)
        #expect(entry.endedAt == start + 20)
    }

    @Test func aLiveProcessesSessionIsLeftRunning() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try HistoryStore(path: path)
        _ = try store.begin(HistoryEntry(kind: .mat, name: "mat", device: "sim", startedAt: Date(), pid: getppid()))
        #expect(try store.sweepInterrupted() == 0)
        #expect(try store.entries().first?.outcome == .running)
    }

    @Test func anUnusableFileSaysWhatToDo() {
        #expect {
            _ = try HistoryStore(path: "/proc/massage-control-cannot-be-here/history.sqlite")
        } throws: { error in
            "\(error)".contains("/proc/massage-control-cannot-be-here/history.sqlite") && "\(error)".contains("move the file aside")
        }
    }

    @Test func theFileFollowsXDG() {
        #expect(HistoryStore.defaultPath(environment: ["XDG_DATA_HOME": "/d", "HOME": "/h"]) == "/d/massage-control/history.sqlite")
        #expect(HistoryStore.defaultPath(environment: ["HOME": "/h"]) == "/h/.local/share/massage-control/history.sqlite")
        #expect(HistoryStore.defaultPath(environment: [:]) == nil)
    }
}
