import Foundation
import MassageHistory
import MassageKit

/// One timed session on the mat toward today's goal: the feed pumped into a
/// ``ContactTracker``, the moments worth a line (on the mat, off it, the goal reached),
/// the history row kept up to date, and the summary at the end. What `massagectl mat
/// session` shows and what a service would drive, unchanged.
///
/// Used from one thread, like its ``MatFeed``: call ``step(waitingAtMost:)`` until
/// ``ending`` is set (by the feed, `--duration`, or ``end(_:)``), then ``finish()``.
public final class MatSessionRun {
    /// A moment in the session, with the session time it happened at (s).
    public enum Moment: Equatable, Sendable {
        case cameOn(seconds: Double)
        /// Left the mat, for the `times`-th time.
        case left(seconds: Double, times: Int)
        case goalReached(seconds: Double)
    }

    public let feed: MatFeed
    public let goal: MatDailyGoal
    /// The device URI as the user gave it (for the record).
    public let device: String
    public private(set) var tracker: ContactTracker
    /// Why the session ended; nil while it goes on.
    public private(set) var ending: String?
    /// The feed was lost: the session is recorded as failed.
    public private(set) var failed = false
    /// The goal was reached (today, this session or before it).
    public private(set) var goalReached: Bool
    /// Warnings for the person (the history could not be written), taken by the caller.
    public private(set) var warnings: [String] = []

    let durationNanoseconds: UInt64?
    let recorder: HistoryRecorder?
    var endAt: UInt64?
    var timesOn = 0
    var timesLeft = 0
    var lastRecord = Date()

    /// A session on `feed` toward `goal`, for at most `durationNanoseconds` on the feed's
    /// clock; `recorder` (optional) gets the history row, updated every second.
    public init(feed: MatFeed, goal: MatDailyGoal, device: String, durationNanoseconds: UInt64?, recorder: HistoryRecorder?) {
        self.feed = feed
        self.goal = goal
        self.device = device
        self.durationNanoseconds = durationNanoseconds
        self.recorder = recorder
        tracker = ContactTracker(configuration: feed.configuration)
        goalReached = goal.earlierTodayNanoseconds >= goal.goalNanoseconds
    }

    /// The summary so far, once the feed's clock is known.
    public var summary: MatSessionSummary? {
        guard let clock = tracker.clockNanoseconds else { return nil }
        return tracker.summary(atNanoseconds: endAt ?? clock)
    }

    /// Progress toward today's goal, with the summary so far.
    public func progress(of summary: MatSessionSummary) -> MatGoalProgress {
        summary.progress(towardGoalNanoseconds: goal.goalNanoseconds, earlierTodayNanoseconds: goal.earlierTodayNanoseconds)
    }

    /// Waits at most `wait` for input, feeds it, and returns the moments it brought.
    public func step(waitingAtMost wait: Duration) -> [Moment] {
        guard ending == nil else { return [] }
        switch feed.pump(into: &tracker, waitingAtMost: wait, endAfterNanoseconds: durationNanoseconds) {
        case .going: break
        case .reachedEnd(let end):
            endAt = end
            ending = "--duration reached"
        case .lost(let reason):
            ending = "the mat was lost: \(reason)"
            failed = true
        }
        guard let summary else { return [] }
        let seconds = MatSessionRecord.seconds(summary.sessionNanoseconds)
        var moments: [Moment] = []
        while timesOn < summary.timesOn {
            timesOn += 1
            moments.append(.cameOn(seconds: seconds))
        }
        while timesLeft < summary.timesLeft {
            timesLeft += 1
            moments.append(.left(seconds: seconds, times: timesLeft))
        }
        if progress(of: summary).isMet && !goalReached {
            goalReached = true
            moments.append(.goalReached(seconds: seconds))
        }
        if let recorder, Date().timeIntervalSince(lastRecord) >= 1 {
            lastRecord = Date()
            let record = MatSessionRecord(summary: summary, goal: goal, device: device, ended: nil)
            recorder.record { entry in Self.fill(&entry, record) }
            for problem in recorder.takeProblems() { warnings.append("the history is not updated: \(problem)") }
        }
        return moments
    }

    /// Ends the session (Ctrl-C, SIGTERM, a client's request) with `reason`.
    public func end(_ reason: String) {
        if ending == nil { ending = reason }
    }

    /// The warnings so far, handed out and forgotten.
    public func takeWarnings() -> [String] {
        defer { warnings.removeAll() }
        return warnings
    }

    /// Finishes the tracker and the history row; the summary as recorded.
    public func finish() -> MatSessionRecord {
        let summary = tracker.finish(atNanoseconds: endAt ?? tracker.clockNanoseconds ?? 0)
        let record = MatSessionRecord(summary: summary, goal: goal, device: device, ended: ending)
        if let recorder {
            recorder.finish(outcome: failed ? .failed : .completed, note: ending) { entry in Self.fill(&entry, record) }
            if case .notRecorded(let error) = recorder.close(waitingAtMost: 2) {
                warnings.append("the session's end is not recorded in the history: \(error)")
            }
        }
        return record
    }

    static func fill(_ entry: inout HistoryEntry, _ record: MatSessionRecord) {
        entry.elapsedSeconds = record.sessionSeconds
        entry.contactSeconds = record.timeOnMatSeconds
        entry.goalSeconds = record.goalSeconds
        entry.summary = record.json
    }

    /// Today's goal: `override` (ns) when given, else the plan's goal for today from the
    /// history's earlier mat days in `historyPath`. A history that cannot be read gives
    /// the plan's first goal and a warning.
    public static func todaysGoal(plan: MatPlan = .standard, historyPath: String?, override: UInt64?, simulated: Bool = false,
                                  now: Date = Date(), calendar: Calendar = .current) -> (goal: MatDailyGoal, warning: String?) {
        var sessions: [MatDailyGoal.Session] = []
        var warning: String?
        if let historyPath, FileManager.default.fileExists(atPath: historyPath) {
            do {
                sessions = try MatDailyGoal.sessions(in: try HistoryStore(path: historyPath, access: .readOnly),
                                                     simulated: simulated)
            } catch {
                warning = "today's goal is the plan's first (the history cannot be read: \(error))"
            }
        }
        var today = MatDailyGoal.from(plan: plan, sessions: sessions, now: now, calendar: calendar)
        if let override {
            today.goalNanoseconds = override
            today.fromFlag = true
        }
        return (today, warning)
    }

    /// A history row for a mat session on `device` toward `goal`, written now (so a crash
    /// shows as an interrupted session).
    /// The recorder writes on its own thread: a locked history never delays the session.
    public static func startHistory(path: String, device: String, goal: MatDailyGoal) -> HistoryRecorder {
        var entry = HistoryEntry(kind: .mat, name: "mat", device: device, startedAt: Date())
        entry.deviceKind = device == "sim" || device.hasPrefix("sim:") ? .simulated : .real
        entry.goalSeconds = MatSessionRecord.seconds(goal.goalNanoseconds)
        entry.contactSeconds = 0
        return HistoryRecorder(path: path, entry: entry)
    }
}
