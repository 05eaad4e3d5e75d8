import Foundation
import MassageKit

/// A mat session's summary in the form the history keeps (`history --json` shows it in
/// `summary`) and the command prints: seconds rather than nanoseconds, the goal with it.
public struct MatSessionRecord: Codable, Equatable {
    public var device: String
    /// Session length on the source's clock (the device's, or the kernel's for GPIO).
    public var sessionSeconds: Double
    public var timeOnMatSeconds: Double
    /// Per zone, in zone order.
    public var zoneContactSeconds: [Double]
    public var longestContactSeconds: Double
    public var timesOn: Int
    public var timesLeft: Int
    public var onMatAtEnd: Bool
    public var goalSeconds: Double
    public var earlierTodaySeconds: Double
    public var goalMet: Bool
    /// False when GPIO edges may have been lost or inputs came out of order.
    public var exact: Bool
    public var overflowCount: Int
    public var lateInputs: Int
    /// How it ended, in words; nil while it runs.
    public var ended: String?

    public init(summary: MatSessionSummary, goal: MatDailyGoal, device: String, ended: String?) {
        self.device = device
        sessionSeconds = Self.seconds(summary.sessionNanoseconds)
        timeOnMatSeconds = Self.seconds(summary.timeOnMatNanoseconds)
        zoneContactSeconds = summary.zoneContactNanoseconds.map(Self.seconds)
        longestContactSeconds = Self.seconds(summary.longestContactNanoseconds)
        timesOn = summary.timesOn
        timesLeft = summary.timesLeft
        onMatAtEnd = summary.onMatAtEnd
        goalSeconds = Self.seconds(goal.goalNanoseconds)
        earlierTodaySeconds = Self.seconds(goal.earlierTodayNanoseconds)
        goalMet = summary.progress(towardGoalNanoseconds: goal.goalNanoseconds,
                                   earlierTodayNanoseconds: goal.earlierTodayNanoseconds).isMet
        exact = summary.isExact
        overflowCount = summary.overflowCount
        lateInputs = summary.lateInputs
        self.ended = ended
    }

    public static func seconds(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1e9 }

    /// Compact JSON for the history row.
    public var json: String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `m:ss.s`: mat times are short, a tenth of a second shows the debounce at work.
    public static func clock(_ seconds: Double) -> String {
        let tenths = Int((max(0, seconds) * 10).rounded())
        let minutes = tenths / 600
        let rest = tenths % 600
        return String(format: "%d:%02d.%d", minutes, rest / 10, rest % 10)
    }

    /// `m:ss` for goals.
    public static func minutes(_ seconds: Double) -> String {
        let total = Int(max(0, seconds).rounded())
        return String(format: "%d:%02d", total / 60, total % 60)
    }

    /// The summary the command prints at the end.
    public func lines(layout: MatLayout, goal: MatDailyGoal) -> [String] {
        let share = sessionSeconds > 0 ? Int((timeOnMatSeconds / sessionSeconds * 100).rounded()) : 0
        var lines = [
            "mat session: \(Self.clock(sessionSeconds)) (\(ended ?? "running"))",
            "  time on the mat     \(Self.clock(timeOnMatSeconds)) (\(share) % of the session)",
            "  longest contact     \(Self.clock(longestContactSeconds))",
            "  came onto the mat   \(timesOn)×, left it \(timesLeft)×\(onMatAtEnd ? " (on the mat at the end)" : "")",
            "  contact per zone, seconds\(layout.lineOffsets == nil ? " (head end on top)" : ""):",
        ]
        lines += layout.table(zoneContactSeconds) { String(format: "%.1f", $0) }
        let done = earlierTodaySeconds + timeOnMatSeconds
        let today = earlierTodaySeconds > 0 ? " (\(Self.clock(earlierTodaySeconds)) earlier today)" : ""
        if goalMet {
            lines.append("  today's goal        \(Self.minutes(goalSeconds)) (\(goal.explanation)): reached, \(Self.clock(done)) on the mat today\(today)")
        } else {
            let percent = goalSeconds > 0 ? Int((done / goalSeconds * 100).rounded(.down)) : 100
            lines.append("  today's goal        \(Self.minutes(goalSeconds)) (\(goal.explanation)): \(Self.clock(done)) done\(today), \(percent) %, \(Self.clock(goalSeconds - done)) to go")
        }
        if !exact {
            lines.append("  note: not exact: \(overflowCount) GPIO event-buffer overflow\(overflowCount == 1 ? "" : "s"), \(lateInputs) late input\(lateInputs == 1 ? "" : "s") (edges may have been lost)")
        }
        return lines
    }
}
