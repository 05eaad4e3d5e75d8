import ArgumentParser

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
        subcommands: [RunCommand.self, ServeCommand.self, CallCommand.self, MatCommand.self, DevicesCommand.self, InfoCommand.self, HistoryCommand.self, ProgramsCommand.self, ShowCommand.self, ValidateCommand.self, WireCommand.self, SimulateCommand.self, VersionCommand.self]
    )
}
