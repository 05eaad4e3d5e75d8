/// Text from outside (a program file, a device's Info, a device table, a history row, a
/// mat file) made safe to show on a terminal.
///
/// A terminal obeys control characters: `ESC ] 0 ; … BEL` retitles the window, other
/// escape sequences move the cursor, recolour or rewrite what is already on screen, and
/// on some terminals answer back into the input. Bidirectional overrides and isolates
/// (U+202E and kin) reorder what a person reads without any escape at all, so that an
/// error can appear to say something else. Every such character is shown instead as a
/// visible escape, `\u{1B}`, so the text reads as what it is. One place decides what is
/// unsafe, for the command line and the service alike.
public enum TerminalText {
    /// Whether `scalar` must not reach a terminal as it is: C0 controls (U+0000–U+001F),
    /// DEL (U+007F), C1 controls (U+0080–U+009F), the bidirectional embeddings and
    /// overrides (U+202A–U+202E), isolates (U+2066–U+2069), marks (U+200E, U+200F,
    /// U+061C), and the line and paragraph separators (U+2028, U+2029).
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
        case 0x2028, 0x2029: true
        default: false
        }
    }

    /// Whether `text` holds any character that ``isUnsafe(_:)`` names.
    public static func containsUnsafe<S: StringProtocol>(_ text: S) -> Bool {
        text.unicodeScalars.contains { isUnsafe($0) }
    }

    /// `text` with every unsafe character, line feeds and tabs included, written as a
    /// visible escape: `\n`, `\t`, `\r`, and `\u{1B}` for the rest. For one field on one line: a name, a model, a key, a path.
    public static func escaped<S: StringProtocol>(_ text: S) -> String {
        escape(text, keepingLineFeeds: false)
    }

    /// `text` with every unsafe character escaped except line feeds: for a message of
    /// several lines, each of which may hold text from outside.
    public static func escapedKeepingLines<S: StringProtocol>(_ text: S) -> String {
        escape(text, keepingLineFeeds: true)
    }

    static func escape<S: StringProtocol>(_ text: S, keepingLineFeeds: Bool) -> String {
        guard text.unicodeScalars.contains(where: { isUnsafe($0) }) else { return String(text) }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isUnsafe(scalar), !(keepingLineFeeds && scalar == "\n") else {
                out.append(scalar)
                continue
            }
            let visible: String = switch scalar {
            case "\n": "\\n"
            case "\t": "\\t"
            case "\r": "\\r"
            default: "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
            out.append(contentsOf: visible.unicodeScalars)
        }
        return String(out)
    }
}
