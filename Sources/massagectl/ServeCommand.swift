import ArgumentParser
import Foundation
import MassageControl
import MassageServiceProtocol

/// `massagectl serve`: starts the service (massaged, a separate executable so that this
/// tool never carries the web stack), or with `--show-url` prints the dashboard's URL
/// with the token to open it with.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Start the service that owns the devices (massaged), or show its dashboard URL.",
        discussion: """
            The service owns the devices and serves a local API (UNIX socket and HTTP on \
            127.0.0.1), a live WebSocket stream and the dashboard. Anything that changes \
            state needs the token it creates at its first start; --show-url prints the URL \
            with the token, to open in a browser on this machine.

            Examples:
              massagectl serve --device sim
              massagectl serve --show-url
            """)

    @Flag(name: .customLong("show-url"), help: "Print the running service's dashboard URL with the token, and exit.")
    var showURL = false

    @Argument(parsing: .captureForPassthrough, help: "Options passed on to massaged (see massaged --help), e.g. --device usb --port 8737.")
    var serviceOptions: [String] = []

    func run() throws {
        if showURL {
            print(try Self.dashboardURL())
            return
        }
        let executable = try Self.massagedPath()
        var arguments = [executable] + serviceOptions
        let cArguments = arguments.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        execv(executable, cArguments)
        arguments.removeAll()
        throw DeviceFailure(message: "cannot start \(executable): \(String(cString: strerror(errno)))")
    }

    /// The URL with the token in its fragment (never sent to the server, never logged).
    static func dashboardURL() throws -> String {
        let paths: ServicePaths
        do { paths = try ServicePaths.standard() } catch { throw ValidationFailure(message: error.description) }
        guard let data = FileManager.default.contents(atPath: paths.descriptionFile),
              let description = try? JSONDecoder().decode(ServiceDescription.self, from: data),
              (try? ServiceClient(socketPath: description.socket)) != nil else {
            throw DeviceFailure(message: "no service is running (nothing answers at \(paths.socket)); start it with massagectl serve --device sim (or systemctl --user start massage-control)")
        }
        guard let token = try? String(contentsOfFile: paths.tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) else {
            throw DeviceFailure(message: "cannot read the service token \(paths.tokenFile)")
        }
        return "\(description.url)/#token=\(token)"
    }

    /// massaged beside this executable (a build folder, an install prefix), else on PATH.
    static func massagedPath() throws -> String {
        let own = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        var candidates = [own.appendingPathComponent("massaged").path]
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        candidates += path.split(separator: ":").map { "\($0)/massaged" }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw DeviceFailure(message: "massaged is not built or installed: build it with swift build --traits Service --product massaged (its web stack is kept out of massagectl)")
    }
}
