#if canImport(CCRC32C)
// Hosts built by SwiftPM only: the Embedded builds (scripts/embedded-check) and the
// fuzzer (scripts/fuzz) compile these files alone, without it, and keep the tables.
import CCRC32C
#endif

/// CRC-32C (Castagnoli): polynomial 0x1EDC6F41, reflected, initial value and final XOR
/// 0xFFFFFFFF. Check value of "123456789" is 0xE3069283 (PROTOCOL.md section 2.2).
///
/// Chosen over any 16-bit CRC because it keeps Hamming distance 6 for every frame
/// this protocol can carry. Byte-at-a-time with a 1 KiB table on microcontrollers:
/// small enough for their flash. Hosts take the CPU's CRC-32C instruction when it has
/// one (SSE4.2 on x86-64, the CRC32 extension on AArch64, through CCRC32C, chosen at run
/// time), and otherwise an 8 KiB slicing-by-8 table, eight bytes per step
/// (`update(unchecked:from:to:)`).
public struct CRC32C: Sendable {
    /// The register before the final XOR.
    @inlinable public var register: UInt32 { _register }
    @usableFromInline var _register: UInt32 = 0xFFFF_FFFF

    /// The register value after feeding a frame followed by its own correct CRC
    /// (little-endian): a receiver can check a frame in one pass by comparing to this.
    public static let residue: UInt32 = 0xB798_B438

    public init() {}

    /// Feeds one byte.
    @inlinable @inline(__always)
    public mutating func update(_ byte: UInt8) {
        let index = Int(UInt8(truncatingIfNeeded: _register) ^ byte)
        // `index` is a byte: always inside the 256-entry table.
        _register = (_register >> 8) ^ CRC32C.table[unchecked: index]
    }

    /// Feeds bytes `range` of `bytes`.
    @inlinable @inline(__always)
    public mutating func update<let n: Int>(_ bytes: borrowing InlineArray<n, UInt8>, _ range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= n, "CRC32C.update: range outside the bytes")
        update(unchecked: bytes.span, from: range.lowerBound, to: range.upperBound)
    }

    /// The CRC of everything fed so far.
    @inlinable public var value: UInt32 { _register ^ 0xFFFF_FFFF }

    /// The CRC of a byte sequence.
    public static func checksum<S: Sequence<UInt8>>(_ bytes: S) -> UInt32 {
        var crc = CRC32C()
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            let span = buffer.span
            crc.update(unchecked: span, from: 0, to: span.count)
        }
        if done == nil {
            for byte in bytes { crc.update(byte) }
        }
        return crc.value
    }
}

extension CRC32C {
    /// Feeds `bytes[start ..< end]`. The caller guarantees 0 ≤ start and end ≤ bytes.count,
    /// which is what makes the unchecked reads safe.
    @inlinable @inline(__always)
    mutating func update(unchecked bytes: Span<UInt8>, from start: Int, to end: Int) {
        #if canImport(CCRC32C)
        if CRC32C.usesHardware {
            updateHardware(unchecked: bytes, from: start, to: end)
            return
        }
        #endif
        updateSoftware(unchecked: bytes, from: start, to: end)
    }

    /// Whether `update(unchecked:from:to:)` takes the CPU's CRC-32C instruction. After the
    /// first call (which asks the CPU), one load and one test.
    @inlinable @inline(__always)
    static var usesHardware: Bool {
        #if canImport(CCRC32C)
        return ccrc32c_engine() != Int32(CCRC32C_ENGINE_NONE)
        #else
        return false
        #endif
    }

    #if !hasFeature(Embedded)
    // Hosts only (microcontrollers always use the table): which engine runs, and each
    // engine on demand, for the tests and the benchmark's report.

    /// Where `update(unchecked:from:to:)` computes the CRC on this machine.
    enum Engine: Equatable, Sendable {
        /// The tables: slicing-by-8 on hosts, byte at a time on microcontrollers.
        case software
        /// x86-64 SSE4.2 `crc32`.
        case sse42
        /// AArch64 CRC32 extension `crc32c*`.
        case armv8CRC32
    }

    /// The engine this process uses, as detected at run time.
    static var engine: Engine {
        #if canImport(CCRC32C)
        switch ccrc32c_engine() {
        case Int32(CCRC32C_ENGINE_SSE42): return .sse42
        case Int32(CCRC32C_ENGINE_ARMV8_CRC32): return .armv8CRC32
        default: return .software
        }
        #else
        return .software
        #endif
    }

    /// Feeds `bytes[start ..< end]` with `engine`, whatever this process detected; false,
    /// feeding nothing, when this build or CPU does not have it. Lets the tests compare
    /// the engines with each other.
    mutating func update(_ bytes: Span<UInt8>, from start: Int, to end: Int, using engine: Engine) -> Bool {
        precondition(start >= 0 && start <= end && end <= bytes.count, "CRC32C.update: range outside the bytes")
        switch engine {
        case .software:
            updateSoftware(unchecked: bytes, from: start, to: end)
            return true
        case .sse42, .armv8CRC32:
            #if canImport(CCRC32C)
            guard CRC32C.engine == engine else { return false }
            updateHardware(unchecked: bytes, from: start, to: end)
            return true
            #else
            return false
            #endif
        }
    }
    #endif

    #if canImport(CCRC32C)
    /// `update(unchecked:from:to:)` with the CPU's instruction. Only when `usesHardware`:
    /// on a CPU without it the instruction would fault.
    @inlinable @inline(__always)
    mutating func updateHardware(unchecked bytes: Span<UInt8>, from start: Int, to end: Int) {
        guard start < end else { return }
        let register = _register
        _register = bytes.withUnsafeBufferPointer { buffer in
            // Never nil: the span holds at least `end` > 0 bytes.
            guard let base = buffer.baseAddress else { return register }
            return ccrc32c_update_hardware(register, base + start, end &- start)
        }
    }
    #endif

    /// `update(unchecked:from:to:)` with the tables, whatever the CPU has.
    @inlinable @inline(__always)
    mutating func updateSoftware(unchecked bytes: Span<UInt8>, from start: Int, to end: Int) {
        var i = start
        #if !hasFeature(Embedded)
        // Slicing-by-8: XOR the register into the next eight bytes (little-endian), then
        // look each byte up in the table for its distance from the end of the word.
        let raw = bytes.bytes
        while end &- i >= 8 {
            update(word: UInt64(littleEndian: raw.unsafeLoadUnaligned(fromUncheckedByteOffset: i, as: UInt64.self)))
            i &+= 8
        }
        #endif
        while i < end {
            update(bytes[unchecked: i])
            i &+= 1
        }
    }

    #if !hasFeature(Embedded)
    /// Feeds eight bytes, the first in the low bits of `word` (slicing-by-8): XOR the
    /// register into them, then look each byte up in the table for its distance from the
    /// end of the word.
    @inlinable @inline(__always)
    mutating func update(word: UInt64) {
        let x = word ^ UInt64(_register)
        // Every index is a byte plus 256 * k with k < 8: inside the 2048-entry table.
        @inline(__always) func entry(_ k: Int) -> UInt32 {
            CRC32C.slicingTable[unchecked: (7 &- k) &* 256 &+ Int(truncatingIfNeeded: (x >> (8 &* UInt64(k))) & 0xFF)]
        }
        _register = (entry(0) ^ entry(1)) ^ (entry(2) ^ entry(3)) ^ (entry(4) ^ entry(5)) ^ (entry(6) ^ entry(7))
    }
    #endif
}
