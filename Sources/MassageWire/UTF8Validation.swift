extension FixedList where Element == UInt8 {
    /// True when the bytes are well-formed UTF-8 (RFC 3629): no overlong forms, no
    /// surrogates, nothing above U+10FFFF. Text fields must be (PROTOCOL.md 4.10); the
    /// check is written out because the Embedded standard library has no decoder to lean on.
    @inlinable
    public var isValidUTF8: Bool {
        var i = 0
        while i < count {
            let lead = self[i]
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF   // the allowed range of the second byte
            switch lead {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0           // no overlong 3-byte forms
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F          // no surrogates
            case 0xF0: length = 4; low = 0x90           // no overlong 4-byte forms
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F          // nothing above U+10FFFF
            default: return false
            }
            guard i + length <= count else { return false }
            for k in 1..<length {
                let byte = self[i + k]
                let (lo, hi) = k == 1 ? (low, high) : (UInt8(0x80), UInt8(0xBF))
                guard byte >= lo && byte <= hi else { return false }
            }
            i += length
        }
        return true
    }
}
