import Foundation

extension ConformanceSuite {
    /// Sends `bytes`, then expects silence to them and `frames_bad` to grow by exactly 1
    /// (PROTOCOL 2.4: cases 2–4 and too long get no answer and count once).
    static func silentlyCounted(_ p: DeviceProbe, _ bytes: [UInt8], _ what: String) throws -> CheckOutcome {
        let before = try p.status()
        try p.link.send(bytes: bytes)
        let answers = try p.link.listen(for: .milliseconds(150)).filter { ConformanceLink.isAnswer($0.frame) }
        let after = try p.status()
        var f = Findings()
        f.expect(answers.isEmpty, "\(what) was answered: \(answers.map(\.frame.description))")
        let counted = Int(after.framesBad) - Int(before.framesBad)
        f.expect(counted == 1, "frames_bad grew by \(counted), not 1")
        return f.outcome("silence, frames_bad +\(counted)")
    }

    /// Sends `frame` and expects Nak(reason) with its type and seq, and `frames_bad` unchanged
    /// (a Nak'd frame is not a bad frame: version 2's one definition).
    static func nakked(_ p: DeviceProbe, _ frame: RawFrame, _ reason: UInt8) throws -> (Findings, String) {
        let before = try p.status()
        let answer = try p.link.request(frame, tries: 1)
        let after = try p.status()
        var f = Findings()
        f.expect(answer.frame?.type == WireType.nak && answer.frame?.payload == [frame.type, reason],
                 "\(frame) answered \(answer) \(answer.frame?.payload ?? []), not Nak(0x\(String(frame.type, radix: 16)), \(NakCode.name(reason)))")
        let counted = Int(after.framesBad) - Int(before.framesBad)
        f.expect(counted == 0, "frames_bad grew by \(counted) for a Nak'd frame")
        return (f, "\(answer)")
    }

    static var frameChecks: [Check] {
        [
            Check("frames.bad-crc", "2.4", "a frame with a bad CRC: no answer, frames_bad +1") { p in
                var raw = RawFrame(version: p.link.version, type: WireType.getStatus, sequence: p.link.nextSequence()).raw
                raw[raw.count - 1] ^= 0x40
                return try silentlyCounted(p, RawFrame.cobsEncode(raw) + [0], "a bad-CRC GetStatus")
            },
            Check("frames.truncated", "2.4", "a frame of 5 bytes: no answer, frames_bad +1") { p in
                try silentlyCounted(p, RawFrame.cobsEncode([2, WireType.getStatus, 9, 1, 2]) + [0], "a 5-byte frame")
            },
            Check("frames.malformed-cobs", "2.4", "a COBS code byte past the end: no answer, frames_bad +1") { p in
                try silentlyCounted(p, [0x09, 0x02, 0x05, 0x01, 0], "malformed COBS")
            },
            Check("frames.too-long", "2.4", "100 bytes without a 0x00: no answer, counted once as too long") { p in
                try silentlyCounted(p, Array(repeating: 0x11, count: 100) + [0], "a 100-byte run")
            },
            Check("frames.empty", "2.3", "an empty frame (0x00 0x00) means nothing: no answer, not counted") { p in
                let before = try p.status()
                try p.link.send(bytes: [0, 0, 0])
                let answers = try p.link.listen(for: .milliseconds(100)).filter { ConformanceLink.isAnswer($0.frame) }
                let after = try p.status()
                var f = Findings()
                f.expect(answers.isEmpty, "empty frames answered")
                f.expect(after.framesBad == before.framesBad, "frames_bad grew by \(Int(after.framesBad) - Int(before.framesBad))")
                return f.outcome("ignored")
            },
            Check("frames.unknown-type", "4, 4.16", "an undefined type (0x20, 0x3F, 0x7F) → Nak(unknown type), seq echoed, not counted bad") { p in
                var all = Findings()
                var seen: [String] = []
                for type: UInt8 in [0x20, 0x3F, 0x7F] {
                    let (f, figure) = try nakked(p, RawFrame(version: p.link.version, type: type, sequence: p.link.nextSequence()), NakCode.unknownType)
                    all.problems += f.problems
                    seen.append(figure)
                }
                return all.outcome(seen.joined(separator: ", "))
            },
            Check("frames.device-type", "4, 4.16", "every device → host type sent to the device, with any payload → Nak(unknown type)") { p in
                var all = Findings()
                var count = 0
                for type: UInt8 in [0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0xBF] {
                    for length in [0, 1, 2, 5, 13, 25, 31] {
                        let frame = RawFrame(version: p.link.version, type: type, sequence: p.link.nextSequence(),
                                             payload: Array(repeating: 0, count: length))
                        let answer = try p.link.request(frame, tries: 1)
                        count += 1
                        all.expect(answer.frame?.payload == [type, NakCode.unknownType],
                                   "0x\(String(type, radix: 16)) with \(length) B answered \(answer)")
                    }
                }
                return all.outcome("\(count) frames, each Nak(unknown type)")
            },
            Check("frames.unsupported-version", "2.4, 4.16", "a good frame in header version 7 → Nak(unsupported version), not counted bad") { p in
                let (f, figure) = try nakked(p, RawFrame(version: 7, type: WireType.getConfig, sequence: p.link.nextSequence(), payload: [1]),
                                             NakCode.unsupportedVersion)
                return f.outcome(figure)
            },
            Check("frames.malformed-payload", "2.4, 4", "payloads of the wrong length or structure → Nak(malformed), not counted bad") { p in
                let n = p.facts.actuatorCount
                var badOutputs = DeviceProbe.outputsPayload(lease: 100, heater: 0, intensities: p.all(0))
                badOutputs[4] = UInt8(n + 1)   // count says one more than the bytes carry
                let cases: [(UInt8, [UInt8], String)] = [
                    (WireType.getStatus, [0], "GetStatus + 1 B"),
                    (WireType.stop, [1, 2], "Stop + 2 B"),
                    (WireType.heartbeat, [0], "Heartbeat + 1 B"),
                    (WireType.setConfig, [1, 0, 0, 0], "SetConfig 4 B"),
                    (WireType.getConfig, [], "GetConfig 0 B"),
                    (WireType.getInfo, [9, 0], "GetInfo section 9"),
                    (WireType.getInfo, [0], "GetInfo 1 B"),
                    (WireType.setOutputs, badOutputs, "SetOutputs count ≠ bytes"),
                    (WireType.setOutputs, [100, 0, 0, 0, 17] + Array(repeating: 0, count: 34), "SetOutputs count 17"),
                ]
                var all = Findings()
                for (type, payload, name) in cases {
                    let (f, _) = try nakked(p, RawFrame(version: p.link.version, type: type, sequence: p.link.nextSequence(), payload: payload),
                                            NakCode.malformed)
                    all.problems += f.problems.map { "\(name): \($0)" }
                }
                return all.outcome("\(cases.count) payloads, each Nak(malformed)")
            },
        ]
    }

    static var configChecks: [Check] {
        [
            Check("config.read", "4.7, 4.17", "GetConfig of keys 1–7 → Config with that key; keys 0, 8, 255 → Nak(out of range)") { p in
                var f = Findings()
                var values: [String] = []
                for key: UInt8 in 1...7 {
                    let value = try p.config(key)
                    f.expect(value != nil, "key \(key) not answered by Config with that key")
                    values.append("\(key)=\(value.map(String.init) ?? "?")")
                }
                for key: UInt8 in [0, 8, 255] {
                    let answer = try p.link.request(type: WireType.getConfig, payload: [key])
                    f.expect(answer.nakReason == NakCode.outOfRange, "GetConfig(\(key)) answered \(answer)")
                    let set = try p.link.request(type: WireType.setConfig, payload: DeviceProbe.configPayload(key, 1))
                    f.expect(set.nakReason == NakCode.outOfRange, "SetConfig(\(key)) answered \(set)")
                }
                return f.outcome(values.joined(separator: " "))
            },
            Check("config.ranges", "4.19", "each key: its least and greatest value acked and read back; one past either end → Nak(out of range), unchanged") { p in
                var f = Findings()
                let d = p.facts
                // (key, name, accepted ends, refused values); nil ends = every value refused.
                var table: [(UInt8, String, [UInt32], [UInt32])] = [
                    (ConfigCode.watchdog, "watchdog_ms", [250, 2000], [249, 2001]),
                    (ConfigCode.statusPeriod, "status_period_ms", [0, 10, 5000], [9, 5001]),
                    (ConfigCode.doseLimit, "dose_limit", [1, 400], [0, 401]),
                    (ConfigCode.slew, "slew_per_s", [100, 100_000], [99, 100_001]),
                ]
                if d.hasHeater {
                    table.append((ConfigCode.heaterCap, "heater_cap", [300, UInt32(d.heaterCapLimit)], [299, UInt32(d.heaterCapLimit) + 1]))
                    table.append((ConfigCode.heatSessionLimit, "heat_session_limit_s", [60, 1800], [59, 1801]))
                } else {
                    table.append((ConfigCode.heaterCap, "heater_cap", [], [0, 300, 410]))
                    table.append((ConfigCode.heatSessionLimit, "heat_session_limit_s", [], [60, 1800]))
                    f.expect(try p.config(ConfigCode.heaterCap) == 0, "no heater, but GetConfig(heater_cap) is not 0")
                    f.expect(try p.config(ConfigCode.heatSessionLimit) == 0, "no heater, but GetConfig(heat_session_limit_s) is not 0")
                }
                if d.hasMat {
                    table.append((ConfigCode.matPeriod, "mat_period_ms", [0, 10, 5000], [9, 5001]))
                } else {
                    table.append((ConfigCode.matPeriod, "mat_period_ms", [], [0, 10, 50]))
                    f.expect(try p.config(ConfigCode.matPeriod) == 0, "no mat, but GetConfig(mat_period_ms) is not 0")
                }
                var tried = 0
                for (key, name, accepted, refused) in table {
                    for value in accepted {
                        let answer = try p.setConfig(key, value)
                        tried += 1
                        f.expect(answer.isAck, "\(name) = \(value) answered \(answer), not Ack")
                        f.expect(try p.config(key) == value, "\(name) = \(value) acked but not read back")
                    }
                    let before = try p.config(key)
                    for value in refused {
                        let answer = try p.setConfig(key, value)
                        tried += 1
                        f.expect(answer.nakReason == NakCode.outOfRange, "\(name) = \(value) answered \(answer), not Nak(out of range)")
                        f.expect(try p.config(key) == before, "\(name) changed by a refused SetConfig(\(value))")
                    }
                    // Keep the device usable for the next key: status reports back on.
                    if key == ConfigCode.statusPeriod { _ = try p.setConfig(key, UInt32(d.statusPeriodMilliseconds)) }
                }
                return f.outcome("\(tried) values")
            },
            Check("config.safety-refusals", "4.19, 6.1, 6.4", "refusals that protect: heater cap above 43.0 °C or above its limit, watchdog off (0) or below 250 ms, dose above 400") { p in
                var f = Findings()
                var cases: [(UInt8, UInt32, String)] = [
                    (ConfigCode.heaterCap, 431, "heater_cap 43.1 °C"), (ConfigCode.heaterCap, 1000, "heater_cap 100 °C"),
                    (ConfigCode.heaterCap, UInt32.max, "heater_cap 2³²−1"),
                    (ConfigCode.watchdog, 0, "watchdog off"), (ConfigCode.watchdog, 100, "watchdog 100 ms"),
                    (ConfigCode.watchdog, 249, "watchdog 249 ms"), (ConfigCode.watchdog, UInt32.max, "watchdog 2³²−1"),
                    (ConfigCode.doseLimit, 401, "dose 401"), (ConfigCode.doseLimit, 0, "dose off"),
                ]
                if p.facts.hasHeater && p.facts.heaterCapLimit < 430 {
                    cases.append((ConfigCode.heaterCap, UInt32(p.facts.heaterCapLimit) + 1, "heater_cap above the device's limit"))
                }
                for (key, value, name) in cases {
                    let answer = try p.setConfig(key, value)
                    f.expect(answer.nakReason == NakCode.outOfRange, "\(name) answered \(answer)")
                }
                let watchdog = try p.config(ConfigCode.watchdog) ?? 0
                let cap = try p.config(ConfigCode.heaterCap) ?? 0
                f.expect(watchdog >= 250, "watchdog_ms reads \(watchdog) after the refusals")
                f.expect(cap <= 430, "heater_cap reads \(cap) after the refusals")
                return f.outcome("\(cases.count) refused; watchdog \(watchdog) ms, cap \(cap)")
            },
        ]
    }
}
