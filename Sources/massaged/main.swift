import ArgumentParser
import Foundation
import MassageService
import MassageServiceHTTP
import MassageServiceProtocol

/// massaged: the service that owns the massage devices (see README, "The service").
@main
struct Massaged: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "massaged",
        abstract: "Own the massage devices; serve the local API, the live stream and the dashboard.")

    @Option(name: .long, help: "A device URI to own (repeat for more): sim, usb:..., serial:..., unix:...")
    var device: [String] = []

    @Option(name: .long, help: "The address HTTP listens on. Loopback only unless you ask for another.")
    var listen = "127.0.0.1"

    @Option(name: .long, help: "The HTTP port (0: any free one; service.json tells which).")
    var port = 8737

    @Option(name: .long, help: "Another Host (name:port) the service answers to, e.g. a LAN name when --listen is not loopback.")
    var allowHost: [String] = []

    @Option(name: .long, help: "Seconds a controller may be gone before its run stops (runs started detached go on).")
    var deadMan = 5.0

    @Option(name: .long, help: "The history database; 'none' records nothing.")
    var history: String?

    @Option(name: .long, help: "The folder with the dashboard's files (default: the copy shipped with the service).")
    var dashboard: String?

    @Option(name: .long, help: "Simulator speed (sim devices only).")
    var speed = 1.0

    func validate() throws {
        guard deadMan >= 0.5 && deadMan <= 3600 else { throw ValidationError("--dead-man is 0.5 to 3600 seconds") }
        guard (0...65535).contains(port) else { throw ValidationError("--port is 0 to 65535") }
    }

    func run() async throws {
        #if Service
        let paths: ServicePaths
        do { paths = try ServicePaths.standard() } catch { throw ValidationError(error.description) }
        var options = MassageServer.Options(paths: paths)
        options.core.devices = device.isEmpty ? ["sim"] : device
        options.core.deadManSeconds = deadMan
        options.core.simulatorSpeed = speed
        if let history { options.core.historyPath = history == "none" ? nil : history }
        options.host = listen
        options.port = port
        options.extraHosts = allowHost
        options.dashboardFolder = dashboard
        do {
            try await MassageServer(options: options).run()
        } catch let error as RPCError {
            FileHandle.standardError.write(Data("massaged: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
        #else
        FileHandle.standardError.write(Data("massaged: this build has no web stack; build the service with: swift build --traits Service --product massaged\n".utf8))
        throw ExitCode(1)
        #endif
    }
}
