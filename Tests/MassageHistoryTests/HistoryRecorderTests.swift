import Foundation
import GRDB
@testable import MassageHistory
import Testing

@Suite struct HistoryRecorderTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aSessionIsRecordedFromStartToFinish() throws {
        let scratch = try ScratchHistory()
        defer { scratch.remove() }
        let recorder = HistoryRecorder(path: scratch.path, entry: .sample(at: Self.start))
        recorder.record({ $0.elapsedSeconds = 4; $0.dosePoints = 0.5 }, at: Self.start + 4)
        recorder.finish(outcome: .completed, note: "finished", at: Self.start + 61) {
            $0.elapsedSeconds = 1200
            $0.dosePoints = 12
        }
        #expect(recorder.close(waitingAtMost: 30) == .recorded)
        #expect(recorder.takeProblems().isEmpty)
        let entry = try #require(try HistoryStore(path: scratch.path, access: .readOnly).entries().first)
        #expect(entry.outcome == .completed && entry.note == "finished")
        #expect(entry.elapsedSeconds == 1200, "program time")
        #expect(entry.wallSeconds == 61, "wall time")
        #expect(entry.endedAt == Self.start + 61 && entry.dosePoints == 12)
        #expect(entry.processStartTicks == ProcessIdentity.current.startTicks)
    }

    /// Updates are due by session time: at --speed 10, 10 s of program time pass in 1 s.
    @Test func updatesComeEveryTenSecondsOfSessionTime() throws {
        let scratch = try ScratchHistory()
        defer { scratch.remove() }
        let recorder = HistoryRecorder(path: scratch.path, entry: .sample(at: Date()))
        let reader = try HistoryStore(path: scratch.path)
        func stored() throws -> Double? { try reader.entries().first?.elapsedSeconds }
        #expect(try waitUntil { try stored() == 0 }, "the row is written at the start")
        recorder.record { $0.elapsedSeconds = 10.5 }
        // Due at once by session time (in about 0.25 s); by wall time it would take 10 s.
        // The 8 s bound is generous for a loaded machine and still tells the two apart.
        #expect(try waitUntil(seconds: 8) { try stored() == 10.5 }, "10.5 s of session time in well under 10 s of wall time")
        recorder.finish(outcome: .stopped)
        #expect(recorder.close(waitingAtMost: 30) == .recorded)
    }

    /// Another process holds the write lock: recording never waits for it, closing waits
    /// only as long as asked and says the end is not recorded; once the lock is gone the
    /// writer gets the end in.
    @Test func aHeldLockNeverBlocksTheCaller() throws {
        let scratch = try ScratchHistory()
        defer { scratch.remove() }
        _ = try HistoryStore(path: scratch.path)
        let holder = try scratch.raw()
        let locked = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        Thread {
            try? holder.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN EXCLUSIVE")
                locked.signal()
                release.wait()
                try db.execute(sql: "COMMIT")
            }
        }.start()
        locked.wait()

        let clock = ContinuousClock()
        let recorder = HistoryRecorder(path: scratch.path, entry: .sample())
        let callerTime = clock.measure {
            for second in 1...50 { recorder.record { $0.elapsedSeconds = Double(second) } }
            recorder.finish(outcome: .completed, note: "finished")
        }
        // A generous bound: one busy timeout is 1 s, the old code waited 5 s per write.
        #expect(callerTime < .milliseconds(500), "record and finish took \(callerTime)")
        let closing = recorder.close(waitingAtMost: 0.2)
        guard case .notRecorded = closing else {
            Issue.record("recorded while the lock was held: \(closing)")
            release.signal()
            return
        }
        release.signal()
        #expect(recorder.close(waitingAtMost: 30) == .recorded)
        let entry = try #require(try HistoryStore(path: scratch.path, access: .readOnly).entries().first)
        #expect(entry.outcome == .completed && entry.elapsedSeconds == 50)
    }

    /// A full disk (SQLITE_FULL, from a page limit): the problem is reported once, the
    /// close says the end is not recorded.
    @Test func aFullDiskIsReportedNotDropped() throws {
        let scratch = try ScratchHistory()
        defer { scratch.remove() }
        let store = try HistoryStore(path: scratch.path)
        try store.queue.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 1
            _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)")
        }
        var entry = HistoryEntry.sample()
        entry.summary = String(repeating: "x", count: 200_000)   // more than the pages left
        let recorder = HistoryRecorder(store: store, entry: entry)
        for second in 1...5 { recorder.record { $0.elapsedSeconds = Double(second) } }
        recorder.finish(outcome: .completed)
        guard case .notRecorded(let error) = recorder.close(waitingAtMost: 3) else {
            Issue.record("a full disk recorded the session")
            return
        }
        #expect("\(error)".contains("full"), "\(error)")
        let problems = recorder.takeProblems()
        #expect(problems.count == 1, "one warning, not one per retry: \(problems)")
    }

    @Test func aFolderThatCannotBeMadeIsReported() throws {
        let recorder = HistoryRecorder(path: "/proc/massage-control-cannot-be-here/history.sqlite", createFolder: true, entry: .sample())
        recorder.finish(outcome: .completed)
        guard case .notRecorded = recorder.close(waitingAtMost: 3) else {
            Issue.record("recorded in /proc")
            return
        }
        #expect(recorder.takeProblems().count == 1)
    }

    /// Polls `condition` for up to `seconds` (30 s: a generous bound for a loaded machine).
    func waitUntil(seconds: Double = 30, _ condition: () throws -> Bool) throws -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }
}
