import Foundation

extension ConformanceSuite {
    /// Heats (or drives motor 0) and waits for Fault `code`, refreshing the outputs every
    /// 100 ms; accepts a fault already latched before (a device started with the fault).
    static func provoke(_ p: DeviceProbe, code: UInt8, heat: Bool, timeout: Duration) throws -> (FaultFields?, StatusFields) {
        let initial = try p.status()
        if initial.faults & (1 << UInt16(code)) != 0 {
            return (try p.faultRecord(), initial)
        }
        p.link.clearUnsolicited()
        let drive = {
            if heat {
                try p.setOutputs(p.all(0), heater: p.facts.heaterCap, lease: 1000)
            } else {
                var intensities = p.all(0)
                if !intensities.isEmpty { intensities[0] = 600 }
                try p.setOutputs(intensities, lease: 1000)
            }
        }
        var lastDrive = ContinuousClock.now - .seconds(1)
        let found = try p.awaitFault(code: code, timeout: timeout) {
            if ContinuousClock.now - lastDrive >= .milliseconds(100) {
                try drive()
                lastDrive = ContinuousClock.now
            }
        }
        return (found?.0, try p.status())
    }

    static var faultChecks: [Check] {
        [
            Check("fault.sensor-open", "4.13, 4.18, 6.4, 4.11", "sensor open circuit: Fault(sensor range), detail the raw reading below −20.0 °C, heater off, Status temperature −32768, ClearFault Nak(condition persists)",
                  actuation: .heats, requires: [.heater, .fault(.sensorOpen)]) { p in
                try sensorFault(p, below: true)
            },
            Check("fault.sensor-short", "4.13, 4.18, 6.4, 4.11", "sensor short circuit: Fault(sensor range), detail the raw reading above 80.0 °C, heater off, temperature −32768, ClearFault Nak(condition persists)",
                  actuation: .heats, requires: [.heater, .fault(.sensorShort)]) { p in
                try sensorFault(p, below: false)
            },
            Check("fault.runaway", "4.13, 4.18, 6.4", "sensor off its element while heating: Fault(heater runaway) within 20 s, detail the reading, heater off",
                  actuation: .heats, requires: [.heater, .fault(.sensorDetach)]) { p in
                let (fault, status) = try provoke(p, code: FaultCode.runaway, heat: true, timeout: .seconds(30))
                guard let fault else { return .fail("no runaway fault in 30 s; faults \(hex(status.faults)), temperature \(status.temperature)") }
                var f = Findings()
                f.expect((-200...800).contains(fault.detail), "detail \(fault.detail): not a plausible reading")
                f.expect(status.heaterSetpoint == 0 && status.heaterDuty == 0, "heater setpoint \(status.heaterSetpoint) duty \(status.heaterDuty) after the fault")
                return f.outcome("code 1, detail \(fault.detail) (\(Double(fault.detail) / 10) °C), at uptime \(String(format: "%.1f", Double(fault.uptimeMicroseconds) / 1e6)) s")
            },
            Check("fault.stall", "4.13, 4.18", "motor 0 jammed, driven at 600 ‰: Fault(motor stall), detail 0 (the motor), every motor 0",
                  actuation: .vibrates, requires: [.motors, .fault(.stuckMotor)]) { p in
                let start = ContinuousClock.now
                let (fault, status) = try provoke(p, code: FaultCode.stall, heat: false, timeout: .seconds(3))
                guard let fault else { return .fail("no stall fault in 3 s; faults \(hex(status.faults))") }
                var f = Findings()
                f.expect(fault.detail == 0, "detail \(fault.detail), not motor 0")
                f.expect(status.outputs.allSatisfy { $0 == 0 }, "outputs \(status.outputs) after the stall")
                return f.outcome("code 7, detail \(fault.detail), after \(ms(ContinuousClock.now - start)) of driving")
            },
            Check("fault.dose", "6.5, 4.13, 4.8, 6.7", "dose_limit 1 point at full intensity: Fault(dose limit) when the dose reaches 1 point, detail 1, motors 0; ClearFault Nak(condition persists) until a new Hello",
                  actuation: .vibratesFull, requires: [.motors]) { p in
                // Expected time: points = 2·a²·T(h) with the loudest actuator's a.
                var loudest = 0.0
                for i in 0..<p.facts.actuatorCount {
                    let answer = try p.link.request(type: WireType.getInfo, payload: [2, UInt8(i)])
                    if let payload = answer.frame?.payload, payload.count == 13 {
                        loudest = max(loudest, Double(UInt16(payload[9]) | UInt16(payload[10]) << 8) / 100)
                    }
                }
                guard loudest > 0 else { return .skip("no actuator declares an acceleration: the device keeps no dose") }
                let expected = 3600 / (2 * loudest * loudest)
                if p.facts.doseLimit == 0 { return .skip("dose_limit 0: the device keeps no dose") }
                try p.require(ConfigCode.doseLimit, 1)
                try p.handshake()
                p.link.clearUnsolicited()
                let begin = try p.status().uptimeMicroseconds
                var lastDrive = ContinuousClock.now - .seconds(1)
                let found = try p.awaitFault(code: FaultCode.dose, timeout: .seconds(expected * 1.5 + 5)) {
                    if ContinuousClock.now - lastDrive >= .milliseconds(100) {
                        try p.setOutputs(p.all(1000), lease: 1000)
                        lastDrive = ContinuousClock.now
                    }
                }
                guard let (fault, _) = found else { return .fail(String(format: "no dose fault in %.0f s (1 point expected after %.1f s)", expected * 1.5 + 5, expected)) }
                let took = Double(fault.uptimeMicroseconds - begin) / 1e6
                var f = Findings()
                let status = try p.status()
                f.expect(fault.detail == 1, "detail \(fault.detail), not 1 (whole points)")
                // The motors spin up first (spin_up_ms), so the dose starts a little late.
                f.expect(took >= expected * 0.95 && took <= expected * 1.15 + 1, String(format: "latched after %.1f s, expected %.1f s", took, expected))
                f.expect(status.outputs.allSatisfy { $0 == 0 }, "outputs \(status.outputs) after the dose fault")
                let persists = try p.link.request(type: WireType.clearFault)
                f.expect(persists.nakReason == NakCode.conditionPersists, "ClearFault before a new Hello answered \(persists)")
                try p.handshake()
                let renewed = try p.link.request(type: WireType.clearFault)
                f.expect(renewed.isAck, "ClearFault after a new Hello answered \(renewed)")
                return f.outcome(String(format: "latched after %.2f s (%.2f s for 1 point at %.2f m/s²), detail %d; ClearFault %@ then %@",
                                        took, expected, loudest, fault.detail, persists.description, renewed.description))
            },
        ]
    }

    /// Checks that take a minute or more, and the check of everything the device sent
    /// during the run, which comes last.
    static var finalChecks: [Check] {
        [
            Check("fault.over-temperature", "4.13, 4.18, 4.8", "heated to 33.0 °C, then heater_cap set to 30.0 °C: Fault(over temperature), detail the reading above 32.0 °C, heater off; ClearFault Nak(condition persists) while it is",
                  actuation: .heats, requires: [.heater], longSeconds: 60) { p in
                var lastDrive = ContinuousClock.now - .seconds(1)
                let deadline = ContinuousClock.now + .seconds(150)
                var status = try p.status()
                while status.temperature < 330 || status.temperature == Int16.min {
                    if ContinuousClock.now > deadline { return .fail("the surface never reached 33.0 °C in 150 s: \(status.temperature)") }
                    if ContinuousClock.now - lastDrive >= .milliseconds(100) {
                        try p.setOutputs(p.all(0), heater: p.facts.heaterCap, lease: 1000)
                        lastDrive = ContinuousClock.now
                    }
                    try p.link.listen(for: .milliseconds(100))
                    status = try p.status()
                }
                p.link.clearUnsolicited()
                try p.require(ConfigCode.heaterCap, 300)
                guard let (fault, _) = try p.awaitFault(code: FaultCode.overTemperature, timeout: .seconds(3)) else {
                    return .fail("no over-temperature fault at \(status.temperature) with the cap at 300")
                }
                var f = Findings()
                let after = try p.status()
                f.expect(fault.detail > 320, "detail \(fault.detail), not a reading above 32.0 °C")
                f.expect(after.heaterSetpoint == 0 && after.heaterDuty == 0, "heater setpoint \(after.heaterSetpoint) duty \(after.heaterDuty)")
                let clear = try p.link.request(type: WireType.clearFault)
                f.expect(after.temperature <= 320 || clear.nakReason == NakCode.conditionPersists, "ClearFault at \(after.temperature) answered \(clear)")
                return f.outcome("code 4, detail \(fault.detail), ClearFault at \(after.temperature) → \(clear)")
            },
            Check("fault.heat-time", "4.13, 4.18, 4.19, 6.4", "heat_session_limit_s 60: Fault(heat time limit) after 60 s of heating, detail 60; ClearFault Nak(condition persists) until a new Hello",
                  actuation: .heats, requires: [.heater], longSeconds: 62) { p in
                try p.require(ConfigCode.heatSessionLimit, 60)
                try p.handshake()
                p.link.clearUnsolicited()
                let begin = try p.status().uptimeMicroseconds
                var lastDrive = ContinuousClock.now - .seconds(1)
                let found = try p.awaitFault(code: FaultCode.heatTime, timeout: .seconds(70)) {
                    if ContinuousClock.now - lastDrive >= .milliseconds(100) {
                        try p.setOutputs(p.all(0), heater: 350, lease: 1000)
                        lastDrive = ContinuousClock.now
                    }
                }
                guard let (fault, _) = found else { return .fail("no heat-time fault after 70 s of heating") }
                let took = Double(fault.uptimeMicroseconds - begin) / 1e6
                var f = Findings()
                f.expect(took >= 59.9 && took <= 61.5, String(format: "latched after %.2f s of heating, not 60", took))
                f.expect(fault.detail == 60, "detail \(fault.detail), not 60 s")
                let persists = try p.link.request(type: WireType.clearFault)
                f.expect(persists.nakReason == NakCode.conditionPersists, "ClearFault before a new Hello answered \(persists)")
                try p.handshake()
                let renewed = try p.link.request(type: WireType.clearFault)
                f.expect(renewed.isAck, "ClearFault after a new Hello answered \(renewed)")
                return f.outcome(String(format: "latched after %.2f s, detail %d; ClearFault %@ then %@", took, fault.detail, persists.description, renewed.description))
            },
            Check("session.device-frames", "2.3, 2.4", "every frame the device sent during the run was well formed (COBS, length, CRC) and at most 64 bytes on the wire") { p in
                var f = Findings()
                f.expect(p.link.garbledFromDevice == 0, "\(p.link.garbledFromDevice) frames with bad COBS, length or CRC")
                f.expect(p.link.longestFromDevice <= 64, "a frame of \(p.link.longestFromDevice) bytes")
                return f.outcome("\(p.link.framesFromDevice) frames, longest \(p.link.longestFromDevice) bytes")
            },
        ]
    }

    static func sensorFault(_ p: DeviceProbe, below: Bool) throws -> CheckOutcome {
        let (fault, status) = try provoke(p, code: FaultCode.sensorRange, heat: true, timeout: .seconds(5))
        guard let fault else { return .fail("no sensor-range fault in 5 s; faults \(hex(status.faults)), temperature \(status.temperature)") }
        var f = Findings()
        if below {
            f.expect(fault.detail < -200, "detail \(fault.detail), not a reading below −20.0 °C")
        } else {
            f.expect(fault.detail > 800, "detail \(fault.detail), not a reading above 80.0 °C")
        }
        f.expect(status.temperature == Int16.min, "Status temperature \(status.temperature) while the sensor reads nothing valid, not −32768")
        f.expect(status.heaterSetpoint == 0 && status.heaterDuty == 0, "heater setpoint \(status.heaterSetpoint) duty \(status.heaterDuty) after the fault")
        let clear = try p.link.request(type: WireType.clearFault)
        f.expect(clear.nakReason == NakCode.conditionPersists, "ClearFault with the sensor still bad answered \(clear)")
        return f.outcome("code 2, detail \(fault.detail), temperature \(status.temperature), ClearFault \(clear)")
    }
}
