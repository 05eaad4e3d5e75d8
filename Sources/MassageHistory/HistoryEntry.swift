import Foundation

/// One recorded session in the history: a program run or a time on the mat.
///
/// Its JSON form (`history --json`) uses snake_case keys, like every JSON the tools print,
/// and holds the session's summary as a JSON object, not as a string.
public struct HistoryEntry: Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case program
        case mat
    }

    /// Whether the session ran on hardware or on the simulator.
    public enum DeviceKind: String, Codable, Sendable, CaseIterable {
        case real
        case simulated
    }

    /// How a session ended, or `running` while it goes on.
    public enum Outcome: String, Codable, Sendable, CaseIterable {
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
    /// The program's name, or "mat".
    public var name: String
    /// The device URI it ran on.
    public var device: String
    /// Nil in rows recorded before it was kept: see ``isSimulated``.
    public var deviceKind: DeviceKind?
    public var startedAt: Date
    /// The last time the row was written.
    public var updatedAt: Date
    public var endedAt: Date?
    public var outcome: Outcome
    /// The process recording it, with its start time and boot, to tell a live session from
    /// an interrupted one even after the pid is reused.
    public var pid: Int32
    public var processStartTicks: Int64?
    public var bootID: String?
    /// Session time: program time for a run (20:00 for a 20-minute program, at any
    /// `--speed`), the mat's clock for a mat session; up to `updatedAt` or `endedAt`.
    public var elapsedSeconds: Double
    /// Wall-clock time from the start to `updatedAt` or `endedAt`.
    public var wallSeconds: Double?
    /// Mat sessions: seconds in contact with the mat.
    public var contactSeconds: Double?
    /// Mat sessions: the day's goal, seconds.
    public var goalSeconds: Double?
    /// Program runs: the vibration dose, points.
    public var dosePoints: Double?
    /// Program runs: the intensity scale, percent.
    public var intensityPercent: Int?
    /// Program runs: "program" (as the program says), "off", or a setpoint such as "38.0".
    public var heat: String?
    /// Program runs: the program file's path, nil for a built-in program.
    public var file: String?
    /// Simulated runs: the speed factor.
    public var speed: Double?
    /// Why it ended, in words ("dose limit reached", "Ctrl-C"), or nil.
    public var note: String?
    /// The full summary as JSON text (a JSON object), shown as an object by `history --json`.
    public var summary: String?

    public init(kind: Kind, name: String, device: String, startedAt: Date,
                process: ProcessIdentity = .current) {
        self.kind = kind
        self.name = name
        self.device = device
        self.startedAt = startedAt
        updatedAt = startedAt
        outcome = .running
        pid = process.pid
        processStartTicks = process.startTicks
        bootID = process.bootID
        elapsedSeconds = 0
    }

    /// Kept for callers that give the pid alone (no start time: judged by the pid).
    public init(kind: Kind, name: String, device: String, startedAt: Date, pid: Int32) {
        self.init(kind: kind, name: name, device: device, startedAt: startedAt,
                  process: ProcessIdentity(pid: pid, startTicks: nil, bootID: nil))
    }

    public var process: ProcessIdentity {
        ProcessIdentity(pid: pid, startTicks: processStartTicks, bootID: bootID)
    }

    /// The recorded device kind, or for older rows whether the URI names the simulator.
    public var isSimulated: Bool {
        if let deviceKind { return deviceKind == .simulated }
        return device == "sim" || device.hasPrefix("sim:")
    }
}

extension HistoryEntry: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, kind, name, device, outcome, pid, heat, file, speed, note, summary
        case deviceKind = "device_kind"
        case simulated
        case startedAt = "started_at"
        case updatedAt = "updated_at"
        case endedAt = "ended_at"
        case processStartTicks = "process_start_ticks"
        case bootID = "boot_id"
        case elapsedSeconds = "elapsed_seconds"
        case wallSeconds = "wall_seconds"
        case contactSeconds = "contact_seconds"
        case goalSeconds = "goal_seconds"
        case dosePoints = "dose_points"
        case intensityPercent = "intensity_percent"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(name, forKey: .name)
        try container.encode(device, forKey: .device)
        try container.encodeIfPresent(deviceKind, forKey: .deviceKind)
        try container.encode(isSimulated, forKey: .simulated)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encodeIfPresent(endedAt, forKey: .endedAt)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(pid, forKey: .pid)
        try container.encodeIfPresent(processStartTicks, forKey: .processStartTicks)
        try container.encodeIfPresent(bootID, forKey: .bootID)
        try container.encode(elapsedSeconds, forKey: .elapsedSeconds)
        try container.encodeIfPresent(wallSeconds, forKey: .wallSeconds)
        try container.encodeIfPresent(contactSeconds, forKey: .contactSeconds)
        try container.encodeIfPresent(goalSeconds, forKey: .goalSeconds)
        try container.encodeIfPresent(dosePoints, forKey: .dosePoints)
        try container.encodeIfPresent(intensityPercent, forKey: .intensityPercent)
        try container.encodeIfPresent(heat, forKey: .heat)
        try container.encodeIfPresent(file, forKey: .file)
        try container.encodeIfPresent(speed, forKey: .speed)
        try container.encodeIfPresent(note, forKey: .note)
        // The summary is a JSON object: nested as one (its keys in snake_case), never as a
        // string holding JSON. Text that is not JSON stays text.
        if let summary {
            if let value = JSONValue(parsing: summary) {
                try container.encode(value.snakeCased, forKey: .summary)
            } else {
                try container.encode(summary, forKey: .summary)
            }
        }
    }
}
