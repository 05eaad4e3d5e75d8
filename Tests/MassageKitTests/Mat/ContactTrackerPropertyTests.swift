import MassageKit
import MassageWire
import PropertyBased
import Testing

/// Random streams against `ReferenceContact` and the summary's own invariants.
@Suite struct ContactTrackerPropertyTests {
    /// Edges: (zone byte, pressed, gap to the previous edge in ms) against a settle time of
    /// 0–40 ms, so many are bounces and many are not; whole milliseconds, so that edges at
    /// one instant and levels held exactly the settle time are common.
    static let edgeSteps = zip(Gen.uint8(), Gen.bool(), Gen.uint8(in: 0 ... 80)).array(of: 0 ... 300)
    static let ms: UInt64 = 1_000_000

    @Test func edgeStreamsMatchTheReferenceAndHoldTheInvariants() async {
        await propertyCheck(count: 300, input: Self.edgeSteps, Gen.int(in: 1 ... 64), Gen.uint64(in: 0 ... 40),
                            Gen.int(in: 1 ... 40), Gen.uint64(in: 0 ... 100)) {
            steps, zoneCount, settleMilliseconds, chunkSize, tailMilliseconds in
            let settle = settleMilliseconds * Self.ms
            let config = try ContactTrackerConfiguration.gpio(zoneCount: zoneCount, debounce: .nanoseconds(Int64(settle)))
            var edges: [ContactEdge] = []
            var time: UInt64 = 5_000_000_000
            for (zoneByte, pressed, gap) in steps {
                time += UInt64(gap) * Self.ms
                edges.append(ContactEdge(zone: Int(zoneByte) % zoneCount, pressed ? .pressed : .released, atNanoseconds: time))
            }
            let end = time + tailMilliseconds * Self.ms

            var whole = ContactTracker(configuration: config)
            whole.feed(edges)
            let summary = whole.finish(atNanoseconds: end)

            var changes = [[(time: UInt64, contact: Bool)]](repeating: [], count: zoneCount)
            for edge in edges { changes[edge.zone].append((edge.timestampNanoseconds, edge.kind == .pressed)) }
            let reference = ReferenceContact.summarize(changes: changes, settle: settle, end: end)
            #expect(ReferenceResult(summary) == reference)

            Self.checkInvariants(summary)
            let chunked = Self.feedInChunks(edges.count, size: chunkSize, config: config, end: end) { tracker, range, collect in
                tracker.feed(edges[range], onInterval: collect)
            }
            #expect(chunked.summary == summary)
            Self.checkIntervals(chunked.intervals, against: summary)
        }
    }

    @Test func pressureStreamsMatchTheReferenceAndHoldTheInvariants() async {
        let readings = Gen.uint16(in: 0 ... 100).array(of: 0 ... 3000)
        // Tick gaps and the minimum stable time in whole 10 ms, so ties are common.
        let gaps = Gen.uint32(in: 0 ... 6).array(of: 1 ... 100)
        await propertyCheck(count: 200, input: readings, gaps, Gen.int(in: 1 ... 64), Gen.uint16(in: 1 ... 100),
                            Gen.uint64(in: 0 ... 20), Gen.int(in: 1 ... 30)) {
            readings, gaps, zoneCount, on, settleTicks, chunkSize in
            let settleMicros = settleTicks * 10_000
            let off = on / 2
            let config = try ContactTrackerConfiguration.pressure(
                zoneCount: zoneCount, thresholds: PressureThresholds(on: on, off: off),
                minimumStable: .microseconds(Int64(settleMicros)))
            // One sample of every zone per tick, sent as reports of up to 22 zones.
            var reports: [MatReport] = []
            var perZone = [[UInt16]](repeating: [], count: zoneCount)
            var tickTimes: [UInt64] = []
            var time: UInt64 = 1_000_000
            var index = 0
            var tick = 0
            while index + zoneCount <= readings.count {
                time += UInt64(gaps[tick % gaps.count]) * 10_000
                tickTimes.append(time)
                var first = 0
                while first < zoneCount {
                    let count = min(22, zoneCount - first)
                    let slice = readings[(index + first) ..< (index + first + count)]
                    reports.append(MatReport(timestampMicroseconds: time, firstZone: UInt8(first),
                                             pressures: Pressures(slice) ?? Pressures()))
                    first += count
                }
                for z in 0 ..< zoneCount { perZone[z].append(readings[index + z]) }
                index += zoneCount
                tick += 1
            }
            let end = (time + UInt64(gaps[0]) * 10_000) * 1000

            var whole = ContactTracker(configuration: config)
            for report in reports { whole.feed(report) }
            let summary = whole.finish(atNanoseconds: end)

            let changes = perZone.map { zoneReadings in
                zip(tickTimes, ReferenceContact.hysteresis(zoneReadings, on: on, off: off)).map { (time: $0 * 1000, contact: $1) }
            }
            let reference = ReferenceContact.summarize(changes: changes, settle: settleMicros * 1000, end: end)
            #expect(ReferenceResult(summary) == reference)

            Self.checkInvariants(summary)
            let chunked = Self.feedInChunks(reports.count, size: chunkSize, config: config, end: end) { tracker, range, collect in
                for report in reports[range] { tracker.feed(report, onInterval: collect) }
            }
            #expect(chunked.summary == summary)
            Self.checkIntervals(chunked.intervals, against: summary)
        }
    }

    /// Time on the mat fits the session, each zone fits the time on the mat, and so on.
    static func checkInvariants(_ summary: MatSessionSummary) {
        #expect(summary.timeOnMatNanoseconds <= summary.sessionNanoseconds)
        #expect(summary.zoneContactNanoseconds.allSatisfy { $0 <= summary.timeOnMatNanoseconds })
        #expect(summary.longestContactNanoseconds <= summary.timeOnMatNanoseconds)
        #expect(summary.timesLeft <= summary.timesOn && summary.timesOn <= summary.timesLeft + 1)
        #expect(summary.onMatAtEnd == (summary.timesOn == summary.timesLeft + 1))
        #expect((summary.timeOnMatNanoseconds == 0) == (summary.timesOn == 0) || summary.timesOn > 0)
        #expect(summary.isExact)
    }

    /// The same stream fed `size` inputs at a time, with a summary taken (and thrown away)
    /// between pieces, collecting every interval.
    static func feedInChunks(
        _ count: Int, size: Int, config: ContactTrackerConfiguration, end: UInt64,
        feed: (inout ContactTracker, Range<Int>, ContactTracker.IntervalHandler) -> Void
    ) -> (summary: MatSessionSummary, intervals: [ContactInterval]) {
        var tracker = ContactTracker(configuration: config)
        var intervals: [ContactInterval] = []
        var start = 0
        while start < count {
            let range = start ..< min(count, start + size)
            feed(&tracker, range) { intervals.append($0) }
            if let clock = tracker.clockNanoseconds { _ = tracker.summary(atNanoseconds: clock) }
            start = range.upperBound
        }
        let summary = tracker.finish(atNanoseconds: end) { intervals.append($0) }
        return (summary, intervals)
    }

    /// The intervals add up to the summary: per zone, for the body, the longest, the leaves.
    static func checkIntervals(_ intervals: [ContactInterval], against summary: MatSessionSummary) {
        var zoneSums = [UInt64](repeating: 0, count: summary.zoneContactNanoseconds.count)
        var bodySum: UInt64 = 0
        var longest: UInt64 = 0
        var leaves = 0
        for interval in intervals {
            switch interval.subject {
            case .zone(let zone): zoneSums[zone] += interval.nanoseconds
            case .body:
                bodySum += interval.nanoseconds
                longest = max(longest, interval.nanoseconds)
                if !interval.endedBySessionEnd { leaves += 1 }
            }
        }
        #expect(zoneSums == summary.zoneContactNanoseconds)
        #expect(bodySum == summary.timeOnMatNanoseconds)
        #expect(longest == summary.longestContactNanoseconds)
        #expect(leaves == summary.timesLeft)
    }
}
