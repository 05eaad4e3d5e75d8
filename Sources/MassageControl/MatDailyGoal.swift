import Foundation
import MassageHistory
import MassageKit

/// Today's mat goal, worked out from the history the way `MatPlan` says: the plan is
/// replayed over the earlier days that had mat sessions (their time on the mat summed per
/// local calendar day, interrupted sessions included: their rows hold the contact up to
/// their last update), and the time already on the mat today counts toward today's goal.
public struct MatDailyGoal: Equatable {
    /// Today's goal, ns.
    public var goalNanoseconds: UInt64
    /// Time on the mat today before this session, ns.
    public var earlierTodayNanoseconds: UInt64
    /// Earlier days with mat time, and how many of them met their goal.
    public var earlierDays: Int
    public var metDays: Int
    /// True when `--goal` set it rather than the plan.
    public var fromFlag: Bool

    /// One recorded mat session: when it started and its time on the mat.
    public struct Session: Equatable {
        public var startedAt: Date
        public var contactSeconds: Double

        public init(startedAt: Date, contactSeconds: Double) {
            self.startedAt = startedAt
            self.contactSeconds = contactSeconds
        }
    }

    /// The plan's goal for the day of `now`, from `sessions` (any order; those from `now`'s
    /// day count as earlier today, later ones are ignored).
    public static func from(plan: MatPlan, sessions: [Session], now: Date, calendar: Calendar) -> MatDailyGoal {
        let today = calendar.startOfDay(for: now)
        var perDay: [Date: UInt64] = [:]
        var earlierToday: UInt64 = 0
        for session in sessions where session.startedAt <= now {
            let nanoseconds = nanoseconds(session.contactSeconds)
            let day = calendar.startOfDay(for: session.startedAt)
            if day == today {
                earlierToday += nanoseconds
            } else {
                perDay[day, default: 0] += nanoseconds
            }
        }
        var goal = plan.firstGoalNanoseconds
        var met = 0
        for day in perDay.keys.sorted() {
            let time = perDay[day] ?? 0
            if time >= goal { met += 1 }
            goal = plan.nextGoal(after: goal, timeOnMat: time)
        }
        return MatDailyGoal(goalNanoseconds: goal, earlierTodayNanoseconds: earlierToday,
                            earlierDays: perDay.count, metDays: met, fromFlag: false)
    }

    /// Reads the mat sessions in `store` for ``from(plan:sessions:now:calendar:)``: those
    /// on real mats for a real mat, on the simulator for the simulator, so that trying
    /// the simulated mat never counts toward the real goal.
    public static func sessions(in store: HistoryStore, simulated: Bool) throws(HistoryError) -> [Session] {
        try store.read(limit: 100_000, filter: HistoryStore.Filter(kind: .mat, simulated: simulated)).entries.compactMap { entry in
            guard entry.kind == .mat else { return nil }
            return Session(startedAt: entry.startedAt, contactSeconds: entry.contactSeconds ?? 0)
        }
    }

    public static func nanoseconds(_ seconds: Double) -> UInt64 {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return UInt64(min(seconds, 1e9) * 1e9)
    }

    /// "5:00 (the plan's first day)", "7:00 (the plan after 2 of 4 days met their goal)",
    /// or "10:00 (--goal)".
    public var explanation: String {
        if fromFlag { return "--goal" }
        if earlierDays == 0 { return "the plan's first day" }
        return "the plan after \(metDays) of \(earlierDays) earlier mat day\(earlierDays == 1 ? "" : "s") met their goal"
    }
}
