import MassageFirmware
import MassageWire
import Testing

/// How the core answers each message (PROTOCOL.md sections 4 and 5).
@Suite struct ProtocolAnswerTests {
    @Test func helloIsAnsweredWithDeviceInfoUnderTheSameSeq() throws {
        var h = FirmwareHarness()
        h.send(.hello(Hello(minVersion: 1, maxVersion: 3)), sequence: 42)
        let answer = try #require(h.takeSent().first)
        #expect(answer.sequence == 42)
        guard case .info(.device(let info)) = answer.message else {
            Issue.record("expected Info(Device), got \(answer.message)")
            return
        }
        #expect(info.protocolVersion == 2)
        #expect(answer.version == 1, "the answer to Hello is in header version 1")
        #expect(info.actuatorCount == 4 && info.layout == .ring && info.matZoneCount == 64)
        #expect(info.heaterCap == 410 && info.heaterCapLimit == 430 && info.watchdogMilliseconds == 500)
        #expect(h.core.sessionActive)
    }

    @Test func helloWithNoCommonVersionIsRefused() {
        var h = FirmwareHarness()
        h.send(.hello(Hello(minVersion: 3, maxVersion: 5)))
        #expect(h.takeSent().map(\.nakReason) == [.unsupportedVersion])
        #expect(!h.core.sessionActive)
    }

    @Test func setOutputsBeforeHelloIsNotReady() {
        var h = FirmwareHarness()
        h.setOutputs([100, 100, 100, 100])
        #expect(h.takeSent().map(\.nakReason) == [.notReady])
    }

    @Test func wrongCountOrIntensityIsOutOfRangeAndChangesNothing() {
        var h = FirmwareHarness()
        h.startSession()
        h.setOutputs([100, 100, 100])
        h.setOutputs([100, 100, 100, 1001])
        #expect(h.takeSent().map(\.nakReason) == [.outOfRange, .outOfRange])
        h.step()
        #expect(h.lastOutputs.isAllOff)
    }

    @Test func framesTheDeviceCannotUseAreNakedWithTheirSeq() {
        var h = FirmwareHarness()
        h.startSession()
        // Unknown type 0x42, a device → host type (Ack), a Heartbeat in header version 1
        // (only Hello, Info and Nak may use it), a malformed Hello.
        h.sendRaw(rawFrame(version: 2, type: 0x42, sequence: 7, payload: []))
        h.send(.ack(ackedType: 3), sequence: 8)
        h.sendRaw(rawFrame(version: 1, type: 0x04, sequence: 9, payload: []))
        h.sendRaw(rawFrame(version: 2, type: 0x01, sequence: 10, payload: [1, 2, 3]))
        let answers = h.takeSent()
        #expect(answers.map(\.sequence) == [7, 8, 9, 10])
        #expect(answers.map(\.nakReason) == [.unknownType, .unknownType, .unsupportedVersion, .malformed])
        // Garbage is counted, never answered.
        h.sendRaw([0x13, 0x37, 0x00, 0x05, 0x01, 0x02, 0x00])
        #expect(h.takeSent().isEmpty)
        #expect(h.core.framesBad == 2)
    }

    @Test func getInfoReturnsEachSectionAndRefusesAnIndexPastTheLast() {
        var h = FirmwareHarness()
        h.send(.getInfo(InfoRequest(section: .identity)))
        h.send(.getInfo(InfoRequest(section: .actuator, index: 1)))
        h.send(.getInfo(InfoRequest(section: .actuator, index: 4)))
        let answers = h.takeSent().map(\.message)
        #expect(answers.count == 3)
        if case .info(.identity(let identity)) = answers.first { #expect(identity.serial.text == "T0001") }
        else { Issue.record("no identity: \(answers)") }
        if case .info(.actuator(let index, let actuator)) = answers.dropFirst().first {
            #expect(index == 1 && actuator.angle == 9000 && actuator.acceleration == 1000)
        } else { Issue.record("no actuator: \(answers)") }
        #expect(answers.last == .nak(Nak(rejectedType: 0x09, reason: .outOfRange)))
    }

    @Test func configRoundTripsAndRefusesUnknownKeysAndRanges() {
        var h = FirmwareHarness()
        h.send(.setConfig(ConfigEntry(key: .statusPeriodMilliseconds, value: 250)))
        h.send(.getConfig(.statusPeriodMilliseconds))
        h.send(.setConfig(ConfigEntry(key: .statusPeriodMilliseconds, value: 5)))
        h.send(.setConfig(ConfigEntry(key: ConfigKey(rawValue: 99), value: 1)))
        h.send(.getConfig(ConfigKey(rawValue: 99)))
        h.send(.setConfig(ConfigEntry(key: .doseLimit, value: 401)))
        #expect(h.takeSent().map(\.message) == [
            .ack(ackedType: 0x06),
            .config(ConfigEntry(key: .statusPeriodMilliseconds, value: 250)),
            .nak(Nak(rejectedType: 0x06, reason: .outOfRange)),
            .nak(Nak(rejectedType: 0x06, reason: .outOfRange)),
            .nak(Nak(rejectedType: 0x07, reason: .outOfRange)),
            .nak(Nak(rejectedType: 0x06, reason: .outOfRange)),
        ])
    }

    @Test func aRetriedCommandIsAnsweredAgainButNotAppliedTwice() {
        var h = FirmwareHarness()
        h.hostAlive = false
        h.startSession()
        h.setOutputs([100, 100, 100, 100])
        h.run(until: h.now + 600_000)   // watchdog fault (armed: something was driven)
        h.send(.clearFault, sequence: 77)
        #expect(h.core.faults.isEmpty)
        h.setOutputs([100, 100, 100, 100])
        h.run(until: h.now + 600_000)   // it latches again
        #expect(h.core.faults.contains(.watchdog))
        h.takeSent()
        h.send(.clearFault, sequence: 77)   // a retry of the first: 600 ms later, inside the 1 s window
        #expect(h.takeSent().map(\.message) == [.ack(ackedType: 0x08)])
        #expect(h.core.faults.contains(.watchdog), "a retry must not clear a fault latched since")
        h.send(.clearFault, sequence: 78)
        #expect(h.core.faults.isEmpty)
    }

    @Test func periodicStatusAndMatReportsFollowTheirPeriods() {
        var h = FirmwareHarness()
        h.startSession()
        for zone in 0..<64 { h.sensors.matPressures[zone] = UInt16(zone * 10) }
        h.run(until: h.now + 1_000_000)
        let frames = h.takeSent()
        let statuses = frames.filter { if case .statusReport = $0.message { return true } else { return false } }
        let reports = frames.compactMap { frame -> MatReport? in
            if case .matReport(let report) = frame.message { return report } else { return nil }
        }
        #expect(statuses.count == 10, "100 ms period over 1 s")
        #expect(reports.count == 20 * 3, "50 ms period, 64 zones in 22 + 22 + 20")
        #expect(reports.prefix(3).map { $0.firstZone } == [0, 22, 44])
        // (A key path through FixedList here crashes the Swift 6.3.1 compiler.)
        #expect(reports.prefix(3).map { $0.pressures.count } == [22, 22, 20])
        #expect(reports[2].pressures[19] == 630)
        // Unsolicited frames count up by one each, so a host can see losses.
        let unsolicited = frames.filter { $0.message.type != .ack }.map(\.sequence)
        for (a, b) in zip(unsolicited, unsolicited.dropFirst()) { #expect(b == a &+ 1) }
    }

    @Test func setOutputsFasterThanTheDeviceRateAreHeldAndTheNewestApplied() {
        var h = FirmwareHarness()
        h.startSession()
        h.setOutputs([100, 100, 100, 100])
        h.setOutputs([900, 900, 900, 900])   // same instant: over 200 Hz, held
        h.setOutputs([800, 800, 800, 800])   // replaces the held one: superseded
        #expect(h.takeSent().isEmpty, "held frames get no Nak")
        h.send(.getStatus)
        guard case .status(let status) = h.takeSent().last?.message else {
            Issue.record("no status")
            return
        }
        #expect(status.framesSuperseded == 1)
        h.run(until: h.now + 200_000)
        #expect(h.lastOutputs.motorDuties[0] == 800, "the newest frame is in force")
    }

    @Test func stopIsAckedAndZeroesEverythingAtOnceEvenBeforeHello() {
        var h = FirmwareHarness()
        h.send(.stop, sequence: 3)
        #expect(h.takeSent().map(\.message) == [.ack(ackedType: 0x03)])
        h.startSession()
        h.setOutputs([1000, 1000, 1000, 1000], heater: 380)
        h.run(until: h.now + 300_000)
        #expect(!h.lastOutputs.isAllOff)
        h.send(.stop)
        h.step()
        #expect(h.lastOutputs.isAllOff)
        #expect(h.core.heaterTarget == 0)
    }
}

/// A raw frame with any header, CRC-correct.
func rawFrame(version: UInt8, type: UInt8, sequence: UInt8, payload: [UInt8]) -> [UInt8] {
    var raw = [version, type, sequence] + payload
    let crc = CRC32C.checksum(raw)
    raw += [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)]
    var encoded = [UInt8](repeating: 0, count: raw.count + 1)
    var code = 0, write = 1
    for byte in raw {
        if byte == 0 {
            encoded[code] = UInt8(write - code)
            code = write
            write += 1
        } else {
            encoded[write] = byte
            write += 1
        }
    }
    encoded[code] = UInt8(write - code)
    return Array(encoded.prefix(write)) + [0]
}
