import MassageKit
import MassageWire
import Testing

/// Pressure zones from MatReports: hysteresis, minimum stable time, reports split in parts.
@Suite struct PressureContactTests {
    /// One report of `pressures` for zones from `first`, at `micros` µs.
    static func report(_ micros: UInt64, _ pressures: [UInt16], first: UInt8 = 0) -> MatReport {
        MatReport(timestampMicroseconds: micros, firstZone: first, pressures: Pressures(pressures) ?? Pressures())
    }

    @Test func hysteresisPressesAtOnAndReleasesOnlyBelowOff() throws {
        let config = try ContactTrackerConfiguration.pressure(
            zoneCount: 1, thresholds: PressureThresholds(on: 50, off: 25), minimumStable: .zero)
        var tracker = ContactTracker(configuration: config)
        // Every 10 ms: under on, at on (press), noise between the thresholds, at off (still
        // pressed), under off (release).
        let readings: [UInt16] = [0, 49, 50, 30, 49, 26, 25, 24, 0, 40]
        for (k, p) in readings.enumerated() { tracker.feed(Self.report(UInt64(k) * 10_000 + 7, [p])) }
        let summary = tracker.finish(atNanoseconds: 200_000_000)
        // Pressed from the reading at 20 ms to the one at 70 ms (+7 µs each).
        #expect(summary.zoneContactNanoseconds == [50_000_000])
        #expect(summary.timesOn == 1 && summary.timesLeft == 1)
    }

    @Test func aStateShorterThanTheMinimumStableTimeIsIgnored() throws {
        let config = try ContactTrackerConfiguration.pressure(zoneCount: 1, minimumStable: .milliseconds(50))
        var tracker = ContactTracker(configuration: config)
        var intervals: [ContactInterval] = []
        // 10 ms readings: pressed 10–50 ms (40 ms: too short), pressed 100–150 ms (50 ms: held).
        for k in 0 ... 30 {
            let t = UInt64(k) * 10
            let pressed = (t >= 10 && t < 50) || (t >= 100 && t < 150)
            tracker.feed(Self.report(t * 1000, [pressed ? 300 : 0])) { intervals.append($0) }
        }
        let summary = tracker.finish(atNanoseconds: 300_000_000) { intervals.append($0) }
        #expect(summary.timeOnMatNanoseconds == 50_000_000)
        #expect(summary.timesOn == 1 && summary.timesLeft == 1)
        #expect(intervals.contains(ContactInterval(.zone(0), from: 100_000_000, to: 150_000_000)))
    }

    @Test func timesAreExactToTheMicrosecond() throws {
        var tracker = ContactTracker(configuration: try .pressure(zoneCount: 2, minimumStable: .milliseconds(1)))
        tracker.feed(Self.report(1_234_567, [0, 0]))
        tracker.feed(Self.report(1_250_001, [400, 0]))
        tracker.feed(Self.report(1_260_003, [400, 400]))
        tracker.feed(Self.report(9_876_541, [0, 400]))
        tracker.feed(Self.report(9_999_999, [0, 0]))
        let summary = tracker.finish(atNanoseconds: 11_000_000_000)
        let zone0: UInt64 = (9_876_541 - 1_250_001) * 1000
        let zone1: UInt64 = (9_999_999 - 1_260_003) * 1000
        let onMat: UInt64 = (9_999_999 - 1_250_001) * 1000
        #expect(summary.zoneContactNanoseconds == [zone0, zone1])
        #expect(summary.timeOnMatNanoseconds == onMat)
        #expect(summary.startNanoseconds == 1_234_567_000)
    }

    @Test func aSixtyFourZoneMatInThreeReportsPerSample() throws {
        var tracker = ContactTracker(configuration: try .pressure(zoneCount: 64, minimumStable: .milliseconds(20)))
        // The body lies on zone 10 from 1 s, moves to zone 50 at 3 s (one instant, two
        // reports), gets up at 5 s, lies on zones 20–23 from 6 s to 7.5 s.
        var t: UInt64 = 0
        while t <= 9_000_000 {
            var zones = [UInt16](repeating: 0, count: 64)
            if t >= 1_000_000 && t < 3_000_000 { zones[10] = 500 }
            if t >= 3_000_000 && t < 5_000_000 { zones[50] = 500 }
            if t >= 6_000_000 && t < 7_500_000 { for z in 20 ... 23 { zones[z] = 200 } }
            tracker.feed(Self.report(t, Array(zones[0 ..< 22]), first: 0))
            tracker.feed(Self.report(t, Array(zones[22 ..< 44]), first: 22))
            tracker.feed(Self.report(t, Array(zones[44 ..< 64]), first: 44))
            t += 10_000
        }
        let summary = tracker.finish(atNanoseconds: 10_000_000_000)
        #expect(summary.timeOnMatNanoseconds == 5_500_000_000)
        #expect(summary.longestContactNanoseconds == 4_000_000_000)
        #expect(summary.timesOn == 2 && summary.timesLeft == 2, "moving from zone 10 to 50 is not leaving")
        #expect(summary.zoneContactNanoseconds[10] == 2_000_000_000 && summary.zoneContactNanoseconds[50] == 2_000_000_000)
        #expect((20 ... 23).allSatisfy { summary.zoneContactNanoseconds[$0] == 1_500_000_000 })
        #expect(summary.zoneContactNanoseconds.reduce(0, +) == 10_000_000_000)
        #expect(summary.isExact && summary.unknownZoneInputs == 0)
    }

    @Test func zonesPastTheConfiguredCountAreCountedAndIgnored() throws {
        var tracker = ContactTracker(configuration: try .pressure(zoneCount: 16))
        tracker.feed(Self.report(0, [UInt16](repeating: 500, count: 20), first: 0))   // zones 16–19 unknown
        tracker.feed(Self.report(0, [500, 500], first: 30))
        let summary = tracker.finish(atNanoseconds: 1_000_000_000)
        #expect(summary.unknownZoneInputs == 6)
        #expect(summary.zoneContactNanoseconds.count == 16)
        #expect(summary.timeOnMatNanoseconds == 1_000_000_000)
    }

    @Test func rawPressuresFromASpanMatchReports() throws {
        let config = try ContactTrackerConfiguration.pressure(zoneCount: 4, minimumStable: .milliseconds(30))
        var fromSpan = ContactTracker(configuration: config)
        var fromReports = ContactTracker(configuration: config)
        for k in 0 ..< 200 {
            let t = UInt64(k) * 10_000
            let row: InlineArray<4, UInt16> = [UInt16(k % 7 * 40), UInt16(k % 13 * 20), k > 50 ? 600 : 0, UInt16(k * 3 % 90)]
            fromSpan.feed(pressures: row.span, firstZone: 0, atMicroseconds: t)
            fromReports.feed(Self.report(t, [row[0], row[1], row[2], row[3]]))
        }
        let a = fromSpan.finish(atNanoseconds: 3_000_000_000)
        #expect(a == fromReports.finish(atNanoseconds: 3_000_000_000))
        #expect(a.timeOnMatNanoseconds > 0)
    }

    @Test func badSettingsAreRefusedWithTheRangeToUse() {
        #expect(throws: MatConfigurationError.zoneCount(0)) { try ContactTrackerConfiguration.gpio(zoneCount: 0) }
        #expect(throws: MatConfigurationError.zoneCount(65)) { try ContactTrackerConfiguration.pressure(zoneCount: 65) }
        #expect(throws: MatConfigurationError.thresholds(on: 20, off: 30)) { try PressureThresholds(on: 20, off: 30) }
        #expect(throws: MatConfigurationError.thresholds(on: 1001, off: 0)) { try PressureThresholds(on: 1001, off: 0) }
        #expect(throws: MatConfigurationError.self) { try ContactTrackerConfiguration.gpio(zoneCount: 4, debounce: .milliseconds(-1)) }
        #expect(MatConfigurationError.zoneCount(0).description.contains("1 to 64"))
    }
}
