import Foundation
import GRDB
@testable import MassageHistory
import Testing

@Suite struct HistoryConcurrencyTests {
    /// Thirty commands creating the same new history at once: every one opens it and
    /// records its session ("table session already exists" and "database is locked"
    /// failed 16 of 30 before).
    @Test func thirtyOpenersCreatingOneHistoryAllSucceed() throws {
        let scratch = try ScratchHistory()
        defer { scratch.remove() }
        let openers = 30
        let failures = Failures()
        // One thread each, all released at once (not a pool that runs two at a time).
        let gate = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for index in 0..<openers {
            done.enter()
            Thread {
                gate.wait()
                do {
                    let store = try HistoryStore(path: scratch.path)
                    _ = try store.begin(.sample("opener \(index)"))
                } catch {
                    failures.add("\(index): \(error)")
                }
                done.leave()
            }.start()
        }
        for _ in 0..<openers { gate.signal() }
        done.wait()
        #expect(failures.all.isEmpty, "\(failures.all)")
        let count = try scratch.raw().read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM session") }
        #expect(count == openers)
        let mode = try scratch.raw().read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    final class Failures: @unchecked Sendable {
        // @unchecked: `list` is only touched under `lock`.
        let lock = NSLock()
        var list: [String] = []
        func add(_ text: String) { lock.lock(); list.append(text); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return list }
    }
}
