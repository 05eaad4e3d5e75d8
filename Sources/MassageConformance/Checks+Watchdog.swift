import Foundation

extension ConformanceSuite {
    /// Drives the device (low intensity, or only a lease on a device without motors),
    /// reads its uptime with a last GetStatus, goes silent and waits for the watchdog's
    /// Fault. The figure is measured on the device's clock: the Fault's uptime minus the
    /// uptime of the last frame it heard.
    static func tripWatchdog(_ p: DeviceProbe, milliseconds: UInt32) throws -> CheckOutcome {
        try p.require(ConfigCode.watchdog, milliseconds)
        try p.handshake()
        try p.setOutputs(p.all(100), lease: 3000)
        let last = try p.status()
        p.link.clearUnsolicited()
        guard let (fault, _) = try p.awaitFault(code: FaultCode.watchdog, timeout: .milliseconds(Int64(milliseconds) + 1500)) else {
            let now = try p.status()
            return .fail("no watchdog Fault within \(milliseconds + 1500) ms of silence; faults \(hex(now.faults)), outputs \(now.outputs)")
        }
        let measured = Int64(fault.uptimeMicroseconds) - Int64(last.uptimeMicroseconds)
        let w = Int64(milliseconds) * 1000
        let slack = max(20_000, w / 20)
        var f = Findings()
        f.expect(measured >= w - 2000, "tripped after \(ms(measured)) of silence, before \(milliseconds) ms")
        f.expect(measured <= w + slack, "tripped after \(ms(measured)), later than \(milliseconds) ms + \(ms(slack))")
        f.expect(fault.faults & 1 == 1, "Fault's faults \(hex(fault.faults)) without the watchdog bit")
        f.expect(abs(Int64(fault.detail) * 1000 - measured) <= slack, "detail \(fault.detail) ms, measured \(ms(measured))")
        try p.link.listen(for: .milliseconds(300))
        let sent = p.faultsSeen.filter { $0.code == FaultCode.watchdog }.count
        f.expect(sent == 1, "\(sent) watchdog Fault frames, not one")
        let after = try p.status()
        f.expect(after.outputs.allSatisfy { $0 == 0 } && after.heaterSetpoint == 0, "outputs \(after.outputs) after the watchdog")
        f.expect(after.faults & 1 == 1 && after.state == 3, "Status faults \(hex(after.faults)) state \(after.state) after the watchdog")
        return f.outcome("tripped after \(ms(measured)) (detail \(fault.detail) ms), configured \(milliseconds) ms")
    }

    static var watchdogChecks: [Check] {
        [250, 500, 1000, 2000].map { (w: UInt32) in
            Check("watchdog.\(w)", "6.1, 4.13", "watchdog_ms \(w): silence while driven latches the watchdog after \(w) ms (device clock), outputs 0",
                  actuation: .vibrates) { p in try tripWatchdog(p, milliseconds: w) }
        } + [
            Check("watchdog.idle", "6.1", "an idle device that hears nothing latches nothing: after Hello, after Stop, after a lease ran out",
                  actuation: .vibrates) { p in
                try p.require(ConfigCode.watchdog, 250)
                var f = Findings()
                try p.handshake()
                try p.link.listen(for: .milliseconds(800))
                f.expect(try p.status().faults == 0, "a fault latched after Hello and 800 ms of silence")
                try p.setOutputs(p.all(100), lease: 3000)
                _ = try p.link.request(type: WireType.stop)
                try p.link.listen(for: .milliseconds(800))
                f.expect(try p.status().faults == 0, "a fault latched 800 ms after Stop")
                try p.setOutputs(p.all(100), lease: 100)
                try p.link.listen(for: .milliseconds(900))
                let last = try p.status()
                f.expect(last.faults == 0, "a fault latched 800 ms after a 100 ms lease ran out")
                f.expect(p.faultsSeen.isEmpty, "Fault frames sent: \(p.faultsSeen.map { FaultCode.name($0.code) })")
                return f.outcome("watchdog 250 ms; 3 × 800 ms of silence idle, faults \(hex(last.faults))")
            },
            Check("watchdog.heartbeat", "4.4, 6.1", "Heartbeats every watchdog_ms/3 keep a driven device from tripping for 5 × watchdog_ms; Heartbeat is not answered",
                  actuation: .vibrates) { p in
                try p.require(ConfigCode.watchdog, 250)
                try p.handshake()
                try p.setOutputs(p.all(100), lease: 3000)
                var answered = 0
                let start = ContinuousClock.now
                var beats = 0
                while ContinuousClock.now - start < .milliseconds(1250) {
                    let beat = try p.link.send(type: WireType.heartbeat)
                    beats += 1
                    if try p.link.wait(for: .milliseconds(80), { $0.sequence == beat.sequence && ConformanceLink.isAnswer($0) }) != nil {
                        answered += 1
                    }
                }
                let status = try p.status()
                var f = Findings()
                f.expect(status.faults == 0, "faults \(hex(status.faults)) with Heartbeats every 80 ms")
                f.expect(answered == 0, "\(answered) Heartbeats answered")
                f.expect(p.facts.actuatorCount == 0 || status.outputs.allSatisfy { $0 == 100 }, "outputs \(status.outputs), not kept by Heartbeats")
                return f.outcome("\(beats) Heartbeats over 1250 ms, faults \(hex(status.faults)), outputs \(status.outputs)")
            },
        ]
    }

    static var clearFaultChecks: [Check] {
        [
            Check("clearfault.none", "4.8", "ClearFault with nothing latched → Ack with its seq") { p in
                let answer = try p.link.request(type: WireType.clearFault)
                return answer.isAck && answer.frame?.payload == [WireType.clearFault] ? .pass("Ack") : .fail("answered \(answer)")
            },
            Check("clearfault.watchdog", "4.1, 4.3, 4.8, 6.7", "after a watchdog fault: SetOutputs Nak(fault latched), Stop acked, a new Hello keeps the fault, the fault record tells when, ClearFault acks, outputs stay 0",
                  actuation: .vibrates) { p in
                try p.require(ConfigCode.watchdog, 250)
                try p.handshake()
                try p.setOutputs(p.all(200), lease: 3000)
                p.link.clearUnsolicited()
                guard let (fault, _) = try p.awaitFault(code: FaultCode.watchdog, timeout: .seconds(2)) else {
                    return .fail("no watchdog fault after 2 s of silence")
                }
                var f = Findings()
                let refused = try p.setOutputsRefusal(p.all(200), lease: 1000)
                f.expect(refused == NakCode.faultLatched, "SetOutputs with the fault latched: \(refused.map(NakCode.name) ?? "no Nak")")
                f.expect(try p.link.request(type: WireType.stop).isAck, "Stop with a fault latched not acked")
                try p.handshake()
                let afterHello = try p.status()
                f.expect(afterHello.faults & 1 == 1, "a new Hello cleared the watchdog fault (faults \(hex(afterHello.faults)))")
                let record = try p.faultRecord()
                f.expect(record?.code == FaultCode.watchdog && record?.uptimeMicroseconds == fault.uptimeMicroseconds
                         && record?.detail == fault.detail && (record?.faults ?? 0) & 1 == 1,
                         "fault record \(record.map { "code \($0.code) faults \(hex($0.faults)) detail \($0.detail) uptime \($0.uptimeMicroseconds)" } ?? "missing"), Fault was uptime \(fault.uptimeMicroseconds)")
                let clear = try p.link.request(type: WireType.clearFault)
                f.expect(clear.isAck, "ClearFault answered \(clear)")
                let cleared = try p.status()
                f.expect(cleared.faults == 0, "faults \(hex(cleared.faults)) after ClearFault")
                f.expect(cleared.outputs.allSatisfy { $0 == 0 }, "outputs \(cleared.outputs) right after ClearFault")
                let none = try p.faultRecord()
                f.expect(none?.code == 255, "fault record code \(none?.code ?? 0) after ClearFault, not 255")
                let again = try p.setOutputsRefusal(p.all(100), lease: 500)
                f.expect(again == nil, "SetOutputs after ClearFault: Nak(\(again.map(NakCode.name) ?? ""))")
                return f.outcome("fault at uptime \(fault.uptimeMicroseconds) µs, detail \(fault.detail) ms; kept by Hello; cleared")
            },
        ]
    }
}
