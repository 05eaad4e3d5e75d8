import MassageFirmware
import MassageWire
import PropertyBased
import Testing

/// The defects of issue 11 and the rules of protocol version 2
/// (/work/protocol-v2-decisions.md, PROTOCOL.md): each test failed on the version-1 core.
@Suite struct ProtocolV2Tests {
    // MARK: Defect 1: latest value wins on the device

    /// Any SetOutputs sequence with any spacing: the newest frame is the one in force
    /// within one rate period of its arrival; an all-zero frame or Stop drives 0 at once.
    @Test func theNewestSetOutputsIsDrivenWithinOneRatePeriod() async {
        await propertyCheck(count: 300, input: Gen.uint8().array(of: 2...80)) { bytes in
            var h = FirmwareHarness()
            h.startSession()
            let interval = 1_000_000 / UInt64(h.core.profile.maxOutputRateHz)
            var newest: [UInt16] = [0, 0, 0, 0]
            var i = 0
            while i + 1 < bytes.count {
                let kind = bytes[i], gapByte = bytes[i + 1]
                i += 2
                // 0 to 12.75 ms, so frames come both faster and slower than the rate.
                h.advance(by: UInt64(gapByte) * 50)
                switch kind % 8 {
                case 0:
                    h.send(.stop)
                    newest = [0, 0, 0, 0]
                case 1:
                    h.setOutputs([0, 0, 0, 0], lease: 3000)
                    newest = [0, 0, 0, 0]
                default:
                    newest = (0..<4).map { UInt16((Int(kind) * 37 + $0 * 211 + Int(gapByte)) % 1001) }
                    h.setOutputs(newest, lease: 3000)
                }
                if newest == [0, 0, 0, 0] {
                    #expect(h.core.outputs.isAllOff, "an all-zero frame or Stop drives 0 at once")
                    #expect(Array(h.core.motorTargets) == newest)
                }
            }
            h.run(until: h.now + interval + h.tick)
            #expect(Array(h.core.motorTargets) == newest, "the newest frame is in force one period later")
            #expect(h.takeSent().allSatisfy { $0.nakReason == nil })
        }
    }

    /// PROTOCOL.md 6.2's measurement: rising frames faster than the rate for a window T;
    /// applied = sent − frames_superseded; applied / T ≤ rate (+1 for the edge); and the
    /// last frame sent is the one in force a period later.
    @Test func theEnforcedRateEqualsTheDeclaredRate() throws {
        var h = FirmwareHarness()
        h.startSession()
        let before = h.takeStatus()
        let rate = UInt64(h.core.profile.maxOutputRateHz)
        var sent: UInt64 = 0
        let start = h.now
        var value: UInt16 = 0
        // Strictly rising values (a frame that raises nothing is applied at once, whatever
        // the rate), ~1430 frames a second for 0.5 s.
        while h.now < start + 500_000 {
            value += 1
            h.setOutputs([value, value, value, value], lease: 3000)
            sent += 1
            h.advance(by: 700)
        }
        let window = h.now - start
        h.run(until: h.now + 1_000_000 / rate + h.tick)
        let elapsed = h.now - start
        let after = h.takeStatus()
        let applied = sent - UInt64((after?.framesSuperseded ?? 0) - (before?.framesSuperseded ?? 0))
        #expect(before != nil && after != nil)
        #expect(applied <= rate * elapsed / 1_000_000 + 1, "applied \(applied) of \(sent) in \(elapsed) µs")
        #expect(applied >= rate * window / 1_000_000 - 1, "the rate is used, not undercut: \(applied)")
        let last = value
        #expect(Array(h.core.motorTargets) == [last, last, last, last])
    }

    @Test func aLoweringFrameIsAppliedAtOnceAndDropsTheHeldOne() {
        var h = FirmwareHarness()
        h.startSession()
        h.setOutputs([1000, 1000, 1000, 1000], lease: 3000)
        h.advance(by: 1000)
        h.setOutputs([900, 900, 900, 900], lease: 3000)   // raises nothing: at once
        #expect(Array(h.core.motorTargets) == [900, 900, 900, 900])
        h.setOutputs([950, 950, 950, 950], lease: 3000)   // a raise: held
        h.setOutputs([100, 100, 100, 100], lease: 3000)   // lower: at once, drops the held one
        h.run(until: h.now + 20_000)
        #expect(Array(h.core.motorTargets) == [100, 100, 100, 100])
        // A held frame that Stop discards is counted too: sent − superseded = applied.
        h.setOutputs([200, 200, 200, 200], lease: 3000)
        h.setOutputs([300, 300, 300, 300], lease: 3000)   // held
        h.send(.stop)
        #expect(h.takeStatus()?.framesSuperseded == 2)
    }

    // MARK: Defect 2: the watchdog is armed only while something is driven

    @Test func anIdleDeviceThatHearsNothingLatchesNothing() {
        var h = FirmwareHarness()
        h.hostAlive = false
        h.startSession()
        h.run(until: h.now + 2_000_000)
        #expect(h.core.faults.isEmpty, "idle after Hello")
        h.setOutputs([500, 500, 500, 500], heater: 380, lease: 300)
        h.step()
        h.send(.stop)
        h.run(until: h.now + 3_000_000)
        #expect(h.core.faults.isEmpty, "idle after an acknowledged Stop")
        h.setOutputs([500, 500, 500, 500], lease: 200)
        h.run(until: h.now + 3_000_000)
        #expect(h.core.faults.isEmpty, "idle after the lease ran out")
    }

    @Test func theWatchdogStillTripsWhileDriven() {
        var h = FirmwareHarness()
        h.hostAlive = false
        h.startSession()
        h.setOutputs([500, 500, 500, 500], lease: 3000)
        let last = h.now
        h.run(until: h.now + 1_000_000) { $0.faults.contains(.watchdog) }
        #expect(h.core.faults.contains(.watchdog))
        #expect(h.now - last >= 500_000 && h.now - last <= 500_000 + h.tick)
    }

    @Test func theSmallestWatchdogIs250ms() {
        var h = FirmwareHarness()
        h.startSession()
        h.send(.setConfig(ConfigEntry(key: .watchdogMilliseconds, value: 249)))
        #expect(h.takeSent().map(\.nakReason) == [.outOfRange])
        h.send(.setConfig(ConfigEntry(key: .watchdogMilliseconds, value: 250)))
        #expect(h.takeSent().map(\.message) == [.ack(ackedType: MessageType.setConfig.rawValue)])
        h.send(.setConfig(ConfigEntry(key: .watchdogMilliseconds, value: 2001)))
        #expect(h.takeSent().map(\.nakReason) == [.outOfRange])
    }

    /// Hello does not clear faults; Info section 3 says what latched first and when,
    /// until ClearFault.
    @Test func theFaultRecordKeepsTheFirstFaultUntilCleared() throws {
        var h = FirmwareHarness()
        h.hostAlive = false
        h.startSession()
        h.setOutputs([500, 500, 500, 500], lease: 3000)
        h.run(until: h.now + 1_000_000) { $0.faults.contains(.watchdog) }
        let latchedAt = h.now
        h.hostAlive = true
        h.send(.hello(Hello()))
        #expect(h.core.faults.contains(.watchdog), "Hello does not clear faults")
        h.takeSent()
        h.send(.getInfo(InfoRequest(section: .faultRecord)), sequence: 90)
        let answer = try #require(h.takeSent().first)
        #expect(answer.sequence == 90)
        #expect(answer.message == .info(.faultRecord(FaultRecord(
            code: 0, faults: .watchdog, detail: 500, uptimeMicroseconds: latchedAt))))
        h.send(.clearFault)
        h.takeSent()
        h.send(.getInfo(InfoRequest(section: .faultRecord)))
        #expect(h.takeSent().first?.message == .info(.faultRecord(FaultRecord())))
    }

    // MARK: Defect 3: replies and periodic frames differ by type

    @Test func getStatusIsAnsweredByStatusAndThePeriodicReportIsStatusReport() {
        var h = FirmwareHarness()
        h.startSession()
        h.run(until: h.now + 1_000_000)
        let periodic = h.takeSent().filter { $0.message.type == .statusReport || $0.message.type == .status }
        #expect(periodic.count == 10)
        #expect(periodic.allSatisfy { $0.message.type == .statusReport })
        h.send(.getStatus, sequence: 123)
        let answers = h.takeSent()
        #expect(answers.count == 1)
        #expect(answers.first?.sequence == 123)
        #expect(answers.first?.message.type == .status)
    }

    // MARK: Defect 4: no plausible temperature while the reading is invalid

    @Test func statusSaysNoReadingWhileTheReadingIsInvalid() throws {
        var h = FirmwareHarness()
        h.startSession()
        h.run(until: h.now + 300_000)
        let status1 = h.takeStatus()
        #expect(status1?.temperature == 250)
        h.reading = 1500   // shorted: out of range
        h.run(until: h.now + 150_000)
        let status2 = h.takeStatus()
        #expect(status2?.temperature == Status.noTemperature, "out of range")
        h.reading = 260
        h.run(until: h.now + 150_000)
        let status3 = h.takeStatus()
        #expect(status3?.temperature == 260)
        h.reading = nil    // silent: stale after 1 s
        h.run(until: h.now + 1_100_000)
        let status4 = h.takeStatus()
        #expect(status4?.temperature == Status.noTemperature, "stale")
    }

    // MARK: Defect 5: direction before payload

    @Test func deviceToHostTypesAreUnknownWhateverTheirPayload() {
        var h = FirmwareHarness()
        h.startSession()
        for type: UInt8 in 0x81...0x88 {
            for length in [0, 1, 2, 5, 13, 23] {
                h.sendRaw(rawFrame(version: 2, type: type, sequence: 5, payload: [UInt8](repeating: 1, count: length)))
                let answers = h.takeSent()
                #expect(answers.map(\.nakReason) == [.unknownType], "type \(type) with \(length) payload bytes")
                #expect(answers.first?.message == .nak(Nak(rejectedType: type, reason: .unknownType)))
            }
        }
    }

    // MARK: Defect 6: devices without a mat or a heater

    @Test func aDeviceWithoutMatOrHeaterReportsZeroAndRefusesTheirKeys() throws {
        var profile = DeviceProfile.testHandheld
        profile.matZoneCount = 0
        profile.hasHeater = false
        var h = FirmwareHarness(profile: profile)
        h.send(.hello(Hello()))
        guard case .info(.device(let info)) = try #require(h.takeSent().first).message else {
            Issue.record("no Info")
            return
        }
        #expect(info.matPeriodMilliseconds == 0)
        #expect(info.heaterCap == 0 && info.heaterCapLimit == 0)
        for key in [ConfigKey.matPeriodMilliseconds, .heaterCap, .heatSessionLimitSeconds] {
            h.send(.getConfig(key))
            #expect(h.takeSent().map(\.message) == [.config(ConfigEntry(key: key, value: 0))])
        }
        for (key, value) in [(ConfigKey.matPeriodMilliseconds, UInt32(50)), (.heaterCap, 350), (.heatSessionLimitSeconds, 600)] {
            h.send(.setConfig(ConfigEntry(key: key, value: value)))
            #expect(h.takeSent().map(\.nakReason) == [.outOfRange])
        }
    }

    // MARK: Defect 7: rules that had no failing test

    @Test func overTemperatureLatchesAboveTheCapPlusTwoDegrees() {
        var h = FirmwareHarness()
        h.startSession()
        h.reading = 430   // cap 41.0 °C + 2.0: not yet
        h.run(until: h.now + 300_000)
        #expect(h.core.faults.isEmpty)
        h.setOutputs([300, 300, 300, 300], heater: 400, lease: 3000)
        h.reading = 431
        h.run(until: h.now + 150_000)
        #expect(h.core.faults == .overTemperature)
        let fault = h.takeSent().compactMap(\.fault).first
        #expect(fault?.code == 4 && fault?.detail == 431)
        #expect(h.core.heaterTarget == 0 && h.core.outputs.isAllOff)
    }

    @Test func the43DegreeClampHoldsWhenAProfileDeclaresMore() throws {
        var profile = DeviceProfile.testHandheld
        profile.heaterCapLimit = 600
        var h = FirmwareHarness(profile: profile)
        h.send(.hello(Hello()))
        guard case .info(.device(let info)) = try #require(h.takeSent().first).message else {
            Issue.record("no Info")
            return
        }
        #expect(info.heaterCapLimit == 430)
        h.send(.setConfig(ConfigEntry(key: .heaterCap, value: 431)))
        #expect(h.takeSent().map(\.nakReason) == [.outOfRange])
        h.send(.setConfig(ConfigEntry(key: .heaterCap, value: 430)))
        h.setOutputs([0, 0, 0, 0], heater: 600, lease: 3000)
        #expect(h.core.heaterTarget == 430)
    }

    @Test func aRetriedStopIsAppliedAgain() {
        var h = FirmwareHarness()
        h.startSession()
        h.send(.stop, sequence: 50)
        #expect(h.takeSent().map(\.message) == [.ack(ackedType: MessageType.stop.rawValue)])
        h.run(until: h.now + 10_000)
        h.setOutputs([600, 600, 600, 600], heater: 380, lease: 3000)
        h.run(until: h.now + 100_000)
        #expect(!h.core.outputs.isAllOff)
        h.takeSent()
        h.send(.stop, sequence: 50)   // a retry: same type and seq inside 1 s
        #expect(h.takeSent().map(\.message) == [.ack(ackedType: MessageType.stop.rawValue)])
        #expect(h.core.outputs.isAllOff && h.core.heaterTarget == 0)
    }

    // MARK: Negotiation and sessions

    @Test func helloIsAnsweredInHeaderVersion1() throws {
        var h = FirmwareHarness()
        h.send(.hello(Hello(minVersion: 1, maxVersion: 2)), sequence: 3, version: 1)
        let answer = try #require(h.takeSent().first)
        #expect(answer.version == 1)
        guard case .info(.device(let info)) = answer.message else {
            Issue.record("expected Info(Device), got \(answer.message)")
            return
        }
        #expect(info.protocolVersion == 2)
        h.send(.hello(Hello(minVersion: 1, maxVersion: 1)), sequence: 4, version: 1)
        let refusal = try #require(h.takeSent().first)
        #expect(refusal.version == 1)
        #expect(refusal.message == .nak(Nak(rejectedType: MessageType.hello.rawValue, reason: .unsupportedVersion)))
    }

    @Test func aNewHelloStopsEverythingAndResetsTheBudgets() throws {
        var h = FirmwareHarness()
        h.startSession()
        h.reading = 370
        h.setOutputs([1000, 1000, 1000, 1000], heater: 380, lease: 3000)
        h.run(until: h.now + 1_000_000)
        let status5 = h.takeStatus()
        #expect((status5?.dose ?? 0) > 0)
        h.send(.hello(Hello()))
        #expect(h.core.outputs.isAllOff && h.core.heaterTarget == 0)
        #expect(Array(h.core.motorTargets) == [0, 0, 0, 0])
        #expect(h.core.doseHundredths == 0)
        h.run(until: h.now + 10_000)
        #expect(h.core.outputs.isAllOff, "no lease or held frame survives a Hello")
    }
}

extension FirmwareHarness {
    /// Moves the clock by `gap` µs, ticking on the way; the last part of a tick passes
    /// without one (a frame then arrives between ticks).
    mutating func advance(by gap: UInt64) {
        let target = now + gap
        while true {
            let nextTick = (now / tick + 1) * tick
            guard nextTick <= target else { break }
            now = nextTick - tick   // `step` adds one tick
            step()
        }
        now = target
    }

    /// GetStatus's answer (the sent list is cleared).
    mutating func takeStatus() -> Status? {
        takeSent()
        send(.getStatus)
        for frame in takeSent() {
            if case .status(let status) = frame.message { return status }
        }
        return nil
    }
}
