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
}
