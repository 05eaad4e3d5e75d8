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
    @Test func aRunStopsWhenItsControllerIsGoneAndNotBefore() async throws {
        let clock = HandClock()
        let service = try await ServiceFixture(deadManSeconds: 3, clock: clock.read)
        defer { service.stop() }
        _ = try await service.waitFor { $0["connected"] as? Bool == true }
        let start = try await service.startRun(client: "phone")
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
        let clock = HandClock()
        let service = try await ServiceFixture(deadManSeconds: 3, clock: clock.read)
        defer { service.stop() }
        _ = try await service.waitFor { $0["connected"] as? Bool == true }
        let start = try await service.startRun(client: "script", detached: true)
        #expect(start.status == 200)
        clock.advance(1000)
        #expect(service.core.enforceDeadMan().isEmpty)
        let state = try await service.waitFor(2) { $0["run"] == nil }
        #expect(state["run"] != nil)
    }
}
#endif
