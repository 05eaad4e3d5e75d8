import MassageWire
import PropertyBased
import Testing

@Suite struct COBSTests {
    static func encode(_ raw: [UInt8]) -> [UInt8] {
        var input = RawFrameBytes(repeating: 0)
        for (i, byte) in raw.enumerated() { input[i] = byte }
        var output = InlineArray<64, UInt8>(repeating: 0xEE)
        let length = COBS.encode(input, count: raw.count, into: &output)
        return (0..<length).map { output[$0] }
    }

    static func decode(_ encoded: [UInt8]) -> [UInt8]? {
        var input = EncodedFrameBytes(repeating: 0)
        for (i, byte) in encoded.enumerated() { input[i] = byte }
        var output = RawFrameBytes(repeating: 0)
        guard let length = COBS.decode(input, from: 0, to: encoded.count, into: &output) else { return nil }
        return (0..<length).map { output[$0] }
    }

    @Test func knownEncodings() {
        #expect(Self.encode([]) == [0x01])
        #expect(Self.encode([0x00]) == [0x01, 0x01])
        #expect(Self.encode([0x00, 0x00]) == [0x01, 0x01, 0x01])
        #expect(Self.encode([0x11, 0x22, 0x00, 0x33]) == [0x03, 0x11, 0x22, 0x02, 0x33])
        #expect(Self.encode([0x11, 0x00, 0x00, 0x00]) == [0x02, 0x11, 0x01, 0x01, 0x01])
    }

    @Test func malformedEncodingsAreRefused() {
        #expect(Self.decode([0x05, 0x01, 0x02]) == nil, "code byte points past the end")
        #expect(Self.decode([0x00]) == nil, "a zero code byte")
        #expect(Self.decode([0x03, 0x00, 0x01]) == nil, "a zero data byte")
    }

    @Test func roundTripsAndMatchesTheDefinition() async {
        await propertyCheck(count: 500, input: Gen.uint8(in: 0...3).array(of: 0...WireLimits.maxRawFrame)) { small in
            // Mostly zeros and small values: the interesting cases for COBS.
            let encoded = Self.encode(small)
            #expect(encoded == cobs(small))
            #expect(!encoded.contains(0))
            #expect(encoded.count == small.count + 1)
            #expect(Self.decode(encoded) == small)
        }
    }
}
