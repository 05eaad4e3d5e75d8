import MassageKit
import PropertyBased
import Testing

@Suite("TerminalText: outside text made safe for a terminal")
struct TerminalTextTests {
    @Test("an OSC title sequence and a bidi override come out as visible escapes")
    func escapesAndOverrides() {
        #expect(TerminalText.escaped("x\u{1B}]0;x\u{07}y") == #"x\u{1B}]0;x\u{7}y"#)
        #expect(TerminalText.escaped("abc\u{202E}fed") == #"abc\u{202E}fed"#)
        #expect(TerminalText.escaped("a\nb\tc\r") == #"a\nb\tc\r"#)
        #expect(TerminalText.escapedKeepingLines("a\nb\u{1B}[2J") == "a\nb\\u{1B}[2J")
    }

    @Test("every class the brief names is unsafe; ordinary text, accents and symbols are not")
    func classes() {
        let unsafe: [UInt32] = [0x00, 0x07, 0x1B, 0x1F, 0x7F, 0x80, 0x9B, 0x9F, 0x202A, 0x202E, 0x2066, 0x2069,
                                0x200E, 0x200F, 0x061C, 0x2028, 0x2029]
        for value in unsafe {
            #expect(TerminalText.isUnsafe(Unicode.Scalar(value)!), "U+\(String(value, radix: 16))")
        }
        let safe = "Swedish massage, 38.5 °C, ▕██▏ µs – «ok» 日本 é"
        #expect(TerminalText.escaped(safe) == safe)
        #expect(!TerminalText.containsUnsafe(safe))
    }

    @Test("escaped text never holds an unsafe character, and safe text passes unchanged")
    func property() async {
        await propertyCheck(input: Gen.uint32(in: 0...0x2FFF).map { Unicode.Scalar($0) ?? "?" }.array(of: 0...40)) { scalars in
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars)
            let text = String(view)
            let escaped = TerminalText.escaped(text)
            #expect(!TerminalText.containsUnsafe(escaped))
            if !TerminalText.containsUnsafe(text) { #expect(escaped == text) }
            #expect(!TerminalText.escapedKeepingLines(text).unicodeScalars.contains { $0 != "\n" && TerminalText.isUnsafe($0) })
        }
    }
}
