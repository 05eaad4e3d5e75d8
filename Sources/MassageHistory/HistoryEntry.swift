import Foundation
import GRDB

/// One recorded session in the history: a program run or a time on the mat.
public struct HistoryEntry: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Kind: String, Codable, Sendable, DatabaseValueConvertible {
        case program
        case mat
    }

    /// How a session ended, or `running` while it goes on.
    public enum Outcome: String, Codable, Sendable, DatabaseValueConvertible {
        case running
        /// Ran to its end (the program finished, the user ended the mat session).
        case completed
        /// Stopped early by the user (Ctrl-C) or a limit (the dose, the session maximum).
        case stopped
        /// Ended by a device fault or a lost link.
        case failed
        /// Its process died without finishing it (a crash, kill -9, power loss): the row
        /// holds what was recorded up to its last update.
        case interrupted
    }

    public static let databaseTableName = "session"

    public var id: Int64?
    public var kind: Kind
    /// The program's name or file, or "mat".
    public var name: String
    /// The device URI it ran on.
    public var device: String
    public var startedAt: Date
    /// The last time the row was written; while running, at most `HistoryRecorder.updateInterval` ago.
    public var updatedAt: Date
    public var endedAt: Date?
    public var outcome: Outcome
    /// The process recording it, to tell a live session from an interrupted one.
    public var pid: Int32
    /// Seconds the session ran, up to `updatedAt` or `endedAt`.
    public var elapsedSeconds: Double
    /// Mat sessions: seconds in contact with the mat.
    public var contactSeconds: Double?
    /// Mat sessions: the day's goal, seconds.
    public var goalSeconds: Double?
    /// Program runs: the vibration dose, points.
    public var dosePoints: Double?
    /// Why it ended, in words ("dose limit reached", "Ctrl-C"), or nil.
    public var note: String?
    /// The full summary as JSON, for `history --json`.
    public var summary: String?

    public init(kind: Kind, name: String, device: String, startedAt: Date, pid: Int32 = getpid()) {
        self.kind = kind
        self.name = name
        self.device = device
        self.startedAt = startedAt
        updatedAt = startedAt
        outcome = .running
        self.pid = pid
        elapsedSeconds = 0
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
