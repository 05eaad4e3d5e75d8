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

    /// COBS-encodes, where they lie, the `count` raw bytes at `bytes[1 ... count]`
    /// (count < 254, so no 254-byte blocks): index 0 gets the first code byte, each 0x00
    /// the distance to the next 0x00 (or to the end), and index `count + 1` the 0x00
    /// delimiter. Returns the length on the wire, `count + 2`.
    @inlinable
    static func encodeInPlace<let m: Int>(_ bytes: inout InlineArray<m, UInt8>, count: Int) -> Int {
        precondition(count >= 0 && count < 254 && count + 2 <= m, "COBS.encodeInPlace: buffer sizes")
        // Every index below is in 0 ... count + 1 < m (checked above): unchecked.
        var span = bytes.mutableSpan
        var code = 0
        var i = 1
        #if !hasFeature(Embedded)
        // Eight bytes per step: only the 0x00 bytes cost anything. A byte's own patch
        // only ever writes an earlier 0x00 (or index 0), never one not yet loaded.
        let end = count &+ 1
        var word: UInt64 = 0
        var mask: UInt64 = 0
        while end &- i >= 8 || (i < end && count >= 8) {
            if end &- i >= 8 {
                word = span.bytes.unsafeLoadUnaligned(fromUncheckedByteOffset: i, as: UInt64.self)
                mask = zeroByteMask(UInt64(littleEndian: word))
                i &+= 8
            } else {
                // The last, partial word: load the eight bytes ending at `end` and drop
                // those already seen (end - 8 ≥ 1 here: count ≥ 8).
                word = span.bytes.unsafeLoadUnaligned(fromUncheckedByteOffset: end &- 8, as: UInt64.self)
                mask = zeroByteMask(UInt64(littleEndian: word)) & (~0 << (8 &* UInt64(i &- (end &- 8))))
                i = end
            }
            let base = i &- 8
            while mask != 0 {
                let zero = base &+ mask.trailingZeroBitCount >> 3
                span[unchecked: code] = UInt8(truncatingIfNeeded: zero &- code)
                code = zero
                mask &= mask &- 1
            }
        }
        #endif
        while i <= count {
            if span[unchecked: i] == 0 {
                span[unchecked: code] = UInt8(truncatingIfNeeded: i &- code)
                code = i
            }
            i &+= 1
        }
        span[unchecked: code] = UInt8(truncatingIfNeeded: count &+ 1 &- code)
        span[unchecked: count &+ 1] = 0
        return count &+ 2
    }

    /// Decodes one frame of the stream, `input[start ..< end]` without its delimiter,
    /// into `output` from index 0; exactly `decode(_:from:to:into:)` for input that holds
    /// no 0x00 (the caller split the stream at them) and is at most 254 bytes long.
    ///
    /// Such input is the raw frame shifted one place, with a code byte where each 0x00
    /// was: copy it, then follow the chain of code bytes and write their 0x00s back. A
    /// code byte of 0xFF (a 254-byte block) always points past the end of input this
    /// short, so every block but the last stands for a 0x00.
    @inlinable
    static func decodeFrame<let m: Int>(
        _ input: Span<UInt8>, from start: Int, to end: Int, into output: inout InlineArray<m, UInt8>
    ) -> Int? {
        precondition(start >= 0 && start <= end && end <= input.count && end - start <= min(254, m + 1),
                     "COBS.decodeFrame: range outside the input or the output")
        guard start < end else { return 0 }
        // Every read is in start ..< end, every write below end - start - 1 ≤ m (checked
        // above): unchecked.
        let length = end &- start &- 1
        var out = output.mutableSpan
        for i in 0..<length { out[unchecked: i] = input[unchecked: start &+ 1 &+ i] }
        var code = start
        while true {
            let distance = Int(input[unchecked: code])
            if distance == 0 { return nil }   // a 0x00 inside: the caller broke the contract
            let next = code &+ distance
            if next >= end { return next == end ? length : nil }
            out[unchecked: next &- start &- 1] = 0
            code = next
        }
    }
}
