/// How long to lie on the acupressure mat each day, building up over the days.
///
/// From the seeds: "Start with a short duration of 5–10 minutes and gradually increase
/// the time as you become more comfortable with the sensation", and "lying on the
/// acupressure mat for 10–20 minutes daily can benefit your overall well-being".
///
/// The rule (with the defaults):
/// - The first day's goal is `firstGoal`, 5 minutes: the low end of "5–10 minutes".
/// - A day whose time on the mat reached that day's goal raises the next day's goal by
///   `step`, 1 minute. A day that fell short, or a day without the mat, keeps the goal:
///   the goal only grows with comfort that was shown, never by the calendar alone.
/// - The goal never goes above `cap`, 20 minutes: the top of "10–20 minutes daily".
///
/// So the goal is 10 minutes after 5 days that met their goal and 20 minutes after 15.
/// Time past the goal on one day counts only as "met": it does not skip steps.
public struct MatPlan: Equatable, Sendable {
    /// The first day's goal, ns.
    public let firstGoalNanoseconds: UInt64
    /// How much a met day adds to the next day's goal, ns.
    public let stepNanoseconds: UInt64
    /// The highest goal, ns.
    public let capNanoseconds: UInt64

    /// A plan starting at `firstGoal`, growing by `step` per met day up to `cap`; throws
    /// unless 0 < firstGoal ≤ cap.
    public init(firstGoal: Duration, step: Duration, cap: Duration) throws(MatConfigurationError) {
        guard let first = wholeNanoseconds(firstGoal), let step = wholeNanoseconds(step), let cap = wholeNanoseconds(cap)
        else { throw .plan("durations must be 0 or more: first goal \(firstGoal), step \(step), cap \(cap)") }
        guard first > 0, first <= cap else { throw .plan("first goal \(firstGoal) must be above 0 and not above the cap \(cap)") }
        firstGoalNanoseconds = first
        stepNanoseconds = step
        capNanoseconds = cap
    }

    /// 5 minutes at first, 1 minute more after each day that met its goal, at most 20.
    public static let standard = MatPlan(
        firstGoalNanoseconds: 5 * 60_000_000_000, stepNanoseconds: 60_000_000_000, capNanoseconds: 20 * 60_000_000_000)

    init(firstGoalNanoseconds: UInt64, stepNanoseconds: UInt64, capNanoseconds: UInt64) {
        self.firstGoalNanoseconds = firstGoalNanoseconds
        self.stepNanoseconds = stepNanoseconds
        self.capNanoseconds = capNanoseconds
    }

    /// The goal of the day after a day whose goal was `goal` and whose time on the mat was
    /// `timeOnMat` (both ns).
    public func nextGoal(after goal: UInt64, timeOnMat: UInt64) -> UInt64 {
        guard timeOnMat >= goal else { return min(goal, capNanoseconds) }
        return min(saturatingAdd(goal, stepNanoseconds), capNanoseconds)
    }

    /// Today's goal, ns, from the time on the mat of each earlier day, oldest first (0 for
    /// a day without the mat).
    public func goal<Days: Sequence<UInt64>>(afterDays timeOnMatPerDay: Days) -> UInt64 {
        var goal = firstGoalNanoseconds
        for timeOnMat in timeOnMatPerDay { goal = nextGoal(after: goal, timeOnMat: timeOnMat) }
        return goal
    }
}

/// How far today's time on the mat has come toward today's goal.
public struct MatGoalProgress: Equatable, Sendable {
    /// Today's goal, ns.
    public var goalNanoseconds: UInt64
    /// Time on the mat today so far, ns.
    public var doneNanoseconds: UInt64

    /// Progress of `done` toward `goal` (ns).
    public init(goalNanoseconds: UInt64, doneNanoseconds: UInt64) {
        self.goalNanoseconds = goalNanoseconds
        self.doneNanoseconds = doneNanoseconds
    }

    /// Whether the goal is reached.
    public var isMet: Bool { doneNanoseconds >= goalNanoseconds }
    /// What is left to reach the goal, ns (0 once met).
    public var remainingNanoseconds: UInt64 { isMet ? 0 : goalNanoseconds - doneNanoseconds }
    /// done / goal, capped at 1 (1 for a zero goal).
    public var fraction: Double {
        guard goalNanoseconds > 0 else { return 1 }
        return min(1, Double(doneNanoseconds) / Double(goalNanoseconds))
    }
}
