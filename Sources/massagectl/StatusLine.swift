import Foundation

/// A live status line redrawn in place (`\r…\e[K`) that always fits the terminal: its
/// parts carry a rank, and the lowest-ranked go first until the rest fits the width, so
/// a redraw never wraps onto a new line (an 80-column terminal, a split pane).
struct StatusLine {
    struct Part {
        var text: String
        /// Higher stays longer.
        var rank: Int
    }

    var parts: [Part] = []

    mutating func add(_ text: String, rank: Int) {
        if !text.isEmpty { parts.append(Part(text: text, rank: rank)) }
    }

    /// The parts, joined by two spaces, with the lowest-ranked dropped (the order kept)
    /// until the line is shorter than `width` columns (the last column is left free: a
    /// terminal wraps when it is written). A single part still too long is cut with "…".
    func fitted(width: Int, separator: String = "  ") -> String {
        var kept = parts
        let limit = max(1, width - 1)
        func length(_ parts: [Part]) -> Int {
            parts.reduce(0) { $0 + Self.columns($1.text) } + max(0, parts.count - 1) * separator.count
        }
        while kept.count > 1, length(kept) > limit,
              let lowest = kept.indices.min(by: { kept[$0].rank < kept[$1].rank }) {
            kept.remove(at: lowest)
        }
        let line = kept.map(\.text).joined(separator: separator)
        guard Self.columns(line) > limit else { return line }
        return String(line.prefix(max(0, limit - 1))) + "…"
    }

    /// Columns `text` takes on a terminal: one per character (the line's characters are
    /// all single-width: letters, digits, block elements, the degree sign).
    static func columns(_ text: String) -> Int { text.count }

    /// The width of the terminal on `descriptor`, read now (so a resized window is
    /// followed at the next redraw); `COLUMNS`, else 80, when it is not a terminal.
    static func terminalWidth(_ descriptor: Int32 = STDOUT_FILENO) -> Int {
        var size = winsize()
        if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        return 80
    }
}
