import MassageKit
import MassageSimulator
import MassageWire
import Testing

/// The engine against a hand-played device: exact timing of retries, answers matched by
/// type and seq, latest-value-wins outputs, heartbeat cadence, link loss.
@Suite struct SessionEngineTests {
    /// Frames the engine sent since the last call.
    static func sent(_ engine: inout SessionEngine) -> [Frame] {
        var frames: [Frame] = []
        var decoder = FrameDecoder()
        decoder.feed(engine.takeOutgoing()) { event in
            if case .frame(let frame) = event { frames.append(frame) }
        }
        return frames
    }

    static func events(_ engine: inout SessionEngine) -> [SessionEvent] {
        var events: [SessionEvent] = []
        while let event = engine.nextEvent() { events.append(event) }
        return events
    }

    /// An engine that finished its handshake with the simulator's ring4 profile at t = 10 ms.
    static func readyEngine(configuration: SessionEngine.Configuration = SessionEngine.Configuration()) throws -> SessionEngine {
        var session = LockstepSession(device: SimulatedDevice(profile: .handheldRing4), configuration: configuration)
        _ = try session.connect().get()
        var engine = session.engine
        _ = engine.takeOutgoing()
        while engine.nextEvent() != nil {}
        return engine
    }

    @Test func handshakeReadsEverySection() throws {
        var session = LockstepSession(device: SimulatedDevice(profile: .handheldRing4))
        let capabilities = try session.connect().get()
        #expect(capabilities.serial == "SIM-R4-0001")
        #expect(capabilities.model == "Ring4 Heat")
        #expect(capabilities.actuatorCount == 4)
        #expect(capabilities.actuators.count == 4)
        #expect(capabilities.actuators[1].angle == 9000)
        #expect(capabilities.hasHeater)
        #expect(capabilities.protocolVersion == 2)
        #expect(capabilities.latchedFaults.isEmpty && capabilities.faultRecord == nil)
        #expect(session.now < 20_000, "the handshake took \(session.now) µs")
        #expect(session.events.first == .ready(capabilities))
    }

    @Test func helloIsRetriedWithTheSameSeqThenReportedUnanswered() {
        var engine = SessionEngine()
        engine.start(now: 0)
        var times: [UInt64] = []
        var sequences: Set<UInt8> = []
        var ended: SessionEvent? = nil
        for t in stride(from: UInt64(0), through: 500_000, by: 1000) {
            engine.advance(now: t)
            for frame in Self.sent(&engine) {
                #expect(frame.message.type == .hello)
                times.append(t)
                sequences.insert(frame.sequence)
            }
            for event in Self.events(&engine) where ended == nil {
                ended = event
                #expect(t == 375_000, "gave up at \(t) µs")
            }
        }
        #expect(times == [0, 25_000, 75_000, 175_000])
        #expect(sequences.count == 1)
        #expect(ended == .ended(.notAnswering(command: "Hello", tries: 4)))
    }

    @Test func commandsCompleteOnceEvenWhenAnsweredTwice() throws {
        var engine = try Self.readyEngine()
        let id = engine.submit(.getConfig(.slewPerSecond), now: 20_000)
        let request = try #require(Self.sent(&engine).first)
        #expect(request.message == .getConfig(.slewPerSecond))
        let answer = Frame(sequence: request.sequence, message: .config(ConfigEntry(key: .slewPerSecond, value: 777))).encoded()
        engine.receive(Array(answer), now: 21_000)
        engine.receive(Array(answer), now: 22_000)
        let completions = Self.events(&engine).filter { if case .completed = $0 { true } else { false } }
        #expect(completions == [.completed(id, .success(.config(ConfigEntry(key: .slewPerSecond, value: 777))))])
        #expect(engine.statistics.duplicateAnswers == 1)
    }

    @Test func anAnswerWithAnotherSeqDoesNotCount() throws {
        var engine = try Self.readyEngine()
        engine.submit(.clearFault, now: 20_000)
        let request = try #require(Self.sent(&engine).first)
        engine.receive(Array(Frame(sequence: request.sequence &+ 1, message: .ack(ackedType: MessageType.clearFault.rawValue)).encoded()),
                       now: 21_000)
        #expect(Self.events(&engine).isEmpty)
        engine.advance(now: 45_000)
        let retry = try #require(Self.sent(&engine).first { $0.message == .clearFault })
        #expect(retry.sequence == request.sequence)
    }

    @Test func stopGoesAheadOfQueuedCommandsAndDropsUnsentOutputs() throws {
        var engine = try Self.readyEngine()
        engine.submit(.setConfig(.slewPerSecond, 5000), now: 20_000)
        engine.submit(.setConfig(.statusPeriodMilliseconds, 200), now: 20_000)
        try engine.setOutputs(.off(actuatorCount: 4), now: 20_000)          // sent at once
        var busy = OutputLevels.off(actuatorCount: 4)
        busy.intensities[0] = 600
        try engine.setOutputs(busy, now: 20_100)                            // waits for the rate limit
        engine.submit(.stop, now: 20_200)
        // Answer everything in order as it comes, and record the order of first sends.
        var order: [Message] = []
        for t in stride(from: UInt64(20_000), through: 200_000, by: 1000) {
            engine.advance(now: t)
            for frame in Self.sent(&engine) {
                switch frame.message {
                case .setConfig, .stop:
                    order.append(frame.message)
                    engine.receive(Array(Frame(sequence: frame.sequence, message: .ack(ackedType: frame.message.type.rawValue)).encoded()), now: t)
                case .setOutputs(let outputs):
                    #expect(outputs.intensities[0] == 0, "an output sent after Stop was queued before it")
                default: break
                }
            }
        }
        #expect(order == [.setConfig(ConfigEntry(key: .slewPerSecond, value: 5000)), .stop,
                          .setConfig(ConfigEntry(key: .statusPeriodMilliseconds, value: 200))])
    }

    @Test func outputsAreLatestValueWinsAtTheDeviceRate() throws {
        var engine = try Self.readyEngine()
        let interval = try #require(engine.capabilities).minimumOutputInterval
        func levels(_ value: UInt16) -> OutputLevels {
            var levels = OutputLevels.off(actuatorCount: 4)
            for i in 0..<4 { levels.intensities[i] = value }
            return levels
        }
        try engine.setOutputs(levels(1), now: 100_000)
        try engine.setOutputs(levels(2), now: 100_001)
        try engine.setOutputs(levels(3), now: 100_002)
        try engine.setOutputs(levels(4), now: 100_003)
        var sent: [(UInt64, UInt16)] = []
        for t in [100_000, 100_003, 100_000 + interval - 1, 100_000 + interval, 100_000 + 3 * interval] {
            engine.advance(now: t)
            for frame in Self.sent(&engine) {
                if case .setOutputs(let outputs) = frame.message { sent.append((t, outputs.intensities[0])) }
            }
        }
        #expect(sent.map(\.1) == [1, 4], "sent \(sent)")
        #expect(sent.last?.0 == 100_000 + interval)
        #expect(engine.statistics.outputsCoalesced == 2)
        #expect(engine.statistics.outputsSent == 2)
    }

    @Test func heartbeatsKeepTheWatchdogFedAtTwentyHertz() throws {
        var engine = try Self.readyEngine()
        var times: [UInt64] = []
        for t in stride(from: UInt64(20_000), through: 1_020_000, by: 1000) {
            // The device keeps reporting, so the link stays up.
            if t % 100_000 == 0 {
                engine.receive(Array(Frame(sequence: 0, message: .statusReport(Status(state: .idle, uptimeMicroseconds: t))).encoded()), now: t)
            }
            engine.advance(now: t)
            for frame in Self.sent(&engine) where frame.message == .heartbeat { times.append(t) }
        }
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        #expect(times.count >= 19)
        #expect(gaps.allSatisfy { $0 <= 50_000 }, "gaps \(gaps)")
    }

    @Test func silenceForOneSecondEndsTheSession() throws {
        var engine = try Self.readyEngine()
        let last: UInt64 = 30_000
        engine.receive(Array(Frame(sequence: 0, message: .statusReport(Status(state: .idle, uptimeMicroseconds: 1))).encoded()), now: last)
        var endedAt: UInt64? = nil
        for t in stride(from: last, through: last + 1_500_000, by: 1000) {
            engine.advance(now: t)
            _ = engine.takeOutgoing()
            if endedAt == nil, Self.events(&engine).contains(where: { if case .ended = $0 { true } else { false } }) {
                endedAt = t
            }
        }
        #expect(endedAt == last + 1_000_000)
        #expect(engine.phase == .ended(.linkLost(milliseconds: 1000)))
    }

    @Test func aQuietDeviceIsProbedWithGetStatus() throws {
        var engine = try Self.readyEngine()
        engine.receive(Array(Frame(sequence: 0, message: .statusReport(Status(state: .idle, uptimeMicroseconds: 1))).encoded()), now: 30_000)
        engine.advance(now: 30_000 + 250_000)
        #expect(Self.sent(&engine).contains { $0.message == .getStatus })
    }

    @Test func aDeviceWithoutACommonVersionIsRefused() {
        var configuration = SessionEngine.Configuration()
        configuration.minVersion = 3
        configuration.maxVersion = 4
        var session = LockstepSession(device: SimulatedDevice(profile: .handheldRing4), configuration: configuration)
        let result = session.connect()
        #expect(result == .failure(.unsupportedVersion(hostMin: 3, hostMax: 4, device: nil)))
        #expect("\(SessionError.unsupportedVersion(hostMin: 3, hostMax: 4, device: nil))".contains("update"))
    }

    @Test func reconnectingToAnotherDeviceIsRefused() {
        var configuration = SessionEngine.Configuration()
        configuration.expectedSerial = "SIM-S1-0001"
        var session = LockstepSession(device: SimulatedDevice(profile: .handheldRing4), configuration: configuration)
        #expect(session.connect() == .failure(.wrongDevice(expectedSerial: "SIM-S1-0001", foundSerial: "SIM-R4-0001")))
    }

    @Test func outputsThatDoNotFitTheDeviceAreRefused() throws {
        var engine = try Self.readyEngine()
        #expect(throws: SessionError.invalidOutputs("2 intensities for a device with 4 actuators")) {
            try engine.setOutputs(OutputLevels(intensities: Intensities([1, 2]) ?? Intensities()), now: 20_000)
        }
        var tooHigh = OutputLevels.off(actuatorCount: 4)
        tooHigh.intensities[2] = 1001
        #expect(throws: SessionError.self) { try engine.setOutputs(tooHigh, now: 20_000) }
        #expect(Self.sent(&engine).isEmpty)
    }

    // MARK: Protocol version 2

    /// Plays a device by hand through the handshake: one actuator, and `faults` latched
    /// (with the watchdog first, at 7.7 s of uptime) when the host asks GetStatus at 20 s.
    static func handshake(faults: FaultSet, answerRecord: Bool = true) -> (SessionEngine, [Frame]) {
        var engine = SessionEngine()
        engine.start(now: 0)
        var seen: [Frame] = []
        let info = DeviceInfo(firmwareMajor: 1, firmwareMinor: 0, firmwarePatch: 0, actuatorCount: 1, layout: .single,
                              matZoneCount: 0, heaterCap: 0, heaterCapLimit: 0, maxOutputRateHz: 100,
                              watchdogMilliseconds: 500, maxLeaseMilliseconds: 3000, statusPeriodMilliseconds: 100,
                              matPeriodMilliseconds: 0, doseLimit: 0)
        for step in 0..<8 {
            guard let frame = sent(&engine).last else { break }
            seen.append(frame)
            let answer: Frame
            switch frame.message {
            case .hello:
                answer = Frame(version: 1, sequence: frame.sequence, message: .info(.device(info)))
            case .getInfo(let request) where request.section == .identity:
                answer = Frame(sequence: frame.sequence, message: .info(.identity(DeviceIdentity(
                    vendor: ShortText(text: "T") ?? ShortText(), model: ShortText(text: "M") ?? ShortText(),
                    serial: ShortText(text: "S") ?? ShortText()))))
            case .getInfo(let request) where request.section == .actuator:
                answer = Frame(sequence: frame.sequence, message: .info(.actuator(index: 0, ActuatorInfo(
                    placement: .centre, acceleration: 100, spinUpMilliseconds: 50))))
            case .getStatus:
                answer = Frame(sequence: frame.sequence, message: .status(Status(
                    state: faults.isEmpty ? .idle : .faulted, faults: faults, uptimeMicroseconds: 20_000_000)))
            case .getInfo(let request) where request.section == .faultRecord && answerRecord:
                answer = Frame(sequence: frame.sequence, message: .info(.faultRecord(FaultRecord(
                    code: 0, faults: faults, detail: 500, uptimeMicroseconds: 7_700_000))))
            default:
                answer = Frame(sequence: frame.sequence, message: .nak(Nak(rejectedType: frame.message.type.rawValue,
                                                                            reason: .unknownType)))
            }
            engine.receive(Array(answer.encoded()), now: UInt64(step + 1) * 1000)
        }
        return (engine, seen)
    }

    @Test func helloGoesInHeaderVersion1AndTheHandshakeEndsWithGetStatus() throws {
        var (engine, seen) = Self.handshake(faults: FaultSet())
        #expect(seen.first?.version == 1)
        #expect(seen.first?.message == .hello(Hello(minVersion: 2, maxVersion: 2)))
        #expect(seen.dropFirst().allSatisfy { $0.version == 2 })
        #expect(seen.last?.message == .getStatus)
        let capabilities = try #require(engine.capabilities)
        #expect(capabilities.latchedFaults.isEmpty && capabilities.faultRecord == nil)
        #expect(Self.events(&engine).first == .ready(capabilities))
    }

    @Test func aLatchedFaultIsReadWithItsRecordAtTheHandshake() throws {
        let (engine, seen) = Self.handshake(faults: .watchdog)
        #expect(seen.suffix(2).map(\.message) == [.getStatus, .getInfo(InfoRequest(section: .faultRecord))])
        let capabilities = try #require(engine.capabilities)
        #expect(capabilities.latchedFaults == .watchdog)
        #expect(capabilities.onlyWatchdogLatched)
        #expect(capabilities.faultRecord?.code == 0)
        #expect(capabilities.secondsSinceFirstFault.map { abs($0 - 12.3) < 1e-9 } == true)
        let (other, _) = Self.handshake(faults: FaultSet.watchdog.union(.motorStall))
        #expect(other.capabilities?.onlyWatchdogLatched == false)
        // A device that refuses section 3 still gets a session, without the record.
        let (refusing, _) = Self.handshake(faults: .motorStall, answerRecord: false)
        #expect(refusing.phase == .ready && refusing.capabilities?.faultRecord == nil)
    }

    @Test func getStatusIsAnsweredOnlyByStatusWithItsSeq() throws {
        var engine = try Self.readyEngine()
        let id = engine.submit(.getStatus, now: 20_000)
        let request = try #require(Self.sent(&engine).last)
        #expect(request.message == .getStatus)
        let status = Status(state: .idle, uptimeMicroseconds: 5)
        // A periodic report with the same seq, and a Status with another seq: neither answers.
        engine.receive(Array(Frame(sequence: request.sequence, message: .statusReport(status)).encoded()), now: 21_000)
        engine.receive(Array(Frame(sequence: request.sequence &+ 1, message: .status(status)).encoded()), now: 21_000)
        var events = Self.events(&engine)
        #expect(!events.contains { if case .completed = $0 { true } else { false } })
        #expect(events == [.status(status)], "the report is a status event; the stray Status is ignored")
        #expect(engine.statistics.duplicateAnswers == 1)
        let answer = Status(state: .idle, uptimeMicroseconds: 6)
        engine.receive(Array(Frame(sequence: request.sequence, message: .status(answer)).encoded()), now: 22_000)
        events = Self.events(&engine)
        #expect(events.first == .completed(id, .success(.status(answer))))
    }

    @Test func lostUnsolicitedFramesAreCountedFromTheGaps() throws {
        var engine = try Self.readyEngine()
        let before = engine.statistics.unsolicitedLost
        for seq: UInt8 in [200, 201, 204, 205] {
            engine.receive(Array(Frame(sequence: seq, message: .statusReport(Status(state: .idle, uptimeMicroseconds: 1))).encoded()),
                           now: 30_000)
        }
        #expect(engine.statistics.unsolicitedLost - before == 2)
    }
}
