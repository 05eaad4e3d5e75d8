/// What a terminal can show, from the environment: colour (only on a terminal, never
/// with `NO_COLOR`, never on `TERM=dumb`) and Unicode (unless the locale says otherwise).
///
/// Output that is not a terminal (a pipe, a file) is left as it is: scripts get the same
/// bytes whatever the locale, and no escape codes.
public struct TerminalCapabilities: Sendable, Equatable {
    /// Whether colour escapes may be written.
    public var colour: Bool
    /// Whether characters outside ASCII (block shades, `°`, `µ`, `–`) may be written.
    public var unicode: Bool

    public init(colour: Bool, unicode: Bool) {
        self.colour = colour
        self.unicode = unicode
    }

    /// The capabilities of an output that is (`isTerminal`) or is not a terminal, under
    /// `environment`. The locale is the first of `LC_ALL`, `LC_CTYPE`, `LANG` that is set
    /// and not empty; none set counts as UTF-8 (every current desktop and Debian's
    /// `C.UTF-8` default), while `C`, `POSIX` or a non-UTF-8 charset mean ASCII.
    public init(isTerminal: Bool, environment: [String: String]) {
        guard isTerminal else {
            self.init(colour: false, unicode: true)
            return
        }
        let noColour = !(environment["NO_COLOR"] ?? "").isEmpty
        let dumb = environment["TERM"] == "dumb"
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        let unicode = locale.map { Self.isUTF8(locale: $0) } ?? true
        self.init(colour: !noColour && !dumb, unicode: unicode)
    }

    /// Whether a locale name (`en_GB.UTF-8`, `C.utf8`, `de_DE@euro`) uses UTF-8.
    public static func isUTF8(locale: String) -> Bool {
        let lowered = locale.lowercased()
        return lowered.contains("utf-8") || lowered.contains("utf8")
    }

    /// `text` in ASCII where Unicode cannot be shown: the glyphs massagectl draws with
    /// become their nearest ASCII, anything else outside ASCII becomes `?`.
    public static func ascii(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                out.unicodeScalars.append(scalar)
            } else {
                out += asciiGlyphs[scalar] ?? "?"
            }
        }
        return out
    }

    static let asciiGlyphs: [Unicode.Scalar: String] = [
        "░": ".", "▒": ":", "▓": "#", "█": "#", "▏": "|", "▕": "|", "▎": "-", "▍": "-", "▌": "=", "▋": "=",
        "▊": "=", "▉": "#", "─": "-", "├": "+", "┼": "+", "│": "|", "°": "deg", "µ": "u", "‰": " permille",
        "–": "-", "—": "-", "…": "...", "×": "x", "≤": "<=", "≥": ">=", "·": ".", "→": "->", "’": "'",
    ]
}
