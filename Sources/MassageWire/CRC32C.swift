/// CRC-32C (Castagnoli): polynomial 0x1EDC6F41, reflected, initial value and final XOR
/// 0xFFFFFFFF. Check value of "123456789" is 0xE3069283 (PROTOCOL.md section 2.2).
///
/// Chosen over any 16-bit CRC because it keeps Hamming distance 6 for every frame
/// this protocol can carry. Byte-at-a-time with a 1 KiB table: small enough for a
/// microcontroller's flash, and fast enough that the whole frame costs less than COBS.
public struct CRC32C: Sendable {
    /// The register before the final XOR.
    public private(set) var register: UInt32 = 0xFFFF_FFFF

    /// The register value after feeding a frame followed by its own correct CRC
    /// (little-endian): a receiver can check a frame in one pass by comparing to this.
    public static let residue: UInt32 = 0xB798_B438

    public init() {}

    /// Feeds one byte.
    @inline(__always)
    public mutating func update(_ byte: UInt8) {
        let index = Int(UInt8(truncatingIfNeeded: register) ^ byte)
        register = (register >> 8) ^ CRC32C.table[index]
    }

    /// Feeds bytes `range` of `bytes`.
    @inline(__always)
    public mutating func update<let n: Int>(_ bytes: borrowing InlineArray<n, UInt8>, _ range: Range<Int>) {
        for i in range { update(bytes[i]) }
    }

    /// The CRC of everything fed so far.
    public var value: UInt32 { register ^ 0xFFFF_FFFF }

    /// The CRC of a byte sequence.
    public static func checksum<S: Sequence<UInt8>>(_ bytes: S) -> UInt32 {
        var crc = CRC32C()
        for byte in bytes { crc.update(byte) }
        return crc.value
    }
}
