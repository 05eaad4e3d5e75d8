// These go through HTTP: built only with the Service trait (swift test --traits Service).
#if Service
import Foundation
import MassageService
import Testing

/// Mat sessions through the service: MassageControl's MatSessionRun on the service's own
/// session with a simulated mat, one at a time, ended by another client, recorded.
@Suite(.serialized) struct MatSessionTests {
    @Test func aMatSessionRunsIsRefusedTwiceEndsAndIsRecorded() async throws {
        let service = try await ServiceFixture(devices: ["sim", "sim:mat-16"])
        defer { service.stop() }
        let port = service.port, token = service.token
        let mat = "/api/v1/devices/sim:mat-16/mat-session"
        _ = try await service.waitFor(device: 1) { $0["connected"] as? Bool == true && $0["mat_zones"] as? Int == 16 }

        // A handheld has no mat zones; a bad duration is the caller's mistake.
        let handheld = try await RawHTTP.request(port: port, method: "POST", path: "/api/v1/devices/sim/mat-session/start", token: token, client: "phone")
        #expect(handheld.status == 409)
        #expect(handheld.errorMessage.contains("no mat zones"), "\(handheld.errorMessage)")
        #expect(try await RawHTTP.request(port: port, method: "POST", path: "\(mat)/start", token: token, client: "phone", body: "{\"duration\":0}").status == 400)
        #expect(try await RawHTTP.request(port: port, method: "POST", path: "\(mat)/end", token: token, client: "phone").status == 409)
        // A vibration program does not fit a mat (MassageKit's ProgramFit, as run checks it).
        let program = try await RawHTTP.request(port: port, method: "POST", path: "/api/v1/devices/sim:mat-16/start", token: token, client: "phone",
                                                body: "{\"program\":\"swedish\"}")
        #expect(program.status == 422, "\(program.body)")
        #expect(program.errorMessage.contains("cannot be played"), "\(program.errorMessage)")

        let started = try await RawHTTP.request(port: port, method: "POST", path: "\(mat)/start", token: token, client: "phone")
        #expect(started.status == 200, "\(started.body)")
        let running = try await service.waitFor(device: 1) {
            (($0["mat_session"] as? [String: Any])?["session_seconds"] as? Double ?? 0) > 0.3
        }
        let session = running["mat_session"] as? [String: Any] ?? [:]
        #expect(session["running"] as? Bool == true)
        #expect(session["started_by"] as? String == "phone")
        #expect(session["goal_seconds"] as? Double ?? 0 > 0)

        // One at a time, and the refusal names who holds it.
        let second = try await RawHTTP.request(port: port, method: "POST", path: "\(mat)/start", token: token, client: "laptop")
        #expect(second.status == 409)
        #expect(second.errorMessage.contains("phone"), "\(second.errorMessage)")
        // Ending needs the token, and is open to any client that has it (like stop).
        #expect(try await RawHTTP.request(port: port, method: "POST", path: "\(mat)/end", client: "laptop").status == 401)
        #expect(try await RawHTTP.request(port: port, method: "POST", path: "\(mat)/end", token: token, client: "laptop").status == 200)
        let ended = try await service.waitFor(device: 1) { ($0["mat_session"] as? [String: Any])?["running"] as? Bool == false }
        let last = ended["mat_session"] as? [String: Any] ?? [:]
        #expect(last["ended"] as? String == "ended by laptop", "\(last)")
        #expect((last["warnings"] as? [Any])?.isEmpty ?? false, "\(last)")

        // The history has the mat row, finished; the mat is free for another session.
        let history = try await RawHTTP.request(port: port, path: "/api/v1/history")
        let rows = history.json["entries"] as? [[String: Any]] ?? []
        let row = rows.first { $0["kind"] as? String == "mat" }
        #expect(row?["device"] as? String == "sim:mat-16", "\(rows)")
        #expect(row?["outcome"] as? String == "completed", "\(rows)")
        #expect(row?["note"] as? String == "ended by laptop")
        let again = try await RawHTTP.request(port: port, method: "POST", path: "\(mat)/start", token: token, client: "laptop", body: "{\"duration\":1}")
        #expect(again.status == 200, "\(again.body)")
        let timed = try await service.waitFor(device: 1) {
            ($0["mat_session"] as? [String: Any])?["running"] as? Bool == false
        }
        #expect((timed["mat_session"] as? [String: Any])?["ended"] as? String == "--duration reached", "\(timed)")
    }
}
#endif
