import ArgumentParser

/// Hex text to bytes and back, in the forms people paste from logic analysers, C
/// arrays and logs: `01 02`, `01:02`, `0x01, 0x02`, `AbCd`.
///
/// Separators (white space, `:` and `,`) and a `0x` prefix at the start of a group are
/// skipped and every other hex digit is kept, so `0x0104 00` and `01:04:00` are the
/// same three bytes. Digits run on across separators and across several pieces of
/// text (one per command-line argument): only the total must be even.
struct HexText {
    /// Where a piece of text came from, so an error can point at the bad character.
    enum Origin {
        /// The `n`th command-line argument of its kind, counting from 1.
        case argument(Int)
        case standardInput
    }

    private var digits: [UInt8] = []

    init() {}

    /// Adds the hex digits of `text`; throws `ValidationError` (a usage error) naming
    /// the first character that is neither a hex digit, a separator nor a `0x` prefix.
    mutating func add(_ text: String, from origin: Origin) throws(ValidationError) {
        let scalars = Array(text.unicodeScalars)
        var line = 1, column = 0
        var atGroupStart = true
        var i = 0
        while i < scalars.count {
            let scalar = scalars[i]
            column += 1
            if scalar == "\n" {
                line += 1
                column = 0
                atGroupStart = true
            } else if scalar.properties.isWhitespace || scalar == ":" || scalar == "," {
                atGroupStart = true
            } else if atGroupStart, scalar == "0", i + 1 < scalars.count, scalars[i + 1] == "x" || scalars[i + 1] == "X" {
                // A `0x` prefix: skip the `x` too. `0x` only counts at the start of a group,
                // so the `0` of `10x` is a digit and its `x` an error.
                i += 1
                column += 1
                atGroupStart = false
            } else if let digit = HexText.value(of: scalar) {
                digits.append(digit)
                atGroupStart = false
            } else {
                throw ValidationError(
                    "invalid hex character \(HexText.describe(scalar)) at \(HexText.describe(origin, line: line, column: column)); "
                        + "expected hex digits, optionally separated by spaces, ':' or ',' and prefixed by 0x")
            }
            i += 1
        }
    }

    /// The bytes, two digits each; a usage error when the number of digits is odd.
    func bytes() throws(ValidationError) -> [UInt8] {
        guard digits.count % 2 == 0 else {
            throw ValidationError("odd number of hex digits (\(digits.count)): every byte takes two, e.g. 0a not a")
        }
        return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
    }

    /// `bytes` as lowercase hex with no separators, the form of PROTOCOL.md's vectors.
    static func string<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        let alphabet = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(alphabet[Int(byte >> 4)])
            text.append(alphabet[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func value(of scalar: Unicode.Scalar) -> UInt8? {
        switch scalar.value {
        case 0x30...0x39: UInt8(scalar.value - 0x30)  // 0-9
        case 0x41...0x46: UInt8(scalar.value - 0x41 + 10)  // A-F
        case 0x61...0x66: UInt8(scalar.value - 0x61 + 10)  // a-f
        default: nil
        }
    }

    /// `'g'` for a visible character; control and invisible characters by code point
    /// only, since printing them would garble the terminal.
    private static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let codePoint = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        let invisible: Set<Unicode.GeneralCategory> = [
            .control, .format, .surrogate, .privateUse, .unassigned,
            .spaceSeparator, .lineSeparator, .paragraphSeparator,
        ]
        let visible = !invisible.contains(scalar.properties.generalCategory)
        return visible ? "'\(scalar)' (\(codePoint))" : codePoint
    }

    private static func describe(_ origin: Origin, line: Int, column: Int) -> String {
        switch origin {
        case .argument(let n) where line == 1: "argument \(n), position \(column)"
        case .argument(let n): "argument \(n), line \(line), column \(column)"
        case .standardInput: "standard input, line \(line), column \(column)"
        }
    }
}
