import Foundation
import MassageService
import MassageServiceProtocol
import Testing

/// `massagectl call` against the service's core on a real UNIX socket (no web stack): each
/// call is a process of its own, and all of one person's calls are one client, so a run
/// started by one call is paused, changed, resumed and stopped by the next ones; a
/// client with another name is refused by the one-controller rule, naming the holder.
@Suite(.serialized) struct ServiceCallTests {
    @Test func oneUsersCallsAreOneController() throws {
        let home = NSTemporaryDirectory() + "massagectl-call-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let environment = ["XDG_RUNTIME_DIR": home + "/run", "XDG_CONFIG_HOME": home + "/config"]
        try FileManager.default.createDirectory(atPath: home + "/run", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: home) }
        let paths = try ServicePaths.standard(environment: environment)
        let tokens = try TokenStore.loadOrCreate(path: paths.tokenFile)
        var configuration = ServiceCore.Configuration()
        configuration.devices = ["sim"]
        configuration.historyPath = nil
        configuration.fifoPriority = nil
        let core = try ServiceCore(configuration: configuration, tokens: tokens)
        core.connectAll()
        let server = try UnixSocketServer(path: paths.socket, core: core)
        server.start()
        defer {
            server.close()
            core.shutDown()
        }
        func call(_ arguments: String...) throws -> MassagectlProcess.Result {
            try MassagectlProcess.run(["call"] + arguments, environment: environment)
        }
        /// The run's state as the service reports it, polled until `expected` (10 s at most).
        func runState(becomes expected: String?) throws -> String? {
            var state: String?
            for _ in 0..<100 {
                let data = try core.handle(method: "devices", device: nil, params: [:], caller: .init(client: "test", token: nil))
                let devices = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["devices"] as? [[String: Any]]
                state = (devices?.first?["run"] as? [String: Any])?["state"] as? String
                if state == expected { break }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return state
        }

        let start = try call("start", "device=sim", "program=swedish", "intensity=60")
        #expect(start.status == 0, "\(start.standardError)")
        #expect(try runState(becomes: "running") == "running")
        // Another process, the same person: the same controller.
        let pause = try call("pause", "device=sim")
        #expect(pause.status == 0, "\(pause.standardError)")
        #expect(try runState(becomes: "paused") == "paused")
        #expect(try call("intensity", "device=sim", "percent=30").status == 0)
        // Somebody else (named otherwise) is refused, and told who holds the device.
        let other = try call("resume", "device=sim", "client=phone")
        #expect(other.status != 0)
        #expect(other.standardError.contains("controlled by \"\(expectedName())\""), "\(other.standardError)")
        #expect(try call("resume", "device=sim").status == 0)
        #expect(try runState(becomes: "running") == "running")
        #expect(try call("stop", "device=sim").status == 0)
        #expect(try runState(becomes: nil) == nil)

        // A value that is no JSON number ("inf") goes as a string: the service says what
        // the parameter is, instead of the call failing to encode its own request.
        let infinite = try call("history", "limit=inf")
        #expect(infinite.status != 0)
        #expect(infinite.standardError.contains("\"limit\" is how many history rows"), "\(infinite.standardError)")
        #expect(!infinite.standardError.contains("encode"), "\(infinite.standardError)")
    }
}

/// The name `massagectl call` gives itself: "massagectl (USER)".
func expectedName() -> String {
    guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return "massagectl (uid \(getuid()))" }
    return "massagectl (\(String(cString: name)))"
}
