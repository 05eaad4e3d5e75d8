import MassageKit
import Testing

/// GPIO-style edges: debounce on the kernel timestamps, exact times, overflow.
@Suite struct EdgeContactTests {
    static let ms: UInt64 = 1_000_000
    static let s: UInt64 = 1_000_000_000

    func tracker(zones: Int = 4, debounce: Duration = .milliseconds(30)) throws -> ContactTracker {
        ContactTracker(configuration: try .gpio(zoneCount: zones, debounce: debounce))
    }

    @Test func bouncesInsideTheWindowAreIgnoredAndContactCountsFromTheSettledEdge() throws {
        var tracker = try tracker()
        var intervals: [ContactInterval] = []
        let collect: ContactTracker.IntervalHandler = { intervals.append($0) }
        // Press with bounces; the level that holds begins at 1.003 s.
        tracker.feed([
            ContactEdge(zone: 0, .pressed, atNanoseconds: 1 * Self.s),
            ContactEdge(zone: 0, .released, atNanoseconds: 1 * Self.s + 1 * Self.ms),
            ContactEdge(zone: 0, .pressed, atNanoseconds: 1 * Self.s + 2 * Self.ms),
            ContactEdge(zone: 0, .released, atNanoseconds: 1 * Self.s + 2_500_000),
            ContactEdge(zone: 0, .pressed, atNanoseconds: 1 * Self.s + 3 * Self.ms),
        ], onInterval: collect)
        #expect(tracker.contactZones.isEmpty, "not accepted before the window has passed")
        tracker.advance(toNanoseconds: 1 * Self.s + 33 * Self.ms - 1, onInterval: collect)
        #expect(tracker.contactZones.isEmpty, "1 ns short of the window")
        tracker.advance(toNanoseconds: 1 * Self.s + 33 * Self.ms, onInterval: collect)
        #expect(tracker.contactZones == ZoneSet(rawValue: 1))
        // A glitch on zone 1 shorter than the window: nothing.
        tracker.feed(ContactEdge(zone: 1, .pressed, atNanoseconds: 3 * Self.s), onInterval: collect)
        tracker.feed(ContactEdge(zone: 1, .released, atNanoseconds: 3 * Self.s + 10 * Self.ms), onInterval: collect)
        // Release with bounces, at an odd nanosecond.
        let release = 5 * Self.s + 123
        tracker.feed([
            ContactEdge(zone: 0, .released, atNanoseconds: release),
            ContactEdge(zone: 0, .pressed, atNanoseconds: release + 500_000),
            ContactEdge(zone: 0, .released, atNanoseconds: release + 1 * Self.ms),
        ], onInterval: collect)
        let summary = tracker.finish(atNanoseconds: 10 * Self.s, onInterval: collect)

        let expected = release + 1 * Self.ms - (1 * Self.s + 3 * Self.ms)   // 3.998000123 s
        #expect(summary.zoneContactNanoseconds == [expected, 0, 0, 0])
        #expect(summary.timeOnMatNanoseconds == expected)
        #expect(summary.longestContactNanoseconds == expected)
        #expect(summary.timesOn == 1 && summary.timesLeft == 1 && !summary.onMatAtEnd)
        #expect(summary.startNanoseconds == 1 * Self.s && summary.endNanoseconds == 10 * Self.s)
        #expect(summary.isExact)
        #expect(intervals == [
            ContactInterval(.zone(0), from: 1 * Self.s + 3 * Self.ms, to: release + 1 * Self.ms),
            ContactInterval(.body, from: 1 * Self.s + 3 * Self.ms, to: release + 1 * Self.ms),
        ])
    }

    @Test func aLevelHeldExactlyTheWindowIsAcceptedOneNanosecondLessIsNot() throws {
        var exact = try tracker(zones: 1)
        exact.feed(ContactEdge(zone: 0, .pressed, atNanoseconds: 0))
        exact.feed(ContactEdge(zone: 0, .released, atNanoseconds: 30 * Self.ms))
        let held = exact.finish(atNanoseconds: Self.s)
        #expect(held.timeOnMatNanoseconds == 30 * Self.ms && held.timesLeft == 1)

        var short = try tracker(zones: 1)
        short.feed(ContactEdge(zone: 0, .pressed, atNanoseconds: 0))
        short.feed(ContactEdge(zone: 0, .released, atNanoseconds: 30 * Self.ms - 1))
        let bounced = short.finish(atNanoseconds: Self.s)
        #expect(bounced.timeOnMatNanoseconds == 0 && bounced.timesOn == 0)
    }

    @Test func anyZoneIsTheBodyAndAHandoverAtOneInstantIsNotALeave() throws {
        var tracker = try tracker()
        tracker.feed([
            ContactEdge(zone: 0, .pressed, atNanoseconds: 0),
            ContactEdge(zone: 0, .released, atNanoseconds: 2 * Self.s),
            ContactEdge(zone: 3, .pressed, atNanoseconds: 2 * Self.s),    // same instant
            ContactEdge(zone: 2, .pressed, atNanoseconds: 3 * Self.s),
            ContactEdge(zone: 3, .released, atNanoseconds: 4 * Self.s),
            ContactEdge(zone: 2, .released, atNanoseconds: 5 * Self.s),    // off: 5 s on
            ContactEdge(zone: 1, .pressed, atNanoseconds: 7 * Self.s),
            ContactEdge(zone: 1, .released, atNanoseconds: 8 * Self.s),    // 1 s on
            ContactEdge(zone: 1, .pressed, atNanoseconds: 9 * Self.s),     // on to the end
        ])
        let summary = tracker.finish(atNanoseconds: 12 * Self.s)
        #expect(summary.zoneContactNanoseconds == [2 * Self.s, 4 * Self.s, 2 * Self.s, 2 * Self.s])
        #expect(summary.timeOnMatNanoseconds == 9 * Self.s)
        #expect(summary.longestContactNanoseconds == 5 * Self.s)
        #expect(summary.timesOn == 3 && summary.timesLeft == 2 && summary.onMatAtEnd)
    }

    @Test func overflowIsReportedAndTheLevelReadAfterItResyncsTheZone() throws {
        var tracker = try tracker()
        tracker.feed(ContactEdge(zone: 2, .pressed, atNanoseconds: 0))
        // The release was lost; the adapter read the line: released, at 4 s.
        tracker.note(EdgeOverflow(zone: 2, atNanoseconds: 4 * Self.s, levelNow: .released))
        tracker.note(EdgeOverflow(zone: 1, atNanoseconds: 5 * Self.s, levelNow: nil))
        let summary = tracker.finish(atNanoseconds: 6 * Self.s)
        #expect(summary.overflowCount == 2)
        #expect(summary.overflowedZones == ZoneSet(rawValue: 0b110))
        #expect(!summary.isExact)
        #expect(summary.zoneContactNanoseconds[2] == 4 * Self.s)
        #expect(summary.timesLeft == 1)
    }

    @Test func lateAndUnknownInputsAreCountedNotTrusted() throws {
        var tracker = try tracker(zones: 2)
        tracker.feed(ContactEdge(zone: 0, .pressed, atNanoseconds: 10 * Self.s))
        tracker.feed(ContactEdge(zone: 0, .released, atNanoseconds: 3 * Self.s))   // late: taken at 10 s
        tracker.feed(ContactEdge(zone: 5, .pressed, atNanoseconds: 11 * Self.s))   // no zone 5
        tracker.feed(ContactEdge(zone: -1, .pressed, atNanoseconds: 11 * Self.s))
        let summary = tracker.finish(atNanoseconds: 20 * Self.s)
        #expect(summary.lateInputs == 1 && summary.unknownZoneInputs == 2)
        #expect(!summary.isExact)
        #expect(summary.timeOnMatNanoseconds == 0, "press and release at one instant: never held")
        #expect(summary.startNanoseconds == 10 * Self.s)
    }

    @Test func aRepeatedLevelDoesNotRestartTheContact() throws {
        var tracker = try tracker(zones: 1)
        tracker.feed(ContactEdge(zone: 0, .pressed, atNanoseconds: 0))
        tracker.feed(ContactEdge(zone: 0, .pressed, atNanoseconds: Self.s))
        tracker.feed(ContactEdge(zone: 0, .released, atNanoseconds: 2 * Self.s))
        let summary = tracker.finish(atNanoseconds: 3 * Self.s)
        #expect(summary.timeOnMatNanoseconds == 2 * Self.s && summary.timesOn == 1)
    }

    @Test func finishStartsAFreshSessionAndSummaryLeavesTheTrackerAlone() throws {
        var tracker = try tracker(zones: 1)
        tracker.feed(ContactEdge(zone: 0, .pressed, atNanoseconds: 0))
        let peek = tracker.summary(atNanoseconds: 5 * Self.s)
        #expect(peek.timeOnMatNanoseconds == 5 * Self.s && peek.onMatAtEnd)
        #expect(tracker.clockNanoseconds == 0, "summary(at:) did not move the clock")
        let first = tracker.finish(atNanoseconds: 6 * Self.s)
        #expect(first.timeOnMatNanoseconds == 6 * Self.s)
        #expect(tracker.sessionStartNanoseconds == nil && tracker.contactZones.isEmpty)
        tracker.feed(ContactEdge(zone: 0, .pressed, atNanoseconds: 10 * Self.s))
        let second = tracker.finish(atNanoseconds: 11 * Self.s)
        #expect(second.startNanoseconds == 10 * Self.s && second.timeOnMatNanoseconds == Self.s)
    }

    @Test func aConfiguredStartCountsTheTimeBeforeTheFirstEdge() throws {
        var tracker = ContactTracker(configuration: try .gpio(zoneCount: 1, sessionStartNanoseconds: 100))
        tracker.feed(ContactEdge(zone: 0, .pressed, atNanoseconds: 50))   // before the start: late
        let summary = tracker.finish(atNanoseconds: 1_000)
        #expect(summary.startNanoseconds == 100 && summary.sessionNanoseconds == 900)
        #expect(summary.lateInputs == 1)
    }
}
