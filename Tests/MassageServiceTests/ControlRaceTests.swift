// These use the HTTP fixture: built only with the Service trait (swift test --traits Service).
#if Service
import Foundation
import MassageService
import MassageServiceProtocol
import Synchronization
import Testing

/// What a review of the threads found: the control rules held for one request at a
/// time, not for requests at once, nor for a refused request, nor for callers without
/// the token. Each test here failed before its fix.
@Suite(.serialized) struct ControlRaceTests {
    /// Starts at once on one device, from different clients and from one client twice:
    /// exactly one run, its controller the one the ledger holds, and Stop stops it.
    @Test(arguments: [false, true]) func startsAtOnceMakeOneRun(sameClient: Bool) async throws {
        let service = try await ServiceFixture()
        defer { service.stop() }
        _ = try await service.waitFor { $0["connected"] as? Bool == true }
        let core = service.core
        let accepted = Mutex<[String]>([])
        let refusals = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let client = sameClient ? "phone" : "client-\(index)"
            do throws(RPCError) {
                _ = try core.handle(method: "start", device: "sim", params: ["program": .string("swedish")],
                                    caller: .init(client: client, token: service.token))
                accepted.withLock { $0.append(client) }
            } catch {
                refusals.withLock { $0.append(error.code) }
            }
        }
        let winners = accepted.withLock { $0 }
        #expect(winners.count == 1, "\(winners.count) starts were accepted on one device: \(winners)")
        #expect(refusals.withLock { $0 }.allSatisfy { $0 == 409 })
        #expect(core.ledger.holder(of: "sim")?.client == winners.first)
        let running = try await service.waitFor { ($0["run"] as? [String: Any]) != nil }
        #expect((running["run"] as? [String: Any])?["controller"] as? String == winners.first)

        _ = try core.handle(method: "stop", device: "sim", params: [:], caller: .init(client: "laptop", token: service.token))
        let stopped = try await service.waitFor { $0["run"] == nil && $0["last_run"] != nil }
        #expect(stopped["run"] == nil, "a run escaped the stop: \(stopped)")
        // Its end frees the device for anyone.
        for _ in 0..<100 where core.ledger.holder(of: "sim") != nil { try await Task.sleep(for: .milliseconds(50)) }
        #expect(core.ledger.holder(of: "sim") == nil)
    }

    /// Mat sessions started at once on two mats: one session in the whole service.
    @Test func matSessionsStartedAtOnceMakeOneSession() async throws {
        let mats = ["sim:mat-16", "sim:mat-16?seed=3"]
        let service = try await ServiceFixture(devices: mats)
        defer { service.stop() }
        _ = try await service.waitFor(device: 0) { $0["mat_zones"] as? Int == 16 }
        _ = try await service.waitFor(device: 1) { $0["mat_zones"] as? Int == 16 }
        let core = service.core
        // Rounds, because a race shows only sometimes: each round starts at once, then
        // ends whatever started.
        for round in 0..<5 {
            let accepted = Mutex<Int>(0)
            DispatchQueue.concurrentPerform(iterations: 8) { index in
                do throws(RPCError) {
                    _ = try core.handle(method: "mat-start", device: mats[index % 2], params: [:],
                                        caller: .init(client: "client-\(round)-\(index)", token: service.token))
                    accepted.withLock { $0 += 1 }
                } catch {}
            }
            #expect(accepted.withLock { $0 } == 1, "round \(round)")
            let held = mats.filter { core.ledger.holder(of: $0) != nil }
            #expect(held.count == 1, "round \(round): held: \(held)")
            for mat in mats { _ = try? core.handle(method: "mat-end", device: mat, params: [:], caller: .init(client: "x", token: service.token)) }
            for _ in 0..<100 where mats.contains(where: { core.ledger.holder(of: $0) != nil }) { try await Task.sleep(for: .milliseconds(50)) }
            #expect(mats.allSatisfy { core.ledger.holder(of: $0) == nil }, "round \(round): a session did not end")
        }
    }

    /// A start refused because the client's own run is going must not change how that
    /// run is held: it was started attached, so the dead-man switch still ends it.
    @Test func aRefusedStartLeavesTheDeadManSwitchOn() async throws {
        let clock = HandClock()
        let service = try await ServiceFixture(deadManSeconds: 3, clock: clock.read)
        defer { service.stop() }
        _ = try await service.waitFor { $0["connected"] as? Bool == true }
        let first = try await service.startRun(client: "phone")
        #expect(first.status == 200, "\(first.body)")
        let again = try await service.startRun(client: "phone", program: "petrissage", detached: true)
        #expect(again.status == 409, "\(again.body)")
        #expect(service.core.ledger.holder(of: "sim")?.detached == false)
        clock.advance(3.5)
        #expect(service.core.enforceDeadMan() == ["sim"])
        let stopped = try await service.waitFor { $0["run"] == nil && $0["last_run"] != nil }
        #expect(stopped["run"] == nil)
    }

    /// Requests without the token, a WebSocket hello without it, and a UNIX-socket
    /// connection that never sent it do not keep a controller present: anyone could send
    /// them under its name.
    @Test func onlyACallerWithTheTokenCountsAsPresent() async throws {
        let clock = HandClock()
        let service = try await ServiceFixture(deadManSeconds: 3, clock: clock.read)
        defer { service.stop() }
        _ = try await service.waitFor { $0["connected"] as? Bool == true }
        let start = try await service.startRun(client: "phone")
        #expect(start.status == 200, "\(start.body)")
        clock.advance(2)
        // Reads under the controller's name, without the token and with a wrong one.
        _ = try await RawHTTP.request(port: service.port, path: "/api/v1/devices", client: "phone")
        _ = try await RawHTTP.request(port: service.port, path: "/api/v1/programs", token: "wrong", client: "phone")
        clock.advance(1.5)
        #expect(service.core.enforceDeadMan() == ["sim"], "an unauthenticated request kept the controller present")
        _ = try await service.waitFor { $0["run"] == nil && $0["last_run"] != nil }

        // With the token, a read does count.
        let restart = try await service.startRun(client: "phone")
        #expect(restart.status == 200, "\(restart.body)")
        clock.advance(2)
        _ = try await RawHTTP.request(port: service.port, path: "/api/v1/devices", token: service.token, client: "phone")
        clock.advance(1.5)
        #expect(service.core.enforceDeadMan().isEmpty)
        _ = try service.core.handle(method: "stop", device: "sim", params: [:], caller: .init(client: "phone", token: service.token))
        _ = try await service.waitFor { $0["run"] == nil }

        // A WebSocket hello under the controller's name without the token, then pings:
        // not present. With the token in the hello, the pings keep it present.
        for (hello, stops) in [("{\"type\":\"hello\",\"client\":\"phone\"}", true),
                               ("{\"type\":\"hello\",\"client\":\"phone\",\"token\":\"\(service.token)\"}", false)] {
            let started = try await service.startRun(client: "phone")
            #expect(started.status == 200, "\(started.body)")
            let socket = try await onThread { try RawWebSocket(port: service.port) }
            socket.send(text: hello)
            for _ in 0..<4 {
                clock.advance(1)
                socket.send(text: "{\"type\":\"ping\"}")
                try await Task.sleep(for: .milliseconds(200))   // the server reads it
            }
            #expect(service.core.enforceDeadMan() == (stops ? ["sim"] : []), "hello: \(hello)")
            _ = try service.core.handle(method: "stop", device: "sim", params: [:], caller: .init(client: "phone", token: service.token))
            _ = try await service.waitFor { $0["run"] == nil }
            withExtendedLifetime(socket) {}
        }

        // A UNIX-socket connection kept open under the controller's name: present only
        // once it has sent the token.
        for (token, stops) in [(nil, true), (service.token, false)] as [(String?, Bool)] {
            let started = try await service.startRun(client: "phone")
            #expect(started.status == 200, "\(started.body)")
            let connection = try ServiceClient(socketPath: service.unix.path)
            var params: [String: JSONParam] = ["client": .string("phone")]
            if let token { params["token"] = .string(token) }
            _ = try connection.call("devices", params: params)
            clock.advance(10)
            #expect(service.core.enforceDeadMan() == (stops ? ["sim"] : []), "token: \(token ?? "none")")
            _ = try service.core.handle(method: "stop", device: "sim", params: [:], caller: .init(client: "phone", token: service.token))
            _ = try await service.waitFor { $0["run"] == nil }
            withExtendedLifetime(connection) {}
        }
    }

    /// Live streams are bounded (`maxStreams`): one more is closed at once with 1013
    /// ("try again later"), a plain GET of the path says 503 and why, and a stream that
    /// closed frees its place.
    @Test func streamsPastTheLimitAreRefusedWithAReason() async throws {
        let service = try await ServiceFixture(maxStreams: 2)
        defer { service.stop() }
        let first = try await onThread { try RawWebSocket(port: service.port) }
        let second = try await onThread { try RawWebSocket(port: service.port) }
        for _ in 0..<250 where service.core.hub.subscriberCount < 2 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(service.core.hub.subscriberCount == 2)
        let over = try await onThread { try RawWebSocket(port: service.port) }
        #expect(try await onThread { over.receiveCloseCode() } == 1013)
        #expect(service.core.hub.subscriberCount == 2)
        let plain = try await RawHTTP.request(port: service.port, path: "/api/v1/stream")
        #expect(plain.status == 503)
        #expect(plain.errorMessage.contains("2 live streams"), "\(plain.body)")
        _ = consume first
        for _ in 0..<250 where service.core.hub.subscriberCount > 1 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(service.core.hub.subscriberCount == 1)
        let third = try await onThread { try RawWebSocket(port: service.port) }
        for _ in 0..<250 where service.core.hub.subscriberCount < 2 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(service.core.hub.subscriberCount == 2)
        withExtendedLifetime((second, third)) {}
    }

    /// A number from outside becomes an Int only inside its range: `limit=1e300` once
    /// trapped the service (a GET, no token needed). A finite number is kept within
    /// 1…500; anything else is refused.
    @Test func historyLimitsOutOfRangeAreRefusedOrBounded() async throws {
        let service = try await ServiceFixture()
        defer { service.stop() }
        for limit in ["inf", "-inf", "nan", "abc"] {
            let answer = try await RawHTTP.request(port: service.port, path: "/api/v1/history?limit=\(limit)")
            #expect(answer.status == 400, "limit=\(limit): \(answer.status) \(answer.body)")
            #expect(answer.errorMessage.contains("limit"), "\(answer.body)")
        }
        for limit in ["0", "1", "20", "500", "100000", "1e300", "-1e300"] {
            let answer = try await RawHTTP.request(port: service.port, path: "/api/v1/history?limit=\(limit)")
            #expect(answer.status == 200, "limit=\(limit): \(answer.body)")
        }
        let client = try ServiceClient(socketPath: service.unix.path)
        #expect(try client.call("history", params: ["limit": .number(1e300)])["entries"] != nil)
        #expect(throws: ServiceClientError.self) { try client.call("history", params: ["limit": .string("all")]) }
        #expect(try await RawHTTP.request(port: service.port, path: "/api/v1/devices").status == 200)
    }
}
#endif
