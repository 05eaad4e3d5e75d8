// These go through HTTP: built only with the Service trait (swift test --traits Service).
#if Service
import Foundation
import MassageService
import MassageServiceProtocol
import Testing

/// Every route and every refusal, over real sockets against a service on a simulator.
@Suite(.serialized) struct APITests {
    @Test func everyRouteAndEveryRefusal() async throws {
        let service = try await ServiceFixture()
        defer { service.stop() }
        let port = service.port, token = service.token

        // Reading needs no token.
        let devices = try await RawHTTP.request(port: port, path: "/api/v1/devices")
        #expect(devices.status == 200)
        let state = try await service.waitFor { $0["connected"] as? Bool == true }
        #expect(state["motors"] as? Int ?? 0 > 0)
        let programs = try await RawHTTP.request(port: port, path: "/api/v1/programs")
        #expect(programs.status == 200)
        let names = (programs.json["programs"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names.contains("swedish"))
        #expect(try await RawHTTP.request(port: port, path: "/api/v1/history").status == 200)
        let goal = try await RawHTTP.request(port: port, path: "/api/v1/mat/goal")
        #expect(goal.status == 200)
        #expect(goal.json["goal_seconds"] as? Double ?? 0 > 0)
        // The dashboard's files, with a policy that allows only this origin's scripts.
        let page = try await RawHTTP.request(port: port, path: "/")
        #expect(page.status == 200)
        #expect(page.body.contains("massage-control"))
        #expect(page.head.lowercased().contains("content-security-policy: default-src 'none'"))
        #expect(try await RawHTTP.request(port: port, path: "/app.js").status == 200)

        // Wrong Host (DNS rebinding) and wrong Origin (a foreign page): refused, reads too.
        let rebound = try await RawHTTP.request(port: port, path: "/api/v1/devices", host: "evil.example:\(port)")
        #expect(rebound.status == 403)
        #expect(rebound.errorMessage.contains("evil.example"))
        #expect(try await RawHTTP.request(port: port, path: "/", host: "evil.example:\(port)").status == 403)
        let foreign = try await RawHTTP.request(port: port, method: "POST", path: "/api/v1/devices/sim/stop", origin: "http://evil.example", token: token)
        #expect(foreign.status == 403)
        #expect(try await RawHTTP.request(port: port, path: "/api/v1/devices", origin: "http://evil.example").status == 403)
        #expect(try await RawHTTP.request(port: port, path: "/api/v1/devices", origin: "http://127.0.0.1:\(port)").status == 200)
        // No CORS headers, ever.
        #expect(!devices.head.lowercased().contains("access-control-allow"))

        // The WebSocket upgrade: refused from a foreign origin or host, accepted from ours.
        let foreignUpgrade = try await RawHTTP.upgrade(port: port, origin: "http://evil.example")
        // Hummingbird's upgrade handler answers a declined upgrade with 400 and closes.
        #expect([400, 403].contains(foreignUpgrade.status), "\(foreignUpgrade.head)")
        #expect([400, 403].contains(try await RawHTTP.upgrade(port: port, host: "evil.example:\(port)", origin: "http://127.0.0.1:\(port)").status))
        #expect(try await RawHTTP.upgrade(port: port, origin: "http://127.0.0.1:\(port)").status == 101)

        // Changing state without the token, or with a wrong one.
        for route in ServiceRoute.all where route.changesState {
            let path = route.path.replacingOccurrences(of: "{device}", with: "sim")
            let none = try await RawHTTP.request(port: port, method: "POST", path: path, body: "{\"program\":\"swedish\",\"percent\":50}")
            #expect(none.status == 401, "\(path)")
            #expect(none.errorMessage.contains("token"))
            let wrong = try await RawHTTP.request(port: port, method: "POST", path: path, token: String(repeating: "0", count: 64), body: "{}")
            #expect(wrong.status == 401, "\(path)")
        }

        // Bad bodies.
        let notJSON = try await RawHTTP.request(port: port, method: "POST", path: "/api/v1/devices/sim/start", token: token, client: "a", body: "{program")
        #expect(notJSON.status == 400)
        #expect(try await RawHTTP.request(port: port, method: "POST", path: "/api/v1/devices/sim/start", token: token, client: "a", body: "{}").status == 400)
        #expect(try await RawHTTP.request(port: port, method: "POST", path: "/api/v1/devices/sim/start", token: token, client: "a", body: "{\"program\":\"nope\"}").status == 404)
        #expect(try await RawHTTP.request(port: port, method: "POST", path: "/api/v1/devices/sim/start", token: token, client: "a",
                                    body: "{\"program\":\"swedish\",\"intensity\":150}").status == 400)
        #expect(try await RawHTTP.request(port: port, method: "POST", path: "/api/v1/devices/nope/start", token: token, client: "a",
                                    body: "{\"program\":\"swedish\"}").status == 404)
        let big = String(repeating: " ", count: 20_000)
        #expect(try await RawHTTP.request(port: port, method: "POST", path: "/api/v1/devices/sim/start", token: token, client: "a", body: "{\(big)}").status == 413)
        // Nothing runs yet: pause refuses plainly.
        #expect(try await RawHTTP.request(port: port, method: "POST", path: "/api/v1/devices/sim/pause", token: token, client: "a").status == 409)

        // Start, as "phone"; a second controller is refused by name; stop is open to all.
        let start = try await RawHTTP.request(port: port, method: "POST", path: "/api/v1/devices/sim/start", token: token, client: "phone",
                                        body: "{\"program\":\"swedish\",\"intensity\":80}")
        #expect(start.status == 200, "\(start.body)")
        let running = try await service.waitFor { ($0["outputs"] as? [Int] ?? []).contains { $0 > 0 } }
        #expect((running["run"] as? [String: Any])?["controller"] as? String == "phone")
        for (path, body) in [("start", "{\"program\":\"swedish\"}"), ("pause", ""), ("resume", ""), ("intensity", "{\"percent\":10}"), ("clear-fault", "")] {
            let second = try await RawHTTP.request(port: port, method: "POST", path: "/api/v1/devices/sim/\(path)", token: token, client: "laptop",
                                             body: body.isEmpty ? nil : body)
            #expect(second.status == 409, "\(path)")
            #expect(second.errorMessage.contains("\"phone\""), "\(path): \(second.errorMessage)")
        }
        #expect(try await RawHTTP.request(port: port, method: "POST", path: "/api/v1/devices/sim/intensity", token: token, client: "phone", body: "{}").status == 400)
        #expect(try await RawHTTP.request(port: port, method: "POST", path: "/api/v1/devices/sim/intensity", token: token, client: "phone",
                                    body: "{\"percent\":40}").status == 200)
        #expect(try await RawHTTP.request(port: port, method: "POST", path: "/api/v1/devices/sim/pause", token: token, client: "phone").status == 200)
        let paused = try await service.waitFor { ($0["run"] as? [String: Any])?["state"] as? String == "paused" }
        #expect((paused["run"] as? [String: Any])?["intensity"] as? Int == 40)
        #expect(try await RawHTTP.request(port: port, method: "POST", path: "/api/v1/devices/sim/resume", token: token, client: "phone").status == 200)
        let stop = try await RawHTTP.request(port: port, method: "POST", path: "/api/v1/devices/sim/stop", token: token, client: "laptop")
        #expect(stop.status == 200)
        let stopped = try await service.waitFor { $0["run"] == nil && $0["last_run"] != nil && ($0["outputs"] as? [Int] ?? [1]).allSatisfy { $0 == 0 } }
        let last = stopped["last_run"] as? [String: Any] ?? [:]
        #expect((last["stop"] as? String ?? "").contains("acknowledged"), "\(last)")
        #expect((last["note"] as? String ?? "").contains("laptop"))
        // The device is free again: another client may start.
        #expect(try await RawHTTP.request(port: port, method: "POST", path: "/api/v1/devices/sim/clear-fault", token: token, client: "laptop").status == 200)
        // The history has the run.
        var rows: [[String: Any]] = []
        for _ in 0..<50 where rows.isEmpty {
            rows = try await RawHTTP.request(port: port, path: "/api/v1/history?limit=5").json["entries"] as? [[String: Any]] ?? []
            if rows.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(rows.first?["name"] as? String == "swedish")
        #expect(rows.first?["outcome"] as? String == "stopped")
    }

    /// The UNIX socket: mode 0600 in a 0700 folder, the same handlers and refusals.
    @Test func theUnixSocketIsOwnerOnlyAndSpeaksJSONRPC() async throws {
        let service = try await ServiceFixture()
        defer { service.stop() }
        var info = stat()
        #expect(stat(service.unix.path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(stat((service.unix.path as NSString).deletingLastPathComponent, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)

        let client = try ServiceClient(socketPath: service.unix.path)
        let devices = try client.call("devices")
        #expect((devices["devices"] as? [[String: Any]])?.first?["device"] as? String == "sim")
        #expect(throws: ServiceClientError.refused(RPCError(code: 401, message: "refused: stop changes state and needs the service token (Authorization: Bearer TOKEN, or the dashboard URL from massagectl serve --show-url)"))) {
            try client.call("stop", params: ["device": .string("sim")])
        }
        #expect(throws: ServiceClientError.self) { try client.call("no-such-method") }
        let stopped = try client.call("stop", params: ["device": .string("sim"), "token": .string(service.token), "client": .string("cli")])
        #expect(stopped["device"] as? String == "sim")
        // A line that is not JSON gets an error line, and the connection goes on.
        let raw = try ServiceClient(socketPath: service.unix.path)
        #expect(throws: ServiceClientError.self) { try raw.call("start", params: ["device": .string("sim"), "token": .string(service.token), "program": .number(3)]) }
        #expect(try raw.call("programs")["programs"] != nil)

        // JSON-RPC ids may be strings and params may be left out; the answer carries the
        // id back as it came.
        let answers = try await onThread { try Self.unixExchange(path: service.unix.path, lines: [
            "{\"jsonrpc\":\"2.0\",\"id\":\"a-1\",\"method\":\"programs\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"no-such-method\"}",
        ]) }
        #expect(answers.count == 2)
        let first = answers.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
        #expect(first["id"] as? String == "a-1", "\(answers)")
        #expect(first["result"] != nil, "\(answers)")
        let second = answers.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
        #expect(second["id"] as? Int == 7, "\(answers)")
        #expect((second["error"] as? [String: Any])?["code"] as? Int == 404, "\(answers)")
    }

    /// Sends `lines` on one UNIX-socket connection; the answer lines, one per request.
    static func unixExchange(path: String, lines: [String]) throws -> [String] {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        let request = Array(lines.map { $0 + "\n" }.joined().utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while received.filter({ $0 == 0x0A }).count < lines.count {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
#endif
