import Foundation
import MassageKit

/// Writes a line to standard output at once (unbuffered), so whoever reads the log
/// through a pipe sees each line as it happens. Control and bidi characters in it are
/// escaped (``TerminalText``): lines quote device texts, names and paths from outside.
func emit(_ line: String) {
    writeUnbuffered(Terminal.forPeople(line, on: .output) + "\n", to: STDOUT_FILENO)
}

/// Writes all of `text` to `descriptor` with write(2). Unlike FileHandle's write, which
/// traps on any error, a full disk, a closed pipe or a closed descriptor only ends the
/// write: the caller's work (stopping a device, finishing a history row) goes on. Returns
/// the errno that ended it, 0 when all was written.
@discardableResult
func writeUnbuffered(_ text: String, to descriptor: Int32) -> Int32 {
    writeUnbuffered(bytes: Array(text.utf8), to: descriptor)
}

/// ``writeUnbuffered(_:to:)`` for bytes.
@discardableResult
func writeUnbuffered(bytes: [UInt8], to descriptor: Int32) -> Int32 {
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written < 0 {
            if errno == EINTR { continue }
            return errno
        }
        offset += written
    }
    return 0
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

/// Standard input, output and error, opened on /dev/null where they were closed
/// (`massagectl run … >&-`). Otherwise the next file this process opens (the history
/// database, a device) would get descriptor 1, and progress lines would be written into
/// it. Returns the names of the streams that were closed.
func reopenClosedStandardStreams() -> [String] {
    var closed: [String] = []
    for (descriptor, name, flags) in [(STDIN_FILENO, "standard input", O_RDONLY), (STDOUT_FILENO, "standard output", O_WRONLY),
                                      (STDERR_FILENO, "standard error", O_WRONLY)] {
        guard fcntl(descriptor, F_GETFD) < 0, errno == EBADF else { continue }
        let opened = open("/dev/null", flags)
        if opened >= 0 && opened != descriptor {
            dup2(opened, descriptor)
            close(opened)
        }
        closed.append(name)
    }
    return closed
}
