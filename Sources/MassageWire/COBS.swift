/// Consistent Overhead Byte Stuffing over fixed buffers (PROTOCOL.md section 2.3).
///
/// The encoded form contains no 0x00, so 0x00 can delimit frames and a receiver
/// resynchronises on the next one after garbage. For frames under 254 bytes the cost
/// is exactly one byte.
public enum COBS {
    /// Encodes `input[0..<count]` into `output` starting at index 0 and returns the
    /// encoded length (no delimiter). `output` must hold `count + count / 254 + 1` bytes.
    @inlinable
    public static func encode<let n: Int, let m: Int>(
        _ input: borrowing InlineArray<n, UInt8>, count: Int,
        into output: inout InlineArray<m, UInt8>
    ) -> Int {
        precondition(count >= 0 && count <= n && count + count / 254 + 1 <= m, "COBS.encode: buffer sizes")
        // Bounds are checked once above: every read is below `count`, every write below
        // `count + count / 254 + 1`, so the loop indexes unchecked.
        let input = input.span
        var output = output.mutableSpan
        if count < 254 {
            // Every frame of this protocol: no 255-blocks possible. Copy each byte one
            // place on; at each 0x00 (and at the end) patch the pending code byte with the
            // distance to it. The 0x00 itself becomes the next code byte.
            var codeIndex = 0
            for i in 0..<count {
                let byte = input[unchecked: i]
                output[unchecked: i &+ 1] = byte
                if byte == 0 {
                    output[unchecked: codeIndex] = UInt8(truncatingIfNeeded: i &+ 1 &- codeIndex)
                    codeIndex = i &+ 1
                }
            }
            output[unchecked: codeIndex] = UInt8(truncatingIfNeeded: count &+ 1 &- codeIndex)
            return count &+ 1
        }
        var codeIndex = 0
        var write = 1
        var code: UInt8 = 1
        for i in 0..<count {
            let byte = input[unchecked: i]
            if byte == 0 {
                output[unchecked: codeIndex] = code
                codeIndex = write
                write &+= 1
                code = 1
            } else {
                output[unchecked: write] = byte
                write &+= 1
                code &+= 1
                if code == 0xFF {
                    output[unchecked: codeIndex] = code
                    codeIndex = write
                    write &+= 1
                    code = 1
                }
            }
        }
        output[unchecked: codeIndex] = code
        return write
    }

    /// Decodes `input[start..<end]` (no delimiter) into `output` from index 0.
    /// Returns the decoded length, or nil when the encoding is malformed (a code byte of
    /// 0 or one that points past `end`) or the result would not fit in `output`.
    @inlinable
    public static func decode<let n: Int, let m: Int>(
        _ input: borrowing InlineArray<n, UInt8>, from start: Int, to end: Int,
        into output: inout InlineArray<m, UInt8>
    ) -> Int? {
        precondition(start >= 0 && end <= n, "COBS.decode: range outside the input")
        // Reads stay below `end` ≤ n (checked above); writes are checked against `m`
        // once per block, so the loops index unchecked.
        let input = input.span
        var output = output.mutableSpan
        var read = start
        var write = 0
        while read < end {
            let code = Int(input[unchecked: read])
            if code == 0 || read &+ code > end { return nil }
            read &+= 1
            let blockEnd = read &+ code &- 1
            if write &+ (blockEnd &- read) > m { return nil }
            while read < blockEnd {
                let byte = input[unchecked: read]
                if byte == 0 { return nil }
                output[unchecked: write] = byte
                write &+= 1
                read &+= 1
            }
            // A block shorter than 255 stands for a 0x00, unless it ends the input.
            if code != 0xFF && read < end {
                if write >= m { return nil }
                output[unchecked: write] = 0
                write &+= 1
            }
        }
        return write
    }

    // Decoding one frame of a stream, `input[start ..< stop]` (no delimiter), is two
    // steps: `copyFrame` copies it one place on and finds where it stops (the next
    // 0x00); `restoreZeros` follows the chain of code bytes and writes back the 0x00 each
    // stands for. Together they are `decode(_:from:to:into:)` for input this short: a
    // code byte of 0xFF (a 254-byte block) always points past the end of a frame of at
    // most 254 bytes, so every block but the last stands for a 0x00.

    /// Copies `input[start + 1 ..< stop]` to `output[0 ..< stop - start - 1]` and returns
    /// `stop`: the index of the first 0x00 after `start`, or `end` when none comes before
    /// it. May also overwrite `output` up to index `end - start - 1`.
    @inlinable @inline(__always)
    static func copyFrame<let m: Int>(
        _ input: Span<UInt8>, from start: Int, to end: Int, into output: inout InlineArray<m, UInt8>
    ) -> Int {
        // (`&-` is exact once the first conditions hold: 0 ≤ start < end ≤ input.count.)
        precondition(start >= 0 && start < end && end <= input.count && end &- start &- 1 <= m,
                     "COBS.copyFrame: range outside the input or the output")
        // Input index i goes to output index i - shift. Every read is in start + 1 ..< end,
        // every write below end - shift ≤ m (checked above): unchecked.
        let shift = start &+ 1
        var i = shift
        var out = output.mutableSpan
        #if !hasFeature(Embedded)
        do {
            // Eight bytes per step: copy the word whole, then look for a 0x00 in it. The
            // last, partial word is the eight bytes ending at `end` (those before `i`
            // already seen).
            let inBytes = input.bytes
            var outBytes = out.mutableBytes
            while end &- i >= 8 {
                let word = inBytes.unsafeLoadUnaligned(fromUncheckedByteOffset: i, as: UInt64.self)
                outBytes.storeBytes(of: word, toUncheckedByteOffset: i &- shift, as: UInt64.self)
                let mask = zeroByteMask(UInt64(littleEndian: word))
                if mask != 0 { return i &+ mask.trailingZeroBitCount >> 3 }
                i &+= 8
            }
            if i < end && end &- shift >= 8 {
                let base = end &- 8
                let word = inBytes.unsafeLoadUnaligned(fromUncheckedByteOffset: base, as: UInt64.self)
                outBytes.storeBytes(of: word, toUncheckedByteOffset: base &- shift, as: UInt64.self)
                let mask = zeroByteMask(UInt64(littleEndian: word)) & (~0 << (8 &* UInt64(i &- base)))
                return mask != 0 ? base &+ mask.trailingZeroBitCount >> 3 : end
            }
        }
        #endif
        while i < end {
            let byte = input[unchecked: i]
            if byte == 0 { return i }
            out[unchecked: i &- shift] = byte
            i &+= 1
        }
        return end
    }

    /// After `copyFrame` copied the frame `input[start ..< stop]` (no 0x00 in it, at most
    /// 254 bytes) to `output`: writes back the 0x00s its code bytes stand for and returns
    /// the decoded length, or nil when a code byte points past `stop` (malformed).
    @inlinable @inline(__always)
    static func restoreZeros<let m: Int>(
        _ input: Span<UInt8>, from start: Int, to stop: Int, into output: inout InlineArray<m, UInt8>
    ) -> Int? {
        // (`&-` is exact once the first conditions hold: 0 ≤ start ≤ stop ≤ input.count.)
        precondition(start >= 0 && start <= stop && stop <= input.count && stop &- start <= min(254, m + 1),
                     "COBS.restoreZeros: range outside the input or the output")
        guard start < stop else { return 0 }
        // Every read is in start ..< stop, every write below stop - start - 1 ≤ m
        // (checked above): unchecked.
        var out = output.mutableSpan
        var code = start
        while true {
            let distance = Int(input[unchecked: code])
            if distance == 0 { return nil }   // a 0x00 inside: the caller broke the contract
            let next = code &+ distance
            if next >= stop { return next == stop ? stop &- start &- 1 : nil }
            out[unchecked: next &- start &- 1] = 0
            code = next
        }
    }
}
