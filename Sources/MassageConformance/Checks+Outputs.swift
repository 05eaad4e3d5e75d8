import Foundation

extension ConformanceSuite {
    /// Sleeps the calling thread until `deadline` (host clock), for frames at a chosen
    /// spacing.
    static func sleep(until deadline: ContinuousClock.Instant) {
        let left = deadline - ContinuousClock.now
        if left > .zero { Thread.sleep(forTimeInterval: Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18) }
    }

    /// Device ms from a Status read right after a frame until every output reads 0; nil
    /// if they never do within 200 ms. "At once" allows up to `atOnce` ms: a device may
    /// answer a GetStatus in the tick it received the frame, before its drive moved.
    static func timeToZero(_ p: DeviceProbe) throws -> Double? {
        let first = try p.status()
        if first.outputs.allSatisfy({ $0 == 0 }) && first.heaterSetpoint == 0 { return 0 }
        let (last, met) = try p.pollStatus(every: .milliseconds(1), timeout: .milliseconds(200)) {
            $0.outputs.allSatisfy { $0 == 0 } && $0.heaterSetpoint == 0
        }
        return met ? Double(last.uptimeMicroseconds - first.uptimeMicroseconds) / 1000 : nil
    }
    static let atOnce = 3.0

    static var outputChecks: [Check] {
        [
            Check("outputs.reach-device", "4.2, 4.11", "SetOutputs with a different intensity per motor: Status shows each, state running",
                  actuation: .vibrates, requires: [.motors]) { p in
                let wanted = (0..<p.facts.actuatorCount).map { UInt16(min(1000, 100 * ($0 + 1))) }
                try p.setOutputs(wanted, lease: 2000)
                let (last, met) = try p.pollStatus(timeout: .seconds(1)) { $0.outputs == wanted }
                var f = Findings()
                f.expect(met, "Status outputs \(last.outputs), not \(wanted), after 1 s")
                f.expect(last.state == 2, "state \(last.state) while driven, not 2 (running)")
                return f.outcome("outputs \(last.outputs)")
            },
            Check("outputs.refusals", "4.2", "SetOutputs refused with Nak(out of range), nothing changed: wrong count, lease 0, lease above max_lease_ms, intensity 1001",
                  actuation: .vibrates) { p in
                let n = p.facts.actuatorCount
                var cases: [(String, [UInt16], UInt16)] = [
                    ("count \(n + 1)", Array(repeating: 0, count: n + 1), 100),
                    ("lease 0", p.all(0), 0),
                    ("lease \(Int(p.facts.maxLeaseMilliseconds) + 1)", p.all(0), p.facts.maxLeaseMilliseconds + 1),
                ]
                if n > 0 {
                    cases.append(("count \(n - 1)", Array(repeating: 100, count: n - 1), 100))
                    cases.append(("intensity 1001", p.all(1001), 100))
                    cases.append(("intensity 65535", p.all(65535), 100))
                }
                var f = Findings()
                for (name, intensities, lease) in cases {
                    let reason = try p.setOutputsRefusal(intensities, lease: lease)
                    f.expect(reason == NakCode.outOfRange, "\(name): \(reason.map(NakCode.name) ?? "no Nak")")
                }
                let status = try p.status()
                f.expect(status.outputs.allSatisfy { $0 == 0 } && status.state != 2, "outputs \(status.outputs), state \(status.state) after refused frames")
                return f.outcome("\(cases.count) refused")
            },
            Check("outputs.slew", "6.6", "with slew_per_s 1000: the drive rises and falls by at most 1000 ‰/s; a change to 0 is immediate",
                  actuation: .vibrates, requires: [.motors]) { p in
                try p.require(ConfigCode.slew, 1000)
                var f = Findings()
                func ramp(to target: UInt16, expected: Double) throws -> (slope: Double, took: Double) {
                    try p.setOutputs(p.all(target), lease: 3000)
                    var samples: [(UInt64, UInt16)] = []
                    let (last, met) = try p.pollStatus(every: .milliseconds(20), timeout: .seconds(3)) { s in
                        samples.append((s.uptimeMicroseconds, s.outputs.first ?? 0))
                        return s.outputs.allSatisfy { $0 == target }
                    }
                    f.expect(met, "never reached \(target): \(last.outputs)")
                    var steepest = 0.0
                    for (a, b) in zip(samples, samples.dropFirst()) where b.0 > a.0 + 5_000 {
                        steepest = max(steepest, abs(Double(b.1) - Double(a.1)) / (Double(b.0 - a.0) / 1e6))
                    }
                    let took = Double((samples.last?.0 ?? 0) - (samples.first?.0 ?? 0)) / 1000
                    f.expect(steepest <= 1000 * 1.1 + 50, String(format: "steepest change %.0f ‰/s, above 1000", steepest))
                    f.expect(took >= expected * 0.85, String(format: "reached %d in %.0f ms, faster than %.0f ms", target, took, expected))
                    return (steepest, took)
                }
                let up = try ramp(to: 500, expected: 500)
                let down = try ramp(to: 100, expected: 400)
                try p.setOutputs(p.all(0), lease: 3000)
                let zero = try timeToZero(p)
                f.expect((zero ?? 999) <= atOnce, "a change to 0 slewed: \(zero.map { String(format: "%.1f ms", $0) } ?? "not 0 in 200 ms")")
                return f.outcome(String(format: "up %.0f ‰/s (%.0f ms to 500), down %.0f ‰/s, to 0 in %.1f ms", up.slope, up.took, down.slope, zero ?? -1))
            },
            Check("outputs.rate-limit", "6.2", "SetOutputs at twice max_output_rate_hz for 1 s: applied (= sent − frames_superseded) per second equals the rate; the last frame is in force within one period",
                  actuation: .vibrates, requires: [.motors]) { p in
                let rate = Double(p.facts.maxOutputRateHz)
                try p.require(ConfigCode.slew, 100_000)
                let before = try p.status()
                let spacing = 1.0 / (2 * rate)
                let count = Int(2 * rate)   // 1 s
                let start = ContinuousClock.now
                var last: UInt16 = 0
                for k in 0..<count {
                    // Rising values: every frame raises the target, so none is applied at once.
                    last = p.facts.hasMotors ? UInt16(100 + k * 800 / count) : 0
                    try p.setOutputs(p.all(last), lease: 3000)
                    sleep(until: start + .seconds(spacing * Double(k + 1)))
                }
                let end = try p.status()
                // The frame held when the burst ends is applied in the slot after it: the
                // window runs to there.
                let window = Double(end.uptimeMicroseconds - before.uptimeMicroseconds) / 1e6 + 1 / rate
                try p.link.listen(for: .milliseconds(Int64(3000 / rate) + 20))
                let after = try p.status()
                let superseded = Int(after.framesSuperseded) - Int(before.framesSuperseded)
                let applied = count - superseded
                let perSecond = Double(applied) / window
                var f = Findings()
                f.expect(Double(applied) <= rate * window + 1, String(format: "%.0f applied/s above the declared %.0f Hz", perSecond, rate))
                f.expect(Double(applied) >= rate * window * 0.8, String(format: "only %.0f applied/s for a declared %.0f Hz", perSecond, rate))
                f.expect(after.outputs.allSatisfy { $0 == last }, "the last frame (\(last)) is not in force: \(after.outputs)")
                return f.outcome(String(format: "%d sent, %d superseded, %.1f applied/s over %.3f s, declared %.0f Hz", count, superseded, perSecond, window, rate))
            },
            Check("outputs.latest-wins", "6.2", "a SetOutputs sent within one period of the last is held, never dropped: the newest is in force within one period (10 spacings)",
                  actuation: .vibrates, requires: [.motors]) { p in
                try p.require(ConfigCode.slew, 100_000)
                let periodMs = 1000 / Double(p.facts.maxOutputRateHz)
                var worst = 0.0
                var f = Findings()
                for trial in 0..<10 {
                    _ = try p.link.request(type: WireType.stop)
                    try p.link.listen(for: .milliseconds(Int64(2 * periodMs) + 2))
                    let first = UInt16(200), newest = UInt16(300 + 60 * trial)
                    let spacing = periodMs * Double(trial) / 10
                    let t0 = ContinuousClock.now
                    try p.setOutputs(p.all(first), lease: 2000)
                    sleep(until: t0 + .milliseconds(spacing))
                    try p.setOutputs(p.all(newest), lease: 2000)
                    let u0 = try p.status().uptimeMicroseconds
                    let (last, met) = try p.pollStatus(every: .milliseconds(1), timeout: .milliseconds(1000)) { $0.outputs.allSatisfy { $0 == newest } }
                    let took = Double(last.uptimeMicroseconds - u0) / 1000
                    f.expect(met, String(format: "spacing %.1f ms: the newest frame (%d) never in force: %@", spacing, newest, "\(last.outputs)"))
                    if met { worst = max(worst, took) }
                }
                // One period, the slew of at most 1000 ‰ at 100 ‰/ms, a poll's round trip.
                let bound = periodMs + 10 + 15
                f.expect(worst <= bound, String(format: "in force after %.1f ms, above one period %.1f ms (+ slew and polling)", worst, periodMs))
                return f.outcome(String(format: "newest in force ≤ %.1f ms after sending (period %.1f ms)", worst, periodMs))
            },
            Check("outputs.lower-at-once", "6.2, 4.3", "1000 then all-zero 1 ms later: 0 at once; 1000 then Stop: 0 at once, Ack",
                  actuation: .vibratesFull, requires: [.motors]) { p in
                var f = Findings()
                try p.setOutputs(p.all(1000), lease: 3000)
                Thread.sleep(forTimeInterval: 0.001)
                try p.setOutputs(p.all(0), lease: 3000)
                let zero = try timeToZero(p)
                f.expect((zero ?? 999) <= atOnce, "the all-zero frame took \(zero.map { String(format: "%.1f ms", $0) } ?? "more than 200 ms") to apply")
                try p.link.listen(for: .milliseconds(Int64(2000 / Int(p.facts.maxOutputRateHz)) + 5))
                f.expect(try p.status().outputs.allSatisfy { $0 == 0 }, "the earlier 1000 came back after the all-zero frame")
                try p.setOutputs(p.all(1000), lease: 3000)
                Thread.sleep(forTimeInterval: 0.001)
                let stop = try p.link.request(type: WireType.stop)
                let stopped = try timeToZero(p)
                f.expect(stop.isAck, "Stop answered \(stop)")
                f.expect((stopped ?? 999) <= atOnce, "Stop took \(stopped.map { String(format: "%.1f ms", $0) } ?? "more than 200 ms") to apply")
                return f.outcome(String(format: "all-zero → 0 in %.1f ms, Stop → 0 in %.1f ms", zero ?? -1, stopped ?? -1))
            },
            Check("outputs.stop", "4.3, 6.3", "Stop: motors and heater to 0 at once, lease cleared, state idle, Ack with the Stop's seq",
                  actuation: .vibrates) { p in
                try p.setOutputs(p.all(300), heater: 0, lease: 3000)
                try p.link.listen(for: .milliseconds(50))
                let frame = RawFrame(version: p.link.version, type: WireType.stop, sequence: p.link.nextSequence())
                let answer = try p.link.request(frame)
                let after = try p.status()
                var f = Findings()
                f.expect(answer.frame?.type == WireType.ack && answer.frame?.payload == [WireType.stop], "Stop answered \(answer)")
                f.expect(after.outputs.allSatisfy { $0 == 0 } && after.heaterSetpoint == 0, "outputs \(after.outputs) after Stop")
                f.expect(after.state == 1, "state \(after.state) after Stop, not 1 (idle)")
                return f.outcome("Ack, outputs \(after.outputs), state \(after.state)")
            },
            Check("outputs.lease", "6.3", "a 300 ms lease kept alive only by Heartbeats: outputs 0 after 300 ms, no fault, state idle",
                  actuation: .vibrates, requires: [.motors]) { p in
                try p.require(ConfigCode.slew, 100_000)
                try p.setOutputs(p.all(300), lease: 300)
                let u0 = try p.status().uptimeMicroseconds
                var lastBeat = ContinuousClock.now
                let (last, met) = try p.pollStatus(every: .milliseconds(5), timeout: .seconds(2)) { s in
                    if ContinuousClock.now - lastBeat > .milliseconds(50) {
                        _ = try? p.link.send(type: WireType.heartbeat)
                        lastBeat = ContinuousClock.now
                    }
                    return s.outputs.allSatisfy { $0 == 0 }
                }
                let took = Double(last.uptimeMicroseconds - u0) / 1000
                var f = Findings()
                f.expect(met, "outputs never went to 0: \(last.outputs)")
                f.expect(took >= 285 && took <= 330, String(format: "outputs 0 after %.1f ms, not 300", took))
                f.expect(last.faults == 0, "fault \(hex(last.faults)) latched by the lease end")
                f.expect(last.state == 1, "state \(last.state) after the lease, not idle")
                return f.outcome(String(format: "lease ended after %.1f ms (300 asked)", took))
            },
        ]
    }

    static var heaterChecks: [Check] {
        [
            Check("heater.clamp", "4.2, 6.4", "a setpoint of 50.0 °C is clamped to heater_cap and reported clamped, not refused",
                  actuation: .heats, requires: [.heater]) { p in
                let reason = try p.setOutputsRefusal(p.all(0), heater: 500, lease: 2000)
                let status = try p.status()
                var f = Findings()
                f.expect(reason == nil, "refused with Nak(\(reason.map(NakCode.name) ?? ""))")
                f.expect(status.heaterSetpoint == p.facts.heaterCap, "setpoint in force \(status.heaterSetpoint), cap \(p.facts.heaterCap)")
                return f.outcome("500 → \(status.heaterSetpoint) (cap \(p.facts.heaterCap))")
            },
            Check("heater.cap-config", "4.19, 6.4", "heater_cap set to 35.0 °C: 40.0 °C clamps to 350; 32.0 °C is kept",
                  actuation: .heats, requires: [.heater]) { p in
                try p.require(ConfigCode.heaterCap, 350)
                var f = Findings()
                try p.setOutputs(p.all(0), heater: 400, lease: 2000)
                let clamped = try p.status()
                f.expect(clamped.heaterSetpoint == 350, "40.0 °C in force as \(clamped.heaterSetpoint), not 350")
                let info = try p.link.request(type: WireType.getInfo, payload: [0, 0])
                let cap = info.frame.flatMap { DeviceFacts.read($0.payload) }?.heaterCap
                f.expect(cap == 350, "Info heater_cap \(cap.map(String.init) ?? "?") after SetConfig 350")
                try p.setOutputs(p.all(0), heater: 320, lease: 2000)
                let kept = try p.status()
                f.expect(kept.heaterSetpoint == 320, "32.0 °C in force as \(kept.heaterSetpoint)")
                return f.outcome("400 → \(clamped.heaterSetpoint), 320 → \(kept.heaterSetpoint)")
            },
            Check("heater.lease", "6.3", "a heater setpoint with a 500 ms lease, Heartbeats only: the setpoint lapses to 0 after 500 ms, no fault",
                  actuation: .heats, requires: [.heater]) { p in
                try p.setOutputs(p.all(0), heater: 380, lease: 500)
                let u0 = try p.status().uptimeMicroseconds
                var lastBeat = ContinuousClock.now
                let (last, met) = try p.pollStatus(every: .milliseconds(10), timeout: .seconds(2)) { s in
                    if ContinuousClock.now - lastBeat > .milliseconds(50) {
                        _ = try? p.link.send(type: WireType.heartbeat)
                        lastBeat = ContinuousClock.now
                    }
                    return s.heaterSetpoint == 0
                }
                let took = Double(last.uptimeMicroseconds - u0) / 1000
                var f = Findings()
                f.expect(met, "setpoint never lapsed: \(last.heaterSetpoint)")
                f.expect(took >= 485 && took <= 540, String(format: "lapsed after %.1f ms, not 500", took))
                f.expect(last.faults == 0, "fault \(hex(last.faults)) latched")
                return f.outcome(String(format: "setpoint 0 after %.1f ms", took))
            },
        ]
    }
}
