import MassageKit
import Testing

@Suite("TerminalCapabilities: colour and Unicode from the environment")
struct TerminalCapabilitiesTests {
    @Test("colour only on a terminal, never with NO_COLOR or TERM=dumb")
    func colour() {
        #expect(TerminalCapabilities(isTerminal: true, environment: ["TERM": "xterm-256color"]).colour)
        #expect(!TerminalCapabilities(isTerminal: false, environment: ["TERM": "xterm-256color"]).colour)
        #expect(!TerminalCapabilities(isTerminal: true, environment: ["NO_COLOR": "1"]).colour)
        #expect(TerminalCapabilities(isTerminal: true, environment: ["NO_COLOR": ""]).colour)
        #expect(!TerminalCapabilities(isTerminal: true, environment: ["TERM": "dumb"]).colour)
    }

    @Test("Unicode unless the locale is set and not UTF-8; LC_ALL wins over LANG; pipes keep Unicode")
    func unicode() {
        #expect(TerminalCapabilities(isTerminal: true, environment: [:]).unicode)
        #expect(TerminalCapabilities(isTerminal: true, environment: ["LANG": "en_GB.UTF-8"]).unicode)
        #expect(!TerminalCapabilities(isTerminal: true, environment: ["LANG": "C"]).unicode)
        #expect(!TerminalCapabilities(isTerminal: true, environment: ["LANG": "en_GB.UTF-8", "LC_ALL": "POSIX"]).unicode)
        #expect(TerminalCapabilities(isTerminal: true, environment: ["LANG": "C", "LC_CTYPE": "C.utf8"]).unicode)
        #expect(TerminalCapabilities(isTerminal: false, environment: ["LANG": "C"]).unicode)
    }

    @Test("the ASCII fallback turns bars, shades and units into ASCII")
    func ascii() {
        #expect(TerminalCapabilities.ascii("▕██▍ ▏ 38.5 °C, 120 µs – ok…") == "|##- | 38.5 degC, 120 us - ok...")
        #expect(TerminalCapabilities.ascii("日本").allSatisfy { $0 == "?" })
    }
}
