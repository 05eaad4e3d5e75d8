import Foundation
import Testing

/// The simulated mat's body scenarios as a user picks them: `sim:mat-16?body=…&seed=…`
/// on `mat watch`, `--body` on `simulate`, and the errors. Through the binary.
@Suite struct BodyScenarioCommandTests {
    /// The zones `mat watch` (written to a file) reports in contact, over all its lines.
    static func zonesInContact(_ output: String) -> Set<Int> {
        var zones: Set<Int> = []
        for line in output.split(separator: "\n") {
            guard let range = line.range(of: ": zones ") else { continue }
            for number in line[range.upperBound...].split(separator: ",") { if let zone = Int(number) { zones.insert(zone) } }
        }
        return zones
    }

    @Test("sim:mat-16?body=one-side: only one half of the mat, and the seed decides which")
    func oneSideThroughTheURI() throws {
        var halves: Set<String> = []
        for seed in [1, 2, 3, 4] {
            let result = try MassagectlProcess.run(["mat", "watch", "--device", "sim:mat-16?body=one-side&seed=\(seed)",
                                                    "--speed", "20", "--duration", "15s"])
            #expect(result.status == 0, "\(result.standardError)")
            let zones = Self.zonesInContact(result.output)
            let columns = Set(zones.map { $0 % 4 })
            #expect(columns == [0, 1] || columns == [2, 3], "seed \(seed): \(result.output)")
            halves.insert(columns == [0, 1] ? "left" : "right")
        }
        #expect(halves.count == 2, "four seeds, one side: \(halves)")
        // The default scenario uses all 16 zones once the body has settled.
        let plain = try MassagectlProcess.run(["mat", "watch", "--device", "sim:mat-16", "--speed", "20", "--duration", "5s"])
        #expect(Self.zonesInContact(plain.output).count == 16, "\(plain.output)")
    }

    @Test("a body scenario that does not exist, or on a device with no mat, is a usage error naming the scenarios", arguments: [
        (["mat", "session", "--device", "sim:mat-16?body=nope", "--no-history"], "the scenarios are: default, long-session, gets-up, one-side"),
        (["info", "--device", "sim:handheld-ring4?body=gets-up"], "has no mat"),
        (["mat", "watch", "--device", "sim:mat-16?seed=-1"], "the seed is a whole number"),
        (["mat", "watch", "--device", "sim:mat-16?body=a;b"], "the simulator's parameters are KEY=VALUE"),
        (["simulate", "--profile", "mat-16", "--body", "nope", "--listen", "unix:/tmp/never.sock"], "the scenarios are:"),
        (["simulate", "--profile", "handheld-single", "--body", "gets-up", "--listen", "unix:/tmp/never.sock"], "has no mat"),
    ])
    func mistakes(arguments: [String], message: String) throws {
        let result = try MassagectlProcess.run(arguments)
        #expect(result.status == 64, "\(arguments): \(result.standardError)")
        #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
    }

    @Test("simulate --list-bodies lists the body scenarios; mat --help documents the URI")
    func documented() throws {
        let list = try MassagectlProcess.run(["simulate", "--list-bodies"])
        for name in ["default", "long-session", "gets-up", "one-side"] {
            #expect(list.lines.contains { $0.hasPrefix(name + " ") }, "\(name): \(list.output)")
        }
        let help = try MassagectlProcess.run(["mat", "--help"]).output
        #expect(help.contains("sim:mat-16?body=SCENARIO&seed=N"), "\(help)")
    }
}
