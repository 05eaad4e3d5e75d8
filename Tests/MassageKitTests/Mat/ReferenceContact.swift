import MassageKit

// A second, deliberately plain implementation of the tracker's rule, for the property
// tests: per zone, split the raw state into runs and keep the runs that held for the
// settle time; then sort every accepted change of every zone by time and sweep.

/// What the reference computes for one session.
struct ReferenceResult: Equatable {
    var zoneTimes: [UInt64]
    var timeOnMat: UInt64
    var longest: UInt64
    var timesOn: Int
    var timesLeft: Int
    var onMatAtEnd: Bool
}

enum ReferenceContact {
    /// `changes[z]`: zone z's raw state over time as (time, contact) in time order (repeats
    /// allowed). The session ends at `end`; a state must hold `settle` (at least 1 ns).
    static func summarize(changes: [[(time: UInt64, contact: Bool)]], settle: UInt64, end: UInt64) -> ReferenceResult {
        let hold = max(settle, 1)
        var accepted: [(time: UInt64, zone: Int, contact: Bool)] = []
        var zoneTimes = [UInt64](repeating: 0, count: changes.count)
        for (zone, zoneChanges) in changes.enumerated() {
            // Runs: drop repeats of the current raw state.
            var runs: [(time: UInt64, contact: Bool)] = []
            var rawState = false
            for change in zoneChanges where change.contact != rawState {
                runs.append(change)
                rawState = change.contact
            }
            var state = false
            var since: UInt64 = 0
            for (k, run) in runs.enumerated() {
                let runEnd = k + 1 < runs.count ? runs[k + 1].time : end
                guard runEnd >= run.time + hold, run.contact != state else { continue }
                accepted.append((run.time, zone, run.contact))
                if run.contact { since = run.time } else { zoneTimes[zone] += run.time - since }
                state = run.contact
            }
            if state { zoneTimes[zone] += end - since }
        }
        // Sweep in time order, everything at one instant at once.
        accepted.sort { $0.time < $1.time }
        var result = ReferenceResult(zoneTimes: zoneTimes, timeOnMat: 0, longest: 0, timesOn: 0, timesLeft: 0, onMatAtEnd: false)
        var inContact = Set<Int>()
        var bodySince: UInt64 = 0
        var i = 0
        while i < accepted.count {
            let time = accepted[i].time
            let wasOn = !inContact.isEmpty
            while i < accepted.count && accepted[i].time == time {
                if accepted[i].contact { inContact.insert(accepted[i].zone) } else { inContact.remove(accepted[i].zone) }
                i += 1
            }
            if !wasOn && !inContact.isEmpty {
                bodySince = time
                result.timesOn += 1
            } else if wasOn && inContact.isEmpty {
                result.timeOnMat += time - bodySince
                result.longest = max(result.longest, time - bodySince)
                result.timesLeft += 1
            }
        }
        if !inContact.isEmpty {
            result.timeOnMat += end - bodySince
            result.longest = max(result.longest, end - bodySince)
            result.onMatAtEnd = true
        }
        return result
    }

    /// A pressure zone's raw contact after hysteresis, reading by reading.
    static func hysteresis(_ readings: [UInt16], on: UInt16, off: UInt16) -> [Bool] {
        var state = false
        return readings.map { p in
            if p >= on { state = true } else if p < off { state = false }
            return state
        }
    }
}

extension ReferenceResult {
    /// The tracker's summary in the reference's terms.
    init(_ summary: MatSessionSummary) {
        self.init(zoneTimes: summary.zoneContactNanoseconds, timeOnMat: summary.timeOnMatNanoseconds,
                  longest: summary.longestContactNanoseconds, timesOn: summary.timesOn,
                  timesLeft: summary.timesLeft, onMatAtEnd: summary.onMatAtEnd)
    }
}
