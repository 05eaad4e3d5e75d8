/// CRC-32C and COBS written again from PROTOCOL.md sections 2.2 and 2.3 alone,
/// bit by bit and without MassageWire, so that the bytes `wire encode` prints are
/// checked against the definition and not against the code that produced them.
enum ReferenceCodec {
    /// CRC-32C: reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF.
    static func crc32c(_ bytes: [UInt8]) -> UInt32 {
        var register: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            register ^= UInt32(byte)
            for _ in 0..<8 {
                register = register & 1 == 1 ? (register >> 1) ^ 0x82F6_3B78 : register >> 1
            }
        }
        return register ^ 0xFFFF_FFFF
    }

    /// COBS for frames under 254 bytes: each 0x00 becomes the length of the run of
    /// non-zero bytes before it, plus one; the last run gets a code byte too.
    static func cobs(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var run: [UInt8] = []
        for byte in bytes {
            if byte == 0 {
                out.append(UInt8(run.count + 1))
                out += run
                run = []
            } else {
                run.append(byte)
            }
        }
        out.append(UInt8(run.count + 1))
        return out + run
    }

    /// The wire bytes of a raw frame (header and payload): CRC appended little-endian,
    /// COBS, 0x00.
    static func wire(_ headerAndPayload: [UInt8]) -> [UInt8] {
        let crc = crc32c(headerAndPayload)
        let raw = headerAndPayload + (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * $0)) }
        return cobs(raw) + [0]
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
