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
        var codeIndex = 0
        var write = 1
        var code: UInt8 = 1
        for i in 0..<count {
            let byte = input[i]
            if byte == 0 {
                output[codeIndex] = code
                codeIndex = write
                write += 1
                code = 1
            } else {
                output[write] = byte
                write += 1
                code += 1
                if code == 0xFF {
                    output[codeIndex] = code
                    codeIndex = write
                    write += 1
                    code = 1
                }
            }
        }
        output[codeIndex] = code
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
        var read = start
        var write = 0
        while read < end {
            let code = Int(input[read])
            if code == 0 || read + code > end { return nil }
            read += 1
            let blockEnd = read + code - 1
            if write + (blockEnd - read) > m { return nil }
            while read < blockEnd {
                let byte = input[read]
                if byte == 0 { return nil }
                output[write] = byte
                write += 1
                read += 1
            }
            // A block shorter than 255 stands for a 0x00, unless it ends the input.
            if code != 0xFF && read < end {
                if write >= m { return nil }
                output[write] = 0
                write += 1
            }
        }
        return write
    }
}
