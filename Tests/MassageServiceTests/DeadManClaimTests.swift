// These use the HTTP fixture: built only with the Service trait (swift test --traits Service).
#if Service
import Foundation
@testable import MassageService
import MassageServiceProtocol
import Testing

/// The dead-man switch acts on a snapshot of who was gone. By the time it stops, the
/// silent client's run may have ended and another client's begun: that run is not its
/// business (a review of the threads found it stopped, its note blaming the other client).
@Suite(.serialized) struct DeadManClaimTests {
    @Test func aStaleExpiryStopsOnlyTheRunItWasAbout() async throws {
        let service = try await ServiceFixture()
        defer { service.stop() }
        _ = try await service.waitFor { $0["connected"] as? Bool == true }
        let core = service.core
        let owner = try core.owner("sim")
        #expect(try await service.startRun(client: "phone").status == 200)
        let first = try #require(core.ledger.holder(of: "sim")?.claim)
        _ = try core.handle(method: "stop", device: "sim", params: [:], caller: .init(client: "phone", token: service.token))
        for _ in 0..<200 where core.ledger.holder(of: "sim") != nil { try await Task.sleep(for: .milliseconds(50)) }
        #expect(try await service.startRun(client: "laptop").status == 200)
        let second = try #require(core.ledger.holder(of: "sim")?.claim)

        #expect(!owner.stopRun(claim: first, note: "stale"), "the old claim stopped the new run")
        let state = try await service.waitFor(1.5) { $0["run"] == nil }
        #expect((state["run"] as? [String: Any])?["controller"] as? String == "laptop", "\(state)")
        #expect(owner.stopRun(claim: second, note: "its own"))
        let stopped = try await service.waitFor { $0["run"] == nil }
        #expect(stopped["run"] == nil)
    }
}
#endif
