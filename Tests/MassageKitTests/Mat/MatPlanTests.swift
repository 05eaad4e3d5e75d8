import MassageKit
import Testing

@Suite struct MatPlanTests {
    static let minute: UInt64 = 60_000_000_000

    @Test func startsAtFiveMinutesAndGrowsAMinutePerMetDayUpToTwenty() {
        let plan = MatPlan.standard
        #expect(plan.goal(afterDays: []) == 5 * Self.minute)
        // Days that met their goal: 5, 6, 7, 8, 9 → 10 minutes, the top of "5–10 at first".
        #expect(plan.goal(afterDays: (5 ... 9).map { UInt64($0) * Self.minute }) == 10 * Self.minute)
        // A short day and a day without the mat keep the goal.
        #expect(plan.goal(afterDays: [5 * Self.minute, 5 * Self.minute, 0]) == 6 * Self.minute)
        // Much more than the goal still moves one step.
        #expect(plan.goal(afterDays: [60 * Self.minute]) == 6 * Self.minute)
        // 15 met days reach 20, and it stays there.
        #expect(plan.goal(afterDays: [UInt64](repeating: 30 * Self.minute, count: 15)) == 20 * Self.minute)
        #expect(plan.goal(afterDays: [UInt64](repeating: 30 * Self.minute, count: 40)) == 20 * Self.minute)
        #expect(plan.goal(afterDays: [UInt64](repeating: 30 * Self.minute, count: 14)) == 19 * Self.minute)
    }

    @Test func progressCountsEarlierSessionsOfTheDay() throws {
        var tracker = ContactTracker(configuration: try .gpio(zoneCount: 1))
        tracker.feed(ContactEdge(zone: 0, .pressed, atNanoseconds: 0))
        let summary = tracker.finish(atNanoseconds: 3 * Self.minute)
        let goal = MatPlan.standard.goal(afterDays: [])
        let alone = summary.progress(towardGoalNanoseconds: goal)
        #expect(alone.doneNanoseconds == 3 * Self.minute && !alone.isMet)
        #expect(alone.remainingNanoseconds == 2 * Self.minute && alone.fraction == 0.6)
        let withMorning = summary.progress(towardGoalNanoseconds: goal, earlierTodayNanoseconds: 2 * Self.minute)
        #expect(withMorning.isMet && withMorning.remainingNanoseconds == 0 && withMorning.fraction == 1)
    }

    @Test func aCustomPlanIsChecked() throws {
        let plan = try MatPlan(firstGoal: .seconds(600), step: .seconds(30), cap: .seconds(660))
        #expect(plan.goal(afterDays: [600_000_000_000, 630_000_000_000, 700_000_000_000]) == 660_000_000_000)
        #expect(throws: MatConfigurationError.self) { try MatPlan(firstGoal: .zero, step: .seconds(60), cap: .seconds(600)) }
        #expect(throws: MatConfigurationError.self) { try MatPlan(firstGoal: .seconds(900), step: .seconds(60), cap: .seconds(600)) }
    }
}
