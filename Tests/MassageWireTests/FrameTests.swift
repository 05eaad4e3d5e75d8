import MassageWire
import PropertyBased
import Testing

@Suite struct FrameTests {
    static let entropy = Gen.uint8().array(of: 0...120)

    @Test func everyMessageRoundTrips() async {
        await propertyCheck(count: 2000, input: Self.entropy) { bytes in
            var source = Entropy(bytes)
            let frame = source.frame()
            let wire = Array(frame.encoded())
            #expect(wire.count <= WireLimits.maxWireFrame)
            #expect(wire.last == 0)
            #expect(!wire.dropLast().contains(0), "only the delimiter is zero")
            let (events, _) = decodeAll(wire)
            #expect(events == [.frame(frame)])
        }
    }

    /// PROTOCOL.md 3: header version 2 for every type, version 1 only for Hello, Info and
    /// Nak (the negotiation frames), anything else "unsupported version".
    @Test func headerVersionAcceptance() async {
        await propertyCheck(count: 1000, input: Self.entropy) { bytes in
            var source = Entropy(bytes)
            var frame = source.frame()
            frame.version = source.u8() % 5
            let accepted = frame.version == 2 || (frame.version == 1 && frame.message.type.isNegotiation)
            let (events, _) = decodeAll(Array(frame.encoded()))
            if accepted {
                #expect(events == [.frame(frame)])
            } else {
                #expect(events == [.error(.unsupportedVersion(FrameHeader(
                    version: frame.version, type: frame.message.type.rawValue, sequence: frame.sequence)))])
            }
        }
    }

    @Test func statusAndStatusReportDifferOnlyInType() {
        let status = Status(state: .running, temperature: 300, uptimeMicroseconds: 77, framesSuperseded: 5)
        let answer = Array(Frame(sequence: 9, message: .status(status)).encoded())
        let report = Array(Frame(sequence: 9, message: .statusReport(status)).encoded())
        let (events, _) = decodeAll(answer + report)
        #expect(events == [.frame(Frame(sequence: 9, message: .status(status))),
                           .frame(Frame(sequence: 9, message: .statusReport(status)))])
        #expect(MessageType.statusReport.rawValue == 0x88)
        #expect(MessageType.statusReport.isUnsolicited && !MessageType.status.isUnsolicited)
    }

    @Test func fieldsRoundTrip() async {
        await propertyCheck(count: 500, input: Self.entropy) { bytes in
            var source = Entropy(bytes)
            let message = source.message()
            let fields = Dictionary(uniqueKeysWithValues: message.fields.map { ($0.name, $0.value) })
            #expect(fields.count == message.fields.count, "field names are unique")
            #expect((try? Message(type: message.type, fields: fields)) == message)
        }
    }

    @Test func fieldErrorsNameTheField() {
        #expect(throws: FieldError("SetOutputs: missing field lease_ms")) {
            try Message(type: .setOutputs, fields: ["heater_setpoint": .number(0), "intensity": .numbers([])])
        }
        #expect(throws: FieldError("SetOutputs.lease_ms: 70000 is outside 0...65535")) {
            try Message(type: .setOutputs, fields: ["lease_ms": .number(70000), "heater_setpoint": .number(0), "intensity": .numbers([])])
        }
        #expect(throws: FieldError("Heartbeat: unknown field x")) {
            try Message(type: .heartbeat, fields: ["x": .number(1)])
        }
    }

    @Test func utf8ValidationAgreesWithTheStandardLibrary() async {
        // Bytes biased towards the lead and continuation ranges, where the edge cases are.
        let byte = Gen.frequency((2, Gen.uint8(in: 0x80...0xBF)), (2, Gen.uint8(in: 0xC0...0xFF)), (1, Gen.uint8()))
        await propertyCheck(count: 3000, input: byte.array(of: 0...16)) { bytes in
            let text = ShortText(bytes) ?? ShortText()
            #expect(text.isValidUTF8 == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }

    @Test func largestFrameFillsOneUSBPacket() {
        let outputs = FixedList<16, UInt16>((0..<16).map { UInt16($0) * 60 + 1 })!
        let status = Status(state: .running, faults: FaultSet(), temperature: 385, heaterSetpoint: 400, heaterDuty: 40,
                            uptimeMicroseconds: 0x0123_4567_89AB_CDEF, framesBad: 1, framesSuperseded: 2, dose: 1234,
                            outputs: outputs)
        let wire = Frame(sequence: 255, message: .status(status)).encoded()
        #expect(wire.count == 64)
    }
}
