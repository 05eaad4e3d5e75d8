import Foundation

/// Formats a count of µs as ms with one decimal.
func ms(_ microseconds: Int64) -> String { String(format: "%.1f ms", Double(microseconds) / 1000) }
func ms(_ duration: Duration) -> String {
    let c = duration.components
    return String(format: "%.1f ms", Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15)
}
func hex(_ v: UInt16) -> String { "0x" + String(v, radix: 16) }

/// Collects the problems a check finds; passes when there are none.
struct Findings {
    var problems: [String] = []
    mutating func expect(_ condition: Bool, _ problem: @autoclosure () -> String) {
        if !condition { problems.append(problem()) }
    }
    func outcome(_ figure: String) -> CheckOutcome {
        problems.isEmpty ? .pass(figure) : .fail(problems.joined(separator: "; ") + (figure.isEmpty ? "" : " (\(figure))"))
    }
}

extension ConformanceSuite {
    static var handshakeChecks: [Check] {
        [
            Check("handshake.before-hello", "6.1, 4.3", "before Hello: GetStatus, GetConfig, SetConfig, GetInfo, Stop, ClearFault answered; SetOutputs Nak(not ready); Heartbeat ignored; outputs 0; no StatusReport or MatReport",
                  requires: [.fresh]) { p in
                var f = Findings()
                let status = try p.status()
                f.expect(status.state == 0, "state \(status.state), not 0 (awaiting Hello)")
                f.expect(status.outputs.allSatisfy { $0 == 0 } && status.heaterSetpoint == 0, "outputs not 0 before Hello")
                let config = try p.config(ConfigCode.watchdog)
                f.expect(config != nil, "GetConfig not answered by Config before Hello")
                let info = try p.link.request(type: WireType.getInfo, payload: [1, 0])
                f.expect(info.frame?.type == WireType.info, "GetInfo(1) answered \(info) before Hello")
                let nak = try p.setOutputsRefusal([], lease: 100, wait: .milliseconds(300))
                f.expect(nak == NakCode.notReady, "SetOutputs before Hello: \(nak.map(NakCode.name) ?? "no Nak"), not Nak(not ready)")
                let stop = try p.link.request(type: WireType.stop)
                f.expect(stop.isAck, "Stop before Hello answered \(stop), not Ack")
                let clear = try p.link.request(type: WireType.clearFault)
                f.expect(clear.isAck, "ClearFault before Hello answered \(clear), not Ack")
                if let slew = try p.config(ConfigCode.slew) {
                    let set = try p.link.request(type: WireType.setConfig, payload: DeviceProbe.configPayload(ConfigCode.slew, slew))
                    f.expect(set.isAck, "SetConfig before Hello answered \(set), not Ack")
                }
                let beat = try p.link.send(type: WireType.heartbeat)
                let beatAnswer = try p.link.wait(for: .milliseconds(150)) { $0.sequence == beat.sequence && ConformanceLink.isAnswer($0) }
                f.expect(beatAnswer == nil, "Heartbeat before Hello answered")
                try p.link.listen(for: .milliseconds(600))
                let reports = p.link.unsolicited.filter { $0.frame.type == WireType.statusReport || $0.frame.type == WireType.matReport }
                f.expect(reports.isEmpty, "\(reports.count) StatusReport/MatReport sent before Hello")
                return f.outcome("state \(status.state), no periodic frames in 600 ms")
            },
            Check("handshake.hello-v2", "4.1, 7", "Hello(1,2) → Info (Device) in header version 1, protocol_version 2, seq echoed") { p in
                let seq = p.link.nextSequence()
                let answer = try p.hello(min: 1, max: 2, sequence: seq)
                guard let frame = answer.frame else { return .fail("no answer to Hello(1,2)") }
                var f = Findings()
                f.expect(frame.type == WireType.info, "answered \(answer), not Info")
                f.expect(frame.version == 1, "answer in header version \(frame.version), not 1")
                f.expect(frame.sequence == seq, "answer seq \(frame.sequence), not the Hello's \(seq)")
                let facts = DeviceFacts.read(frame.payload)
                f.expect(facts != nil, "the Info is not section 0 with a 23-byte body")
                f.expect(facts?.protocolVersion == 2, "protocol_version \(facts?.protocolVersion ?? 0), not 2")
                let status = try p.status()
                f.expect(status.state == 1 || status.state == 2, "state \(status.state) after Hello, not idle")
                return f.outcome("Info v\(frame.version), protocol_version \(facts?.protocolVersion ?? 0)")
            },
            Check("handshake.hello-newer-host", "7", "Hello(2,9) → the highest common version, 2") { p in
                let answer = try p.hello(min: 2, max: 9)
                guard let frame = answer.frame, frame.type == WireType.info, let facts = DeviceFacts.read(frame.payload) else {
                    return .fail("Hello(2,9) answered \(answer), not Info (Device)")
                }
                return facts.protocolVersion == 2 ? .pass("protocol_version 2") : .fail("protocol_version \(facts.protocolVersion)")
            },
            Check("handshake.hello-v1-only", "4.1, 4.16", "Hello(1,1) → Nak(unsupported version) in header version 1") { p in
                let seq = p.link.nextSequence()
                let answer = try p.hello(min: 1, max: 1, sequence: seq)
                guard let frame = answer.frame else { return .fail("no answer to Hello(1,1)") }
                var f = Findings()
                f.expect(frame.type == WireType.nak && frame.payload == [WireType.hello, NakCode.unsupportedVersion],
                         "answered \(answer) payload \(frame.payload), not Nak(Hello, unsupported version)")
                f.expect(frame.version == 1, "Nak in header version \(frame.version), not 1")
                f.expect(frame.sequence == seq, "Nak seq \(frame.sequence), not \(seq)")
                return f.outcome("\(answer) v\(frame.version)")
            },
            Check("handshake.hello-malformed", "4.1", "Hello with min_version > max_version → Nak(malformed)") { p in
                let answer = try p.hello(min: 3, max: 2)
                return answer.nakReason == NakCode.malformed ? .pass("\(answer)") : .fail("answered \(answer), not Nak(malformed)")
            },
            Check("handshake.header-version", "2.4, 4.16, 7", "after the handshake: header version 2 answered; 1 (for GetStatus), 0, 3 → Nak(unsupported version)") { p in
                var f = Findings()
                var seen: [String] = []
                for version: UInt8 in [1, 0, 3, 255] {
                    let answer = try p.link.request(type: WireType.getStatus, version: version)
                    seen.append("v\(version): \(answer)")
                    f.expect(answer.nakReason == NakCode.unsupportedVersion, "GetStatus in header version \(version) answered \(answer)")
                }
                let good = try p.link.request(type: WireType.getStatus, version: 2)
                f.expect(good.frame?.type == WireType.status && good.frame?.version == 2, "GetStatus in version 2 answered \(good) v\(good.frame?.version ?? 0)")
                return f.outcome(seen.joined(separator: ", "))
            },
            Check("handshake.new-hello-resets", "4.1, 6.1", "a new Hello: outputs 0 at once, lease and dose reset; faults and config stay",
                  actuation: .vibrates, requires: [.motors]) { p in
                try p.require(ConfigCode.slew, 100_000)
                try p.setOutputs(p.all(400), lease: 3000)
                let running = try p.pollStatus(timeout: .milliseconds(500)) { $0.outputs.allSatisfy { $0 == 400 } }
                guard running.met else { return .fail("outputs never reached 400: \(running.last.outputs)") }
                try p.handshake()
                let after = try p.status()
                var f = Findings()
                f.expect(after.outputs.allSatisfy { $0 == 0 }, "outputs \(after.outputs) after a new Hello, not 0")
                f.expect(after.dose == 0, "dose \(after.dose) after a new Hello, not 0")
                f.expect(try p.config(ConfigCode.slew) == 100_000, "config slew_per_s not kept across Hello")
                return f.outcome("outputs \(after.outputs), dose \(after.dose)")
            },
        ]
    }

    static var infoChecks: [Check] {
        [
            Check("info.device", "4.10", "Info section 0: every field in range and equal to the config in force") { p in
                let answer = try p.link.request(type: WireType.getInfo, payload: [0, 0])
                guard let frame = answer.frame, frame.type == WireType.info, let d = DeviceFacts.read(frame.payload) else {
                    return .fail("GetInfo(0) answered \(answer)")
                }
                var f = Findings()
                f.expect(d.actuatorCount <= 16, "actuator_count \(d.actuatorCount) > 16")
                f.expect(d.layout <= 3, "layout \(d.layout) undefined")
                f.expect((d.actuatorCount == 0) == (d.layout == 3), "layout \(d.layout) with \(d.actuatorCount) actuators")
                f.expect(d.matZoneCount <= 64, "mat_zone_count \(d.matZoneCount) > 64")
                f.expect(d.heaterCapLimit <= 430, "heater_cap_limit \(d.heaterCapLimit) above 43.0 °C")
                f.expect(d.heaterCap <= d.heaterCapLimit, "heater_cap \(d.heaterCap) above its limit \(d.heaterCapLimit)")
                f.expect(d.heaterCapLimit > 0 || d.heaterCap == 0, "heater_cap \(d.heaterCap) on a device without heater")
                f.expect(d.maxOutputRateHz > 0, "max_output_rate_hz 0")
                f.expect((250...2000).contains(d.watchdogMilliseconds), "watchdog_ms \(d.watchdogMilliseconds) outside 250–2000")
                f.expect((1...3000).contains(d.maxLeaseMilliseconds), "max_lease_ms \(d.maxLeaseMilliseconds) outside 1–3000")
                f.expect(d.doseLimit <= 400, "dose_limit \(d.doseLimit) above 400")
                f.expect(d.hasMat || d.matPeriodMilliseconds == 0, "mat_period_ms \(d.matPeriodMilliseconds) on a device without mat zones")
                f.expect(d.protocolVersion == 2, "protocol_version \(d.protocolVersion)")
                let pairs: [(UInt8, UInt16, String)] = [(ConfigCode.watchdog, d.watchdogMilliseconds, "watchdog_ms"),
                                                       (ConfigCode.heaterCap, d.heaterCap, "heater_cap"),
                                                       (ConfigCode.statusPeriod, d.statusPeriodMilliseconds, "status_period_ms"),
                                                       (ConfigCode.matPeriod, d.matPeriodMilliseconds, "mat_period_ms")]
                for (key, value, name) in pairs {
                    let read = try p.config(key)
                    f.expect(read == UInt32(value), "\(name): Info says \(value), GetConfig reads \(read.map(String.init) ?? "nothing")")
                }
                return f.outcome("v\(d.protocolVersion) fw \(d.firmware.0).\(d.firmware.1).\(d.firmware.2), \(d.actuatorCount) actuators, \(d.matZoneCount) zones, cap \(d.heaterCap)/\(d.heaterCapLimit), \(d.maxOutputRateHz) Hz, watchdog \(d.watchdogMilliseconds) ms, lease ≤ \(d.maxLeaseMilliseconds) ms, status \(d.statusPeriodMilliseconds) ms, mat \(d.matPeriodMilliseconds) ms, dose \(d.doseLimit)")
            },
            Check("info.identity", "4.10", "Info section 1: vendor, model, serial ≤ 16 bytes of valid UTF-8, lengths adding up") { p in
                let answer = try p.link.request(type: WireType.getInfo, payload: [1, 0])
                guard let frame = answer.frame, frame.type == WireType.info, frame.payload.count >= 5,
                      frame.payload[0] == 1, frame.payload[1] == 0 else { return .fail("GetInfo(1) answered \(answer)") }
                var r = PayloadReader(Array(frame.payload[2...]))
                var texts: [String] = []
                for _ in 0..<3 {
                    guard let n = r.u8(), n <= 16, let bytes = r.take(Int(n)) else { return .fail("a length above 16 or past the end") }
                    guard let text = String(validating: bytes, as: UTF8.self) else { return .fail("text not valid UTF-8") }
                    texts.append(text)
                }
                guard r.remaining == 0 else { return .fail("\(r.remaining) bytes after the serial") }
                return .pass("vendor \"\(texts[0])\", model \"\(texts[1])\", serial \"\(texts[2])\"")
            },
            Check("info.actuators", "4.9, 4.10", "Info section 2 for each actuator (placement matches layout); index past the last → Nak(out of range); section 9 → Nak(malformed)") { p in
                var f = Findings()
                let layout = p.facts.layout
                var accelerations: [String] = []
                for i in 0..<p.facts.actuatorCount {
                    let answer = try p.link.request(type: WireType.getInfo, payload: [2, UInt8(i)])
                    guard let frame = answer.frame, frame.type == WireType.info, frame.payload.count == 13,
                          frame.payload[0] == 2, frame.payload[1] == UInt8(i) else {
                        f.expect(false, "actuator \(i): \(answer)")
                        continue
                    }
                    var r = PayloadReader(Array(frame.payload[2...]))
                    let placement = r.u8() ?? 9, angle = r.u16() ?? 0
                    _ = r.i16(); _ = r.i16()
                    let acceleration = r.u16() ?? 0
                    f.expect(placement <= 2, "actuator \(i): placement \(placement) undefined")
                    f.expect(angle <= 35999, "actuator \(i): angle \(angle) > 35999")
                    f.expect(layout != 1 || placement == 1, "actuator \(i): placement \(placement) on a ring layout")
                    f.expect(layout != 2 || placement == 2, "actuator \(i): placement \(placement) on a planar layout")
                    accelerations.append(String(format: "%.2f", Double(acceleration) / 100))
                }
                let past = try p.link.request(type: WireType.getInfo, payload: [2, UInt8(p.facts.actuatorCount)])
                f.expect(past.nakReason == NakCode.outOfRange, "actuator index \(p.facts.actuatorCount) answered \(past)")
                let bad = try p.link.request(type: WireType.getInfo, payload: [9, 0])
                f.expect(bad.nakReason == NakCode.malformed, "section 9 answered \(bad)")
                return f.outcome("\(p.facts.actuatorCount) actuators, a = [\(accelerations.joined(separator: ", "))] m/s²")
            },
            Check("info.fault-record", "4.10 (section 3)", "Info section 3 with nothing latched: code 255, faults 0, uptime 0") { p in
                guard let record = try p.faultRecord() else { return .fail("GetInfo(3) not answered by a 13-byte section 3") }
                var f = Findings()
                f.expect(record.code == 255 && record.faults == 0 && record.uptimeMicroseconds == 0,
                         "code \(record.code), faults \(hex(record.faults)), uptime \(record.uptimeMicroseconds)")
                return f.outcome("code \(record.code), faults \(hex(record.faults))")
            },
        ]
    }
}
