// Built only with the Service trait (swift build --traits Service): see Package.swift.
#if Service
import Foundation
import MassageService
import Hummingbird
import Logging
import MassageServiceProtocol
import ServiceLifecycle

/// The whole service, as `massaged` runs it: the devices, the UNIX socket, HTTP and the
/// WebSocket stream, the dead-man switch's rounds, and a graceful end on SIGTERM or
/// SIGINT (every run stopped, every device sent Stop with its Ack awaited, the history
/// rows finished, the socket and service.json removed).
public struct MassageServer: Sendable {
    public struct Options: Sendable {
        public var core = ServiceCore.Configuration()
        public var host = "127.0.0.1"
        public var port = 8737
        public var extraHosts: [String] = []
        public var paths: ServicePaths
        public var dashboardFolder: String?
        public init(paths: ServicePaths) { self.paths = paths }
    }

    public let options: Options
    public init(options: Options) { self.options = options }

    public func run() async throws {
        let tokens = try TokenStore.loadOrCreate(path: options.paths.tokenFile)
        let core = try ServiceCore(configuration: options.core, tokens: tokens)
        let dashboard = try Dashboard.load(folder: options.dashboardFolder)
        let unix = try UnixSocketServer(path: options.paths.socket, core: core)
        let policy = ServiceHTTP.PolicyBox(port: options.port, extraHosts: options.extraHosts)
        let paths = options.paths
        let host = options.host
        let app = ServiceHTTP.makeApplication(core: core, dashboard: dashboard, host: host, port: options.port, policy: policy) { port in
            let shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
            let description = ServiceDescription(url: "http://\(shown.contains(":") ? "[\(shown)]" : shown):\(port)", socket: paths.socket,
                                                 pid: getpid(), devices: core.deviceNames)
            if let data = try? JSONEncoder().encode(description),
               !FileManager.default.createFile(atPath: paths.descriptionFile, contents: data, attributes: [.posixPermissions: 0o600]) {
                FileHandle.standardError.write(Data("massaged: warning: cannot write \(paths.descriptionFile): massagectl will not find this service\n".utf8))
            }
            print("massaged: \(description.url) (dashboard: massagectl serve --show-url), socket \(paths.socket), devices \(core.deviceNames.joined(separator: ", "))")
        }
        let devices = DeviceService(core: core, unix: unix, paths: paths)
        let group = ServiceGroup(configuration: .init(services: [devices, app], gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: Logger(label: "massaged")))
        // Off Swift's cooperative pool: see ServiceExecutor.
        try await withTaskExecutorPreference(ServiceExecutor.shared) {
            try await group.run()
        }
    }
}

/// The devices' side of the lifecycle: connects them, runs the dead-man rounds, and on
/// shutdown stops everything before the process ends.
struct DeviceService: Service {
    let core: ServiceCore
    let unix: UnixSocketServer
    let paths: ServicePaths

    func run() async throws {
        await Task.detached { core.connectAll() }.value
        unix.start()
        // Four rounds a second: the run stops within a quarter second of the dead-man time.
        // Every 20th round (5 s), a device that is not connected is tried again.
        var round = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            core.enforceDeadMan()
            round += 1
            if round % 20 == 0 { core.reconnectMissing() }
            try? await Task.sleep(for: .milliseconds(250))
        }
        unix.close()
        unlink(paths.descriptionFile)
        let ends = await Task.detached { core.shutDown() }.value
        for end in ends { print("massaged: shut down: \(end)") }
    }
}
#endif
