import MassageConformance
import MassageWire
import PropertyBased
import Testing

/// The suite's own frame layer must agree with the reference codec byte for byte, or a
/// check would blame the device for the suite's mistake.
@Suite struct RawFrameTests {
    @Test func knownCOBS() {
        #expect(RawFrame.cobsEncode([]) == [0x01])
        #expect(RawFrame.cobsEncode([0x00]) == [0x01, 0x01])
        #expect(RawFrame.cobsEncode([0x11, 0x22, 0x00, 0x33]) == [0x03, 0x11, 0x22, 0x02, 0x33])
        #expect(RawFrame.cobsDecode([0x05, 0x01, 0x02]) == nil, "a code byte past the end")
        #expect(RawFrame.cobsDecode([0x00]) == nil, "a zero code byte")
    }

    @Test func cobsRoundTrips() async {
        await propertyCheck(count: 500, input: Gen.uint8(in: 0...3).array(of: 0...WireLimits.maxRawFrame)) { bytes in
            let encoded = RawFrame.cobsEncode(bytes)
            #expect(!encoded.contains(0))
            #expect(encoded.count == bytes.count + 1)
            #expect(RawFrame.cobsDecode(encoded) == bytes)
        }
    }

    @Test func agreesWithTheReferenceCodec() async {
        await propertyCheck(count: 300, input: Gen.uint8(in: 0...255), Gen.uint16(in: 0...3000),
                            Gen.uint16(in: 0...1000).array(of: 0...16)) { seq, lease, intensities in
            var writer = [UInt8]()
            writer += [UInt8(lease & 0xFF), UInt8(lease >> 8), 0x7C, 0x01, UInt8(intensities.count)]
            for v in intensities { writer += [UInt8(v & 0xFF), UInt8(v >> 8)] }
            let raw = RawFrame(version: WireLimits.protocolVersion, type: WireType.setOutputs, sequence: seq, payload: writer)
            var list = Intensities()
            for v in intensities { list.append(v) }
            let reference = Frame(sequence: seq, message: .setOutputs(SetOutputs(leaseMilliseconds: lease, heaterSetpoint: 380, intensities: list)))
            let encoded = reference.encoded()
            #expect(raw.wire == (0..<encoded.count).map { encoded[$0] })
            #expect(RawFrame.parse(encoded: Array(raw.wire.dropLast())) == raw)
        }
    }

    @Test func aBadCRCIsNotAFrame() {
        var wire = RawFrame(version: 2, type: WireType.getStatus, sequence: 3).raw
        wire[3] ^= 1
        #expect(RawFrame.parse(encoded: RawFrame.cobsEncode(wire)) == nil)
        #expect(RawFrame.parse(encoded: RawFrame.cobsEncode([2, 5, 3])) == nil, "truncated")
    }
}
