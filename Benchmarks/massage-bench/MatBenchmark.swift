// mat: the contact tracker on a 64-zone (8 × 8) pressure mat sampled at 100 Hz, every
// sample as the device sends it (three MatReports of ≤ 22 zones per instant).
//
// The input is one minute made by the simulator's mat model with its noise: empty, lie
// down at 2 s, shift weight at 15 s, lift the left hip at 25 s for 4 s, get up at 40 s,
// lie down again at 45 s, get up at 55 s, empty from 56 s. It is replayed minute after
// minute with the timestamps moved on, so a replay costs what a live mat would.
//
// Figures: tracking throughput in zone-samples per second (aim ≥ 20 million), and the
// wall time to track and summarise one hour (360 000 instants, 23 million zone-samples).
// The check: the hour's summary is exactly 60 times the minute's (time on the mat, each
// zone, times on and off): a minute starts and ends empty, so nothing may leak across.

import MassageKit
import MassageSimulator
import MassageWire

enum MatBenchmark {
    static let benchmark = Benchmark(
        name: "mat",
        summary: "contact tracking: 64-zone pressure mat at 100 Hz, zone-samples/s and one hour summarised",
        run: run
    )

    static let zones = 64
    static let periodMicroseconds: UInt64 = 10_000
    static let minuteMicroseconds: UInt64 = 60_000_000

    /// One minute of MatReports, 6000 instants × 3 reports.
    static func makeMinute() -> [MatReport] {
        let script = BodyScript([
            BodyEvent(at: 0, .absent),
            BodyEvent(at: 2_000_000, .lieDown),
            BodyEvent(at: 15_000_000, .shift(lean: 0.5)),
            BodyEvent(at: 25_000_000, .liftHip(.left, durationMicroseconds: 4_000_000)),
            BodyEvent(at: 40_000_000, .getUp),
            BodyEvent(at: 45_000_000, .lieDown),
            BodyEvent(at: 55_000_000, .getUp),
        ])
        var model = MatModel(rows: 8, columns: 8, script: script, bodyLoad: 0.8, seed: 7)
        var pressures = MatPressures(repeating: 0)
        var reports: [MatReport] = []
        reports.reserveCapacity(Int(minuteMicroseconds / periodMicroseconds) * 3)
        var t: UInt64 = 0
        while t < minuteMicroseconds {
            model.step(nowMicroseconds: t)
            model.read(into: &pressures)
            var first = 0
            while first < zones {
                let count = min(22, zones - first)
                var list = Pressures()
                for z in first ..< first + count { list.append(pressures[z]) }
                reports.append(MatReport(timestampMicroseconds: t, firstZone: UInt8(first), pressures: list))
                first += count
            }
            t += periodMicroseconds
        }
        return reports
    }

    /// Feeds `minutes` replays of the minute, the first one starting at minute `firstMinute`.
    @inline(never)
    static func track(_ minute: [MatReport], minutes: Int, firstMinute: Int, _ tracker: inout ContactTracker) {
        for k in firstMinute ..< firstMinute + minutes {
            let offset = UInt64(k) * minuteMicroseconds
            for var report in minute {
                report.timestampMicroseconds &+= offset
                tracker.feed(report)
            }
        }
    }

    static func run(_ options: BenchmarkOptions) -> Bool {
        let minute = makeMinute()
        let samplesPerMinute = Double(minute.count / 3 * zones)
        let configuration: ContactTrackerConfiguration
        do {
            configuration = try .pressure(zoneCount: zones)
        } catch {
            print("mat: FAILED: \(error)")
            return false
        }
        let minuteEnd = minuteMicroseconds * 1000

        var one = ContactTracker(configuration: configuration)
        track(minute, minutes: 1, firstMinute: 0, &one)
        let reference = one.finish(atNanoseconds: minuteEnd)

        if let iterations = options.iterations {
            // `iterations` minutes, for callgrind.
            var tracker = ContactTracker(configuration: configuration)
            track(minute, minutes: iterations, firstMinute: 0, &tracker)
            let summary = tracker.finish(atNanoseconds: UInt64(iterations) * minuteEnd)
            print("mat.checksum: \(iterations) minutes, \(summary.timeOnMatNanoseconds) ns on the mat, left \(summary.timesLeft) times")
            return check(summary, minutes: iterations, reference: reference)
        }

        let clock = ContinuousClock()
        // Throughput: minute after minute into one long-lived tracker.
        var tracker = ContactTracker(configuration: configuration)
        var nextMinute = 0
        track(minute, minutes: 2, firstMinute: 0, &tracker)   // warm-up
        nextMinute = 2
        let runs = max(1, Int((options.seconds / options.runSeconds).rounded()))
        var rates: [Double] = []
        for _ in 0 ..< runs {
            let start = clock.now
            var fed = 0
            var elapsed = Duration.zero
            repeat {
                track(minute, minutes: 1, firstMinute: nextMinute, &tracker)
                nextMinute += 1
                fed += 1
                elapsed = start.duration(to: clock.now)
            } while seconds(elapsed) < options.runSeconds
            rates.append(Double(fed) * samplesPerMinute / seconds(elapsed))
        }
        rates.sort()
        let median = rates[rates.count / 2]
        let long = tracker.finish(atNanoseconds: UInt64(nextMinute) * minuteEnd)

        // One hour, tracked from a fresh tracker and summarised; best of three.
        var hourTimes: [Double] = []
        var hour = reference
        for _ in 0 ..< 3 {
            let start = clock.now
            var fresh = ContactTracker(configuration: configuration)
            track(minute, minutes: 60, firstMinute: 0, &fresh)
            hour = fresh.finish(atNanoseconds: 60 * minuteEnd)
            hourTimes.append(seconds(start.duration(to: clock.now)))
        }
        hourTimes.sort()

        print("mat.throughput: \(fixed(median / 1e6, 1)) million zone-samples/s (64 zones at 100 Hz), median of \(runs) runs, 1 core; aim >= 20")
        print("mat.sample: \(fixed(1e9 / median, 2)) ns per zone-sample; runs min \(fixed((rates.first ?? 0) / 1e6, 1)), max \(fixed((rates.last ?? 0) / 1e6, 1)) million/s")
        print("mat.hour: \(fixed(hourTimes[0] * 1000, 1)) ms to track and summarise one hour at 100 Hz (\(60 * Int(samplesPerMinute)) zone-samples), best of 3")
        print("mat.session: per minute \(fixed(Double(reference.timeOnMatNanoseconds) / 1e9, 2)) s on the mat, left \(reference.timesLeft) times, "
              + "longest \(fixed(Double(reference.longestContactNanoseconds) / 1e9, 2)) s")
        return check(hour, minutes: 60, reference: reference) && check(long, minutes: nextMinute, reference: reference)
    }

    /// `summary` of `minutes` replays must be exactly `minutes` × the one-minute `reference`.
    static func check(_ summary: MatSessionSummary, minutes: Int, reference: MatSessionSummary) -> Bool {
        let n = UInt64(minutes)
        let ok = reference.timeOnMatNanoseconds > 0 && reference.timesLeft > 0
            && summary.timeOnMatNanoseconds == n * reference.timeOnMatNanoseconds
            && summary.zoneContactNanoseconds == reference.zoneContactNanoseconds.map { n * $0 }
            && summary.timesOn == minutes * reference.timesOn && summary.timesLeft == minutes * reference.timesLeft
            && summary.longestContactNanoseconds == reference.longestContactNanoseconds
            && summary.isExact && summary.unknownZoneInputs == 0
        if !ok {
            print("mat: FAILED: \(minutes) minutes gave \(summary.timeOnMatNanoseconds) ns on the mat and \(summary.timesLeft) leaves; "
                  + "one minute gave \(reference.timeOnMatNanoseconds) ns and \(reference.timesLeft)")
        }
        return ok
    }
}
