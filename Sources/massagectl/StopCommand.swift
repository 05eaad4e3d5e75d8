import ArgumentParser
import MassageControl
import MassageKit

/// `massagectl stop --device URI`: stops every output of a device and waits for its Ack.
struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop a device's motors and heater, and wait for it to acknowledge.",
        discussion: """
            Connects (Hello, which already sets every output to 0 on a device that follows \
            PROTOCOL.md 6.1), sends Stop and waits up to 1 s for its Ack. Use it when a \
            program left a device running, or from a script that must know the device is off.

            EXAMPLES
              massagectl stop --device usb
              massagectl stop --device unix:/tmp/massage.sock

            EXIT STATUS
              0   the device acknowledged Stop: motors and heater are off
              1   the device could not be reached or did not acknowledge Stop
              64  usage error
            """
    )

    @Option(help: ArgumentHelp("The device (\(DeviceURI.syntaxHelp)).", valueName: "URI"), completion: ShellCompletions.devices)
    var device: String

    func run() throws {
        let connection = try DeviceCommandConnection.open(device: device)
        defer { connection.close() }
        switch connection.session.stop(within: .seconds(1)) {
        case .acknowledged(let ms):
            emit("stopped: \(connection.title) acknowledged Stop in \(String(format: "%.1f", ms)) ms; motors and heater are off")
        case .unconfirmed(let error):
            StandardError.print("Error: could not stop \(connection.title): \(error). If it still runs, unplug it: its watchdog stops the outputs within \(connection.capabilities.device.watchdogMilliseconds) ms of the last frame from a host")
            throw ExitCode.failure
        }
    }
}
