import Foundation
import Testing

/// `mat session --json`: nothing while it runs, then one JSON document, the summary the
/// history keeps, in the convention of every `--json` (snake_case keys, null for none).
@Suite struct MatSessionJSONTests {
    @Test("mat session --json on the simulated mat: one document, snake_case, the default body's 15 s on the mat")
    func summaryDocument() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let result = try MassagectlProcess.run(
            ["mat", "session", "--device", "sim:mat-16", "--speed", "20", "--duration", "20s", "--json", "--no-history"],
            environment: ["XDG_DATA_HOME": directory.file("data"), "XDG_CONFIG_HOME": directory.file("config")])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Any],
                                  "not one JSON object: \(result.output)")
        for key in ["device", "session_seconds", "time_on_mat_seconds", "zone_contact_seconds", "longest_contact_seconds",
                    "times_on", "times_left", "on_mat_at_end", "goal_seconds", "earlier_today_seconds", "goal_met",
                    "exact", "overflow_count", "late_inputs", "ended"] {
            #expect(object[key] != nil, "no \(key): \(result.output)")
        }
        #expect(object.keys.allSatisfy { $0 == $0.lowercased() && !$0.contains("-") }, "\(object.keys.sorted())")
        #expect(object["device"] as? String == "sim:mat-16")
        #expect((object["zone_contact_seconds"] as? [Double])?.count == 16)
        #expect(object["times_on"] as? Int == 1 && object["times_left"] as? Int == 1)
        let onMat = try #require(object["time_on_mat_seconds"] as? Double)
        #expect((13.5...16).contains(onMat), "\(onMat)")
        #expect((object["ended"] as? String)?.contains("--duration") == true, "\(String(describing: object["ended"]))")
        // Nothing else on standard output: no header, no progress, no events.
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{"))
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("}"))
    }
}
