import ArgumentParser
import Foundation
import MassageKit

/// Messages for people on standard error, apart from the output a command produces.
enum StandardError {
    /// Writes `text` and a newline, unbuffered, so it lands in order with what a
    /// shell shows of standard output. Control and bidi characters are escaped
    /// (``TerminalText``): messages quote keys, values, paths and device texts.
    static func print(_ text: String) {
        FileHandle.standardError.write(Data((TerminalText.escapedKeepingLines(text) + "\n").utf8))
    }
}

extension ValidationError {
    /// Prints this usage error and returns the exit status to throw, for a mistake found
    /// in standard input, after parsing. Thrown as is from `run()`, ArgumentParser would
    /// print it under the root command's usage line, which only misleads there.
    func reported() -> ExitCode {
        StandardError.print("Error: \(message)")
        return .validationFailure
    }
}
