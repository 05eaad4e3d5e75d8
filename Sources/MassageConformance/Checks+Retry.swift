import Foundation

extension ConformanceSuite {
    static var retryChecks: [Check] {
        [
            Check("retry.setconfig", "5", "SetConfig again with the same seq within 1 s is a retry: the same Ack, not applied again (a different value sent as the retry stays unapplied)") { p in
                let seq = p.link.nextSequence()
                let first = try p.setConfig(ConfigCode.watchdog, 600, sequence: seq)
                let retry = try p.setConfig(ConfigCode.watchdog, 700, sequence: seq)
                let value = try p.config(ConfigCode.watchdog)
                var f = Findings()
                f.expect(first.isAck, "first SetConfig answered \(first)")
                f.expect(retry.isAck && retry.frame?.sequence == seq, "the retry answered \(retry)")
                f.expect(value == 600, "watchdog_ms reads \(value.map(String.init) ?? "?") after the retry, not 600 (applied twice)")
                return f.outcome("retry answered \(retry), watchdog_ms \(value.map(String.init) ?? "?")")
            },
            Check("retry.nak-cached", "5", "a Nak'd SetConfig is remembered too: the retry with the same seq gets the same Nak, nothing applied") { p in
                let seq = p.link.nextSequence()
                let before = try p.config(ConfigCode.watchdog)
                let first = try p.setConfig(ConfigCode.watchdog, 50, sequence: seq)
                let retry = try p.setConfig(ConfigCode.watchdog, 700, sequence: seq)
                let value = try p.config(ConfigCode.watchdog)
                var f = Findings()
                f.expect(first.nakReason == NakCode.outOfRange, "SetConfig(watchdog 50) answered \(first)")
                f.expect(retry.nakReason == NakCode.outOfRange, "its retry answered \(retry), not the same Nak")
                f.expect(value == before, "watchdog_ms \(value.map(String.init) ?? "?") after the retry, was \(before.map(String.init) ?? "?")")
                return f.outcome("retry answered \(retry)")
            },
            Check("retry.window", "5", "the retry window is 1 s from the first arrival: the same seq at +600 ms is a retry, at +1100 ms a new command") { p in
                let seq = p.link.nextSequence()
                let start = ContinuousClock.now
                let first = try p.setConfig(ConfigCode.watchdog, 600, sequence: seq)
                sleep(until: start + .milliseconds(600))
                _ = try p.setConfig(ConfigCode.watchdog, 700, sequence: seq)
                let atRetry = try p.config(ConfigCode.watchdog)
                sleep(until: start + .milliseconds(1150))
                let late = try p.setConfig(ConfigCode.watchdog, 800, sequence: seq)
                let atLate = try p.config(ConfigCode.watchdog)
                var f = Findings()
                f.expect(first.isAck && late.isAck, "answers \(first), \(late)")
                f.expect(atRetry == 600, "at +600 ms watchdog_ms reads \(atRetry.map(String.init) ?? "?"), not 600")
                f.expect(atLate == 800, "at +1150 ms watchdog_ms reads \(atLate.map(String.init) ?? "?"), not 800 (the window grew with the retry?)")
                return f.outcome("+600 ms: \(atRetry.map(String.init) ?? "?"), +1150 ms: \(atLate.map(String.init) ?? "?")")
            },
            Check("retry.hello", "5, 4.1", "a Hello retried with the same seq within 1 s gets Info again and does not start a new session (outputs stay)",
                  actuation: .vibrates, requires: [.motors]) { p in
                try p.require(ConfigCode.slew, 100_000)
                let seq = p.link.nextSequence()
                let first = try p.hello(sequence: seq)
                try p.setOutputs(p.all(300), lease: 2000)
                let driven = try p.pollStatus(timeout: .milliseconds(500)) { $0.outputs.allSatisfy { $0 == 300 } }
                let retry = try p.hello(sequence: seq)
                let after = try p.status()
                var f = Findings()
                f.expect(first.frame?.type == WireType.info && retry.frame?.type == WireType.info, "answers \(first), \(retry)")
                f.expect(driven.met, "outputs never reached 300")
                f.expect(after.outputs.allSatisfy { $0 == 300 }, "outputs \(after.outputs) after the retried Hello: applied as a new session")
                return f.outcome("outputs \(after.outputs) after the retry")
            },
            Check("retry.stop-applied", "5, 4.3", "Stop retried with the same seq is answered and applied again",
                  actuation: .vibrates, requires: [.motors]) { p in
                try p.require(ConfigCode.slew, 100_000)
                let seq = p.link.nextSequence()
                try p.setOutputs(p.all(300), lease: 2000)
                let stop = RawFrame(version: p.link.version, type: WireType.stop, sequence: seq)
                let first = try p.link.request(stop)
                try p.link.listen(for: .milliseconds(Int64(1000 / Int(p.facts.maxOutputRateHz)) + 2))
                try p.setOutputs(p.all(300), lease: 2000)
                let driven = try p.pollStatus(timeout: .milliseconds(500)) { $0.outputs.allSatisfy { $0 == 300 } }
                let retry = try p.link.request(stop)
                let after = try p.status()
                var f = Findings()
                f.expect(first.isAck && retry.isAck, "answers \(first), \(retry)")
                f.expect(driven.met, "outputs never reached 300 between the Stops")
                f.expect(after.outputs.allSatisfy { $0 == 0 }, "outputs \(after.outputs) after the retried Stop: not applied again")
                return f.outcome("retried Stop → \(retry), outputs \(after.outputs)")
            },
            Check("retry.get-not-cached", "5", "Get requests are answered afresh: GetConfig with the same seq for another key gets that key") { p in
                let seq = p.link.nextSequence()
                let a = try p.link.request(RawFrame(version: p.link.version, type: WireType.getConfig, sequence: seq, payload: [ConfigCode.watchdog]))
                let b = try p.link.request(RawFrame(version: p.link.version, type: WireType.getConfig, sequence: seq, payload: [ConfigCode.slew]))
                var f = Findings()
                f.expect(a.frame?.payload.first == ConfigCode.watchdog, "first answered \(a)")
                f.expect(b.frame?.payload.first == ConfigCode.slew, "the second (same seq, key 7) answered key \(b.frame?.payload.first.map(String.init) ?? "?")")
                return f.outcome("keys \(a.frame?.payload.first ?? 0), \(b.frame?.payload.first ?? 0)")
            },
        ]
    }

    static var periodicChecks: [Check] {
        [
            Check("periodic.status-report", "4.11, 5", "StatusReport every status_period_ms (50, 200 and the default; device clock ±5 %), unsolicited counter +1 each; GetStatus answered by Status with the request's seq; period 0 sends none") { p in
                var f = Findings()
                var figures: [String] = []
                let defaultPeriod = UInt32(p.facts.statusPeriodMilliseconds)
                for period in [50, 200, defaultPeriod] where period > 0 {
                    try p.require(ConfigCode.statusPeriod, period)
                    try p.link.listen(for: .milliseconds(Int64(period) + 20))
                    p.link.clearUnsolicited()
                    try p.link.listen(for: .milliseconds(Int64(min(3000, max(1000, 12 * Int(period))))))
                    let reports = p.link.unsolicited.filter { $0.frame.type == WireType.statusReport }
                    let times = reports.compactMap { StatusFields.read($0.frame.payload)?.uptimeMicroseconds }
                    f.expect(times.count == reports.count, "a StatusReport with a malformed payload")
                    guard times.count >= 4 else {
                        f.expect(false, "period \(period) ms: \(times.count) StatusReports")
                        continue
                    }
                    let gaps = zip(times, times.dropFirst()).map { Double(Int64($1) - Int64($0)) / 1000 }
                    let mean = gaps.reduce(0, +) / Double(gaps.count)
                    f.expect(abs(mean - Double(period)) <= Double(period) * 0.05 + 1, String(format: "period %d ms: mean interval %.1f ms", period, mean))
                    f.expect(gaps.allSatisfy { abs($0 - Double(period)) <= Double(period) * 0.2 + 2 }, "period \(period) ms: intervals \(gaps.map { Int($0) }) ms")
                    let seqs = p.link.unsolicited.map(\.frame.sequence)
                    let steps = zip(seqs, seqs.dropFirst()).filter { $1 &- $0 != 1 }.count
                    f.expect(steps == 0, "the unsolicited counter skipped \(steps) times: \(seqs.prefix(12))…")
                    figures.append(String(format: "%d ms → %.2f ms", period, mean))
                }
                try p.require(ConfigCode.statusPeriod, 0)
                try p.link.listen(for: .milliseconds(100))
                p.link.clearUnsolicited()
                try p.link.listen(for: .milliseconds(600))
                let none = p.link.unsolicited.filter { $0.frame.type == WireType.statusReport }.count
                f.expect(none == 0, "\(none) StatusReports with status_period_ms 0")
                let seq = p.link.nextSequence()
                let answer = try p.link.request(RawFrame(version: p.link.version, type: WireType.getStatus, sequence: seq))
                f.expect(answer.frame?.type == WireType.status && answer.frame?.sequence == seq, "GetStatus answered \(answer) seq \(answer.frame?.sequence ?? 0)")
                return f.outcome(figures.joined(separator: ", ") + "; 0 → none")
            },
            Check("periodic.mat-report", "4.12, 5", "MatReport every mat_period_ms (device timestamps), every zone covered once per timestamp",
                  requires: [.mat]) { p in
                var f = Findings()
                var figures: [String] = []
                for period in [UInt32(p.facts.matPeriodMilliseconds), 100] where period > 0 {
                    try p.require(ConfigCode.matPeriod, period)
                    try p.link.listen(for: .milliseconds(Int64(period) + 20))
                    p.link.clearUnsolicited()
                    try p.link.listen(for: .milliseconds(Int64(max(1000, 12 * Int(period)))))
                    let reports = p.link.unsolicited.compactMap { $0.frame.type == WireType.matReport ? MatReportFields.read($0.frame.payload) : nil }
                    var zonesAt: [UInt64: Int] = [:]
                    for r in reports { zonesAt[r.timestampMicroseconds, default: 0] += r.pressures.count }
                    let stamps = zonesAt.keys.sorted()
                    guard stamps.count >= 4 else {
                        f.expect(false, "period \(period) ms: \(stamps.count) MatReport timestamps")
                        continue
                    }
                    // The first and last timestamps may be cut by the window.
                    let inner = stamps.dropFirst().dropLast()
                    f.expect(inner.allSatisfy { zonesAt[$0] == p.facts.matZoneCount }, "a timestamp without every zone")
                    let gaps = zip(stamps, stamps.dropFirst()).map { Double($1 - $0) / 1000 }
                    let mean = gaps.reduce(0, +) / Double(gaps.count)
                    f.expect(abs(mean - Double(period)) <= Double(period) * 0.05 + 1, String(format: "period %d ms: mean %.1f ms", period, mean))
                    figures.append(String(format: "%d ms → %.2f ms", period, mean))
                }
                return f.outcome(figures.joined(separator: ", ") + ", \(p.facts.matZoneCount) zones")
            },
            Check("periodic.no-mat", "4.10, 4.19", "a device without a mat: mat_period_ms 0 in Info and GetConfig, no MatReport") { p in
                if p.facts.hasMat { return .skip("the device has mat zones") }
                try p.link.listen(for: .milliseconds(500))
                let reports = p.link.unsolicited.filter { $0.frame.type == WireType.matReport }.count
                var f = Findings()
                f.expect(p.facts.matPeriodMilliseconds == 0, "Info mat_period_ms \(p.facts.matPeriodMilliseconds)")
                f.expect(try p.config(ConfigCode.matPeriod) == 0, "GetConfig(mat_period_ms) not 0")
                f.expect(reports == 0, "\(reports) MatReports")
                return f.outcome("mat_period_ms 0, no MatReport in 500 ms")
            },
        ]
    }
}
