import Foundation
import Testing

/// `--quiet` and `--verbose` on `mat session`, `conform` and `simulate`: less, or more,
/// of what people read; never a different result. Through the binary.
@Suite struct QuietVerboseTests {

    static func matSession(_ flags: [String], device: String = "sim:mat-16") throws -> MassagectlProcess.Result {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        return try MassagectlProcess.run(["mat", "session", "--device", device, "--speed", "20", "--duration", "20s", "--no-history"] + flags,
                                         environment: ["XDG_DATA_HOME": directory.file("data"), "XDG_CONFIG_HOME": directory.file("config")])
    }

    @Test("mat session --quiet: the summary only; --verbose: a line per change of the zones in contact")
    func matSession() throws {
        let normal = try Self.matSession([])
        #expect(normal.status == 0, "\(normal.standardError)")
        #expect(normal.output.contains("mat session on") && normal.output.contains("on the mat\n"), "\(normal.output)")

        let quiet = try Self.matSession(["--quiet"])
        #expect(quiet.status == 0, "\(quiet.standardError)")
        #expect(quiet.lines.first?.hasPrefix("mat session: ") == true, "\(quiet.output)")
        #expect(!quiet.output.contains("mat session on") && !quiet.output.contains("left the mat"), "\(quiet.output)")
        #expect(quiet.output.contains("time on the mat"), "\(quiet.output)")

        let verbose = try Self.matSession(["-v"], device: "sim:mat-16?body=one-side&seed=1")
        #expect(verbose.status == 0, "\(verbose.standardError)")
        let changes = verbose.lines.filter { $0.contains("  contact ") }
        #expect(changes.contains { $0.contains("contact 8/16: zones ") }, "\(verbose.output)")
        #expect(verbose.output.contains("time on the mat"), "\(verbose.output)")
        #expect(!normal.lines.contains { $0.contains("  contact ") && $0.contains("/16: ") }, "\(normal.output)")
    }

    @Test("conform --quiet: the summary line only when all pass; --verbose: what each check checks")
    func conform() throws {
        let quiet = try MassagectlProcess.run(["conform", "--device", "sim", "--only", "handshake", "--quiet"])
        #expect(quiet.status == 0, "\(quiet.standardError)")
        #expect(quiet.lines.count == 1 && quiet.lines[0].contains("0 failed"), "\(quiet.output)")

        let verbose = try MassagectlProcess.run(["conform", "--device", "sim", "--only", "handshake.hello-v2", "--verbose"])
        #expect(verbose.status == 0, "\(verbose.standardError)")
        let pass = try #require(verbose.lines.firstIndex { $0.hasPrefix("PASS") }, "\(verbose.output)")
        #expect(verbose.lines[pass + 1].contains("checks: Hello(1,2)"), "\(verbose.output)")
    }

    @Test("simulate --verbose on a mat: the device's make-up and the body's script, step by step")
    func simulateVerbose() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let result = try MassagectlProcess.run(["simulate", "--profile", "mat-16", "--body", "gets-up", "--seed", "3", "--verbose",
                                                "--listen", "unix:\(directory.file("m.sock"))", "--duration", "50ms", "--speed", "10"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.output.contains("body: gets-up"), "\(result.output)")
        #expect(result.output.contains("device: 0 motors, no heater, a mat of 4 × 4 zones"), "\(result.output)")
        #expect(result.output.contains("lies down on the back") && result.output.contains("gets up"), "\(result.output)")
        #expect(result.output.contains("… and "), "a day of gets-up is longer than 40 steps: \(result.output)")
    }

    @Test("--quiet with --verbose, or with --json, is a usage error", arguments: [
        ["mat", "session", "--quiet", "--verbose", "--no-history"],
        ["mat", "session", "--json", "--verbose", "--no-history"],
        ["conform", "--device", "sim", "-q", "-v"],
        ["conform", "--device", "sim", "--json", "--quiet"],
        ["simulate", "--pty", "--quiet", "--verbose"],
    ])
    func conflicts(arguments: [String]) throws {
        let result = try MassagectlProcess.run(arguments)
        #expect(result.status == 64, "\(arguments): \(result.standardError)")
    }
}
