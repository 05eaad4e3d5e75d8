import ArgumentParser
import Foundation
import MassageKit

/// The `massagectl` root command: parses the command line and hands over to a
/// subcommand.
///
/// It is an `AsyncParsableCommand` although no subcommand awaits anything yet: an
/// asynchronous subcommand (a device session, the simulator) only runs under an
/// asynchronous root, so new subcommands of either kind are added to
/// `subcommands` and nothing else changes.
@main
struct Massagectl: AsyncParsableCommand {
    /// The version of this tool, shown by `--version` and `massagectl version`.
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "massagectl",
        abstract: "Drive heat-and-vibration massage devices: run programs, read the mat, simulate the device.",
        version: version,
        subcommands: [RunCommand.self, ServeCommand.self, CallCommand.self, StopCommand.self, ClearFaultCommand.self, ConfigCommand.self, MatCommand.self, DevicesCommand.self, InfoCommand.self, HistoryCommand.self, ProgramsCommand.self, NewCommand.self, ShowCommand.self, ValidateCommand.self, WireCommand.self, SimulateCommand.self, ConformCommand.self, VersionCommand.self]
    )

    /// ArgumentParser's own `main`, except that its messages pass through
    /// ``TerminalText``: a parse error quotes the value given ("The value '…' is
    /// invalid"), and that value may hold escape sequences or bidi overrides.
    ///
    /// On the main actor, as ArgumentParser's own is in effect: commands such as `run`
    /// loop on the thread they start on, and only the main thread is sure to have SIGINT
    /// and SIGTERM unblocked (a cooperative-pool thread blocks them, and its children
    /// inherit that mask).
    @MainActor
    static func main() async {
        let closedStreams = reopenClosedStandardStreams()
        if !closedStreams.isEmpty {
            StandardError.print("warning: \(closedStreams.joined(separator: " and ")) \(closedStreams.count == 1 ? "was" : "were") closed; using /dev/null instead")
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            checkStandardOutput()
        } catch {
            let code = exitCode(for: error)
            let message = TerminalText.escapedKeepingLines(fullMessage(for: error))
            if !message.isEmpty {
                if code == .success {
                    Swift.print(message)
                } else {
                    writeUnbuffered(message + "\n", to: STDERR_FILENO)
                }
            }
            Foundation.exit(code.rawValue)
        }
    }
}

/// What a command printed must have reached standard output: a full disk or a closed
/// pipe found only when the buffer is flushed is an error (74), said on standard error,
/// not a silent success.
func checkStandardOutput() {
    guard fflush(nil) != 0 else { return }   // every output stream: only standard output is buffered
    let code = errno
    StandardError.print("Error: standard output could not be written (\(String(cString: strerror(code)))): what this command printed is incomplete")
    Foundation.exit(74)
}
