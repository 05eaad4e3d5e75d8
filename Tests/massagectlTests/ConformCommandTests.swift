import Foundation
import Testing

/// `massagectl conform` as a person or CI runs it: the binary, a simulator, the table,
/// `--json` and exit statuses.
@Suite(.serialized) struct ConformCommandTests {
    @Test("conform --device sim --json: exit 0, the JSON parses, one result per check and none failed")
    func simulatorJSON() throws {
        let listed = try MassagectlProcess.run(["conform", "--device", "sim", "--list"])
        let checkCount = listed.lines.count
        #expect(listed.status == 0 && checkCount >= 50, "\(listed.output)")

        let result = try MassagectlProcess.run(["conform", "--device", "sim", "--json"])
        #expect(result.exitedNormally && result.status == 0, "exit \(result.status): \(result.output.suffix(3000)) \(result.standardError)")
        let object = try JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Any]
        let results = object?["results"] as? [[String: Any]] ?? []
        #expect(results.count == checkCount)
        #expect(object?["failed"] as? Int == 0)
        #expect(results.allSatisfy { ["pass", "skip"].contains($0["verdict"] as? String ?? "") })
        #expect(results.allSatisfy { $0["id"] is String && $0["section"] is String && $0["figure"] is String })
        // The convention of every --json: snake_case keys, the unit in the key, words as values.
        #expect(object?["duration_s"] is Double)
        #expect(results.allSatisfy { $0["duration_s"] is Double && $0["seconds"] == nil })
        let actuations = Set(results.compactMap { $0["actuation"] as? String })
        #expect(actuations.isSubset(of: ["none", "vibrates", "vibrates_full", "heats", "heats_and_vibrates"]), "\(actuations)")
        #expect(actuations.contains("vibrates_full"), "\(actuations)")
    }

    @Test("conform against massagectl simulate on a UNIX socket: one line per check, a summary, exit 0")
    func unixSocketTable() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let socket = directory.file("sim.sock")
        let simulator = try BackgroundSimulator(["simulate", "--listen", "unix:\(socket)", "--quiet"], directory: directory)
        defer { simulator.kill() }
        try simulator.waitForFile(socket, timeout: .seconds(5))
        let result = try MassagectlProcess.run(["conform", "--device", "unix:\(socket)", "--only", "handshake", "frames", "outputs.stop"])
        #expect(result.status == 0, "\(result.output) \(result.standardError)")
        let checks = result.lines.filter { $0.hasPrefix("PASS") || $0.hasPrefix("FAIL") || $0.hasPrefix("SKIP") }
        #expect(checks.count >= 15, "\(result.output)")
        #expect(checks.allSatisfy { $0.contains("(§") }, "\(result.output)")
        #expect(result.lines.last?.contains("0 failed") == true && result.lines.last?.contains(" s against unix:") == true, "\(result.output)")
    }

    @Test("usage errors exit 64 and say what to do")
    func usage() throws {
        let unknown = try MassagectlProcess.run(["conform", "--device", "sim", "--only", "no-such-check"])
        #expect(unknown.status == 64 && unknown.standardError.contains("--list"), "\(unknown.standardError)")
        let fault = try MassagectlProcess.run(["conform", "--device", "sim", "--expect-fault", "gremlins"])
        #expect(fault.status == 64 && fault.standardError.contains("sensor-open"), "\(fault.standardError)")
        let device = try MassagectlProcess.run(["conform", "--device", "bogus:thing"])
        #expect(device.status == 64, "\(device.standardError)")
    }

    @Test("real hardware without --allow-actuation: the actuating checks are skipped with the reason")
    func actuationGuard() throws {
        // A serial path that does not exist: the device cannot be opened, so every check
        // fails, except those skipped first for want of consent.
        let result = try MassagectlProcess.run(["conform", "--device", "serial:/nonexistent/tty", "--only", "outputs.stop", "config.read"])
        #expect(result.status == 1)
        #expect(result.output.contains("SKIP  outputs.stop") && result.output.contains("--allow-actuation"), "\(result.output)")
    }
}
