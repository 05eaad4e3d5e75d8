import Foundation
import GRDB
@testable import MassageHistory

/// A scratch folder for one test's history, removed at the end.
struct ScratchHistory {
    let folder: String
    var path: String { folder + "/history.sqlite" }

    init() throws {
        folder = NSTemporaryDirectory() + "mc-history-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A raw connection to the file, as another process (or a damaging tool) would have.
    func raw() throws -> DatabaseQueue {
        try DatabaseQueue(path: path)
    }
}

extension HistoryEntry {
    static func sample(_ name: String = "swedish", at start: Date = Date(timeIntervalSince1970: 1_800_000_000),
                       process: ProcessIdentity = .current) -> HistoryEntry {
        HistoryEntry(kind: .program, name: name, device: "sim", startedAt: start, process: process)
    }
}
