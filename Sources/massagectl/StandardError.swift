import ArgumentParser
import Foundation
import MassageKit

/// Messages for people on standard error, apart from the output a command produces.
enum StandardError {
    /// Writes `text` and a newline, unbuffered, so it lands in order with what a
    /// shell shows of standard output. Control and bidi characters are escaped
    /// (``TerminalText``): messages quote keys, values, paths and device texts.
    static func print(_ text: String) {
        var shown = Terminal.forPeople(text, on: .error)
        // Red for an error, yellow for a warning, on a terminal that takes colour only
        // (not piped, not NO_COLOR, not TERM=dumb); added after escaping, so it is ours.
        for (prefix, colour) in [("Error:", 31), ("warning:", 33)] where shown.hasPrefix(prefix) {
            shown = Terminal.coloured(prefix, colour, on: .error) + shown.dropFirst(prefix.count)
        }
        writeUnbuffered(shown + "\n", to: STDERR_FILENO)
    }

    /// ``print(_:)``, unless standard error cannot take the text within `patience`: for
    /// what a command says after it has stopped a device, when standard error may be the
    /// same frozen terminal that standard output is. A process asked to end must end.
    static func printIfWritable(_ text: String, patience: Int32 = 100) {
        var ready = pollfd(fd: STDERR_FILENO, events: Int16(POLLOUT), revents: 0)
        guard poll(&ready, 1, patience) == 1, ready.revents & Int16(POLLOUT) != 0 else { return }
        print(text)
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
