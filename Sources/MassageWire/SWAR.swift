#if !hasFeature(Embedded)
/// Eight bytes at a time on hosts ("SIMD within a register"): finding the 0x00 bytes of
/// a frame is most of COBS, and a word test replaces eight byte tests. Microcontrollers
/// (no unaligned loads on Cortex-M0, little flash) use the plain byte loops instead.
@usableFromInline let lowSevenBits: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

/// The top bit of each byte of `word` that is 0x00, no other bit. Exact: no false
/// positives (the shorter `(w - 0x01...) & ~w & 0x80...` marks a 0x01 above a 0x00).
@inlinable @inline(__always)
func zeroByteMask(_ word: UInt64) -> UInt64 {
    ~(((word & lowSevenBits) &+ lowSevenBits) | word | lowSevenBits)
}
#endif
