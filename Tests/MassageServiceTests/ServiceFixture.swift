// Built only with the Service trait (swift build --traits Service): see Package.swift.
#if Service
import Foundation
import Hummingbird
import MassageService
import MassageServiceHTTP
import MassageServiceProtocol
import Synchronization

/// A service on a simulator, in this process: HTTP on a free port of 127.0.0.1 and the
/// UNIX socket in a temporary folder, history in a temporary file.
final class ServiceFixture: Sendable {
    let core: ServiceCore
    let folder: String
    let port: Int
    let unix: UnixSocketServer
    let task: Task<Void, any Error>
    let token = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

    static func dashboardFolder() -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/MassageServiceHTTP/Dashboard").path
    }

    init(devices: [String] = ["sim"], deadManSeconds: Double = 30, maxStreams: Int = 256, clock: (@Sendable () -> Double)? = nil) async throws {
        folder = NSTemporaryDirectory() + "massaged-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var configuration = ServiceCore.Configuration()
        configuration.devices = devices
        configuration.historyPath = folder + "/history.sqlite"
        configuration.deadManSeconds = deadManSeconds
        configuration.maxStreams = maxStreams
        configuration.fifoPriority = nil
        let tokens = TokenStore(token: token)
        core = if let clock { try ServiceCore(configuration: configuration, tokens: tokens, clock: clock) } else {
            try ServiceCore(configuration: configuration, tokens: tokens)
        }
        core.connectAll()
        unix = try UnixSocketServer(path: folder + "/run/massaged.sock", core: core)
        unix.start()
        let dashboard = try Dashboard.load(folder: Self.dashboardFolder())
        let policy = ServiceHTTP.PolicyBox(port: 0, extraHosts: [])
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = ServiceHTTP.makeApplication(core: core, dashboard: dashboard, host: "127.0.0.1", port: 0, policy: policy) { port in
            portContinuation.yield(port)
        }
        task = Task(executorPreference: ServiceExecutor.shared) { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else { throw RPCError(code: 500, message: "the server did not start") }
        port = bound
    }

    /// A start over HTTP on the handheld, as `client`, with the token.
    func startRun(client: String, program: String = "swedish", detached: Bool = false) async throws -> RawHTTP.Answer {
        try await RawHTTP.request(port: port, method: "POST", path: "/api/v1/devices/sim/start", token: token, client: client,
                                  body: detached ? "{\"program\":\"\(program)\",\"detached\":true}" : "{\"program\":\"\(program)\"}")
    }

    func stop() {
        task.cancel()
        unix.close()
        core.shutDown()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Waits up to `seconds` for `condition` on the device's state.
    /// 60 s by default: the whole suite runs in parallel on 2 cores, and a run's end (its
    /// Stop and Ack, the history row) can take long there; a green wait returns at once.
    func waitFor(_ seconds: Double = 60, device index: Int = 0, _ condition: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(seconds)
        var last: [String: Any] = [:]
        while Date() < deadline {
            let answer = try await RawHTTP.request(port: port, path: "/api/v1/devices")
            let devices = answer.json["devices"] as? [[String: Any]] ?? []
            last = index < devices.count ? devices[index] : [:]
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        return last
    }
}

/// A monotonic clock the test moves by hand: the dead-man switch's time.
final class HandClock: Sendable {
    let now = Mutex<Double>(0)
    func advance(_ seconds: Double) { now.withLock { $0 += seconds } }
    var read: @Sendable () -> Double { { [self] in now.withLock { $0 } } }
}

/// Runs `body` on a thread of its own: the tests' blocking socket calls must not hold
/// the cooperative pool's few threads, which the server's handlers need to answer them.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.start()
    }
}
#endif
