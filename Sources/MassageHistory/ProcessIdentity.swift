import Foundation

/// A process told apart from any later process that reuses its pid: the pid, the kernel's
/// start time of the process (`/proc/PID/stat` field 22, clock ticks since boot) and the
/// boot it ran in (`/proc/sys/kernel/random/boot_id`).
///
/// A history row marked running belongs to a live session only while this very process
/// runs. With the pid alone, a row whose process died stayed "running" for ever once
/// another process got the same pid.
public struct ProcessIdentity: Sendable, Equatable {
    public var pid: Int32
    /// Nil where /proc cannot be read (and in rows recorded before it was kept).
    public var startTicks: Int64?
    public var bootID: String?

    public init(pid: Int32, startTicks: Int64?, bootID: String?) {
        self.pid = pid
        self.startTicks = startTicks
        self.bootID = bootID
    }

    /// This process.
    public static var current: ProcessIdentity {
        let pid = getpid()
        return ProcessIdentity(pid: pid, startTicks: startTicks(of: pid), bootID: currentBootID)
    }

    public static var currentBootID: String? {
        guard let text = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8) else { return nil }
        let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return id.isEmpty ? nil : id
    }

    /// Field 22 of `/proc/PID/stat`. Field 2, the command name, is in parentheses and may
    /// hold spaces and parentheses itself, so the fields are counted from the last `)`.
    public static func startTicks(of pid: Int32) -> Int64? {
        guard pid > 0, let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        return startTicks(statLine: String(decoding: data, as: UTF8.self))
    }

    static func startTicks(statLine: String) -> Int64? {
        guard let close = statLine.lastIndex(of: ")") else { return nil }
        let fields = statLine[statLine.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // After ")" come field 3 (state) onwards: field 22 is at index 19.
        guard fields.count > 19 else { return nil }
        return Int64(fields[19])
    }

    /// Whether this very process still runs: another boot, a missing pid or a different
    /// start time all mean it ended. What cannot be checked (no /proc, an old row without
    /// a start time) falls back to whether the pid exists.
    public static func isRunning(_ identity: ProcessIdentity) -> Bool {
        guard identity.pid > 0 else { return false }
        if let recorded = identity.bootID, let now = currentBootID, recorded != now { return false }
        guard kill(identity.pid, 0) == 0 || errno == EPERM else { return false }
        if let recorded = identity.startTicks, let now = startTicks(of: identity.pid) {
            return recorded == now
        }
        return true
    }
}
