import Foundation
import MassageKit

/// Writes a line to standard output at once (unbuffered), so whoever reads the log
/// through a pipe sees each line as it happens. Control and bidi characters in it are
/// escaped (``TerminalText``): lines quote device texts, names and paths from outside.
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((Terminal.forPeople(line, on: .output) + "\n").utf8))
}

/// `print` for text meant for people (not JSON, which escapes for itself): every control
/// and bidi character from outside shown as a visible escape.
func printText(_ text: String) {
    print(Terminal.forPeople(text, on: .output))
}

/// What standard output and standard error can show, read once.
enum Terminal {
    enum Stream { case output, error }

    static let output = TerminalCapabilities(isTerminal: isatty(STDOUT_FILENO) != 0, environment: ProcessInfo.processInfo.environment)
    static let error = TerminalCapabilities(isTerminal: isatty(STDERR_FILENO) != 0, environment: ProcessInfo.processInfo.environment)

    /// `text` as it may reach `stream`: outside text escaped (``TerminalText``), and in
    /// ASCII on a terminal whose locale is not UTF-8.
    static func forPeople(_ text: String, on stream: Stream) -> String {
        let escaped = TerminalText.escapedKeepingLines(text)
        let capabilities = stream == .output ? output : error
        return capabilities.unicode ? escaped : TerminalCapabilities.ascii(escaped)
    }

    /// `word` in `colour` (an SGR number: 31 red, 33 yellow) when `stream` takes colour.
    static func coloured(_ word: String, _ colour: Int, on stream: Stream) -> String {
        (stream == .output ? output : error).colour ? "\u{1B}[\(colour)m\(word)\u{1B}[0m" : word
    }
}
