import Foundation
import MassageKit

/// Writes a line to standard output at once (unbuffered), so whoever reads the log
/// through a pipe sees each line as it happens. Control and bidi characters in it are
/// escaped (``TerminalText``): lines quote device texts, names and paths from outside.
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((TerminalText.escapedKeepingLines(line) + "\n").utf8))
}

/// `print` for text meant for people (not JSON, which escapes for itself): every control
/// and bidi character from outside shown as a visible escape.
func printText(_ text: String) {
    print(TerminalText.escapedKeepingLines(text))
}
