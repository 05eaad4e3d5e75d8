@testable import MassageWire
import PropertyBased
import Testing

/// The host fast paths of encoding (inlined payload writing, word-wide stores, the 0x00
/// search a word at a time, the CRC by the CPU's instruction) against the plain parts
/// they stand for: byte-at-a-time CRC-32C from the table, `COBS.encode`, and
/// `Frame.decode(raw:count:)`.
@Suite struct HostFastPathTests {
    /// The raw frame (before COBS) that `wire` carries, by the plain byte loop of
    /// `COBS.decode`; nil when it does not decode.
    static func plainRaw(_ wire: [UInt8]) -> [UInt8]? {
        guard let delimiter = wire.last, delimiter == 0, wire.count - 1 <= WireLimits.maxEncodedFrame else { return nil }
        var input = EncodedFrameBytes(repeating: 0)
        for i in 0..<(wire.count - 1) { input[i] = wire[i] }
        var output = RawFrameBytes(repeating: 0)
        guard let length = COBS.decode(input, from: 0, to: wire.count - 1, into: &output) else { return nil }
        return (0..<length).map { output[$0] }
    }

    @Test func encodedFramesMatchThePlainPath() async {
        await propertyCheck(count: 2000, input: Gen.uint8().array(of: 0...120)) { bytes in
            var source = Entropy(bytes)
            let frame = source.frame()
            let wire = Array(frame.encoded())
            guard let raw = Self.plainRaw(wire) else {
                Issue.record("the wire bytes do not COBS-decode: \(wire)")
                return
            }
            // Header as the frame says, payload length as the message's fields say.
            #expect(raw.count >= WireLimits.minRawFrame)
            #expect(Array(raw.prefix(3)) == [frame.version, frame.message.type.rawValue, frame.sequence])
            // The CRC, one byte at a time from the 256-entry table.
            var crc = CRC32C()
            for byte in raw.dropLast(4) { crc.update(byte) }
            let value = crc.value
            #expect(Array(raw.suffix(4)) == (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) })
            // The whole encoding, by the general `COBS.encode`.
            var input = RawFrameBytes(repeating: 0)
            for (i, byte) in raw.enumerated() { input[i] = byte }
            var output = InlineArray<64, UInt8>(repeating: 0xEE)
            let length = COBS.encode(input, count: raw.count, into: &output)
            #expect((0..<length).map { output[$0] } + [0] == wire)
            // And the plain decoder of raw frames gives the frame back.
            #expect((try? Frame.decode(raw: input, count: raw.count)) == frame)
        }
    }

    @Test func typeByteDecodingAgreesWithRawValues() {
        // Every byte: the written-out switch of `Frame.decode` against `init(rawValue:)`.
        for byte in UInt8.min...UInt8.max {
            #expect(MessageType.decoding(byte) == MessageType(rawValue: byte), "type byte \(byte)")
        }
    }
}
