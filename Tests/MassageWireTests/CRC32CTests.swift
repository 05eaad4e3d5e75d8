import MassageWire
import Testing

@Suite struct CRC32CTests {
    /// The bitwise definition, one bit at a time: what the table must agree with.
    static func bitwise(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }

    @Test func checkValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test func tableMatchesPolynomial() {
        // Every single byte value exercises exactly one table entry first.
        for value in 0...255 {
            #expect(CRC32C.checksum([UInt8(value)]) == Self.bitwise([UInt8(value)]), "byte \(value)")
        }
    }

    @Test func residueOfFrameWithItsOwnCRC() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let crc = CRC32C.checksum(bytes)
            #expect(crc == Self.bitwise(bytes))
            var register = CRC32C()
            for byte in bytes + [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)] {
                register.update(byte)
            }
            #expect(register.register == CRC32C.residue)
        }
    }
}

extension CRC32CTests {
    @Test func everyRangeAgreesWithTheDefinition() {
        // Every start and length up to 64 bytes: unaligned starts, whole 8-byte steps of
        // the host's slicing-by-8 and every tail length.
        var generator = SystemRandomNumberGenerator()
        let array = (0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var bytes = InlineArray<64, UInt8>(repeating: 0)
        for i in 0..<64 { bytes[i] = array[i] }
        for start in 0...64 {
            for end in start...64 {
                var crc = CRC32C()
                crc.update(bytes, start..<end)
                #expect(crc.value == Self.bitwise(Array(array[start..<end])), "bytes \(start) ..< \(end)")
            }
        }
    }
}
