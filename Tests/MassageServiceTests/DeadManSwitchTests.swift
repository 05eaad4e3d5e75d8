// These go through HTTP: built only with the Service trait (swift test --traits Service).
#if Service
import Foundation
import MassageService
import MassageServiceProtocol
import Synchronization
import Testing

/// The controller disappears mid-program: its run stops, and the device acknowledges
/// Stop. The dead-man clock is moved by hand; the run itself is real (simulator).
@Suite(.serialized) struct DeadManSwitchTests {
    final class Clock: Sendable {
        let now = Mutex<Double>(0)
        func advance(_ seconds: Double) { now.withLock { $0 += seconds } }
    }

    @Test func aRunStopsWhenItsControllerIsGoneAndNotBefore() async throws {
        let clock = Clock()
        let service = try await ServiceFixture(deadManSeconds: 3, clock: { clock.now.withLock { $0 } })
        defer { service.stop() }
        _ = try await service.waitFor { $0["connected"] as? Bool == true }
        let start = try await RawHTTP.request(port: service.port, method: "POST", path: "/api/v1/devices/sim/start", token: service.token,
                                        client: "phone", body: "{\"program\":\"swedish\"}")
        #expect(start.status == 200)
        _ = try await service.waitFor { ($0["outputs"] as? [Int] ?? []).contains { $0 > 0 } }

        clock.advance(2.9)
        #expect(service.core.enforceDeadMan().isEmpty)
        service.core.heard(from: "phone")       // a ping
        clock.advance(2.9)
        #expect(service.core.enforceDeadMan().isEmpty)
        clock.advance(0.2)                       // 3.1 s of silence
        #expect(service.core.enforceDeadMan() == ["sim"])
        let stopped = try await service.waitFor { $0["run"] == nil && $0["last_run"] != nil }
        let last = stopped["last_run"] as? [String: Any] ?? [:]
        #expect((last["note"] as? String ?? "").contains("dead-man"), "\(last)")
        #expect((last["stop"] as? String ?? "").contains("acknowledged"), "\(last)")
    }

    @Test func aDetachedRunGoesOn() async throws {
        let clock = Clock()
        let service = try await ServiceFixture(deadManSeconds: 3, clock: { clock.now.withLock { $0 } })
        defer { service.stop() }
        _ = try await service.waitFor { $0["connected"] as? Bool == true }
        let start = try await RawHTTP.request(port: service.port, method: "POST", path: "/api/v1/devices/sim/start", token: service.token,
                                        client: "script", body: "{\"program\":\"swedish\",\"detached\":true}")
        #expect(start.status == 200)
        clock.advance(1000)
        #expect(service.core.enforceDeadMan().isEmpty)
        let state = try await service.waitFor(2) { $0["run"] == nil }
        #expect(state["run"] != nil)
    }
}
#endif
