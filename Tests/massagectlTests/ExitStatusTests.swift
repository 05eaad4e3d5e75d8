import Foundation
import Testing

/// The README's exit status table, command by command, through the binary.
@Suite("exit statuses: one table for every command")
struct ExitStatusTests {
    static let commands: [[String]] = [
        ["run", "swedish"], ["mat", "session"], ["mat", "watch"], ["devices"], ["info"], ["history"], ["programs"],
        ["show", "swedish"], ["validate", "x.yaml"], ["wire", "encode", "Stop"], ["wire", "decode", "00"],
        ["simulate", "--pty"], ["version"],
    ]

    @Test("an unknown option is 64 for every command")
    func usage() throws {
        for command in Self.commands {
            let result = try MassagectlProcess.run(command + ["--no-such-option"])
            #expect(result.status == 64, "\(command): \(result.standardError)")
        }
    }

    @Test("an unknown program is 64 from run and show alike")
    func unknownProgram() throws {
        for command in ["run", "show"] {
            let result = try MassagectlProcess.run([command, "swedsh", "--no-history"].filter { command == "run" || $0 != "--no-history" })
            #expect(result.status == 64, "\(command): \(result.standardError)")
            #expect(result.standardError.contains("did you mean swedish?"))
        }
    }

    @Test("a missing file is 66 everywhere; an invalid one 65 everywhere")
    func files() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("exit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing.yaml").path
        let invalid = directory.appendingPathComponent("invalid.yaml").path
        try Data("name: x\ntitle: X\nsteps: []\n".utf8).write(to: URL(fileURLWithPath: invalid))
        let missingMat = directory.appendingPathComponent("missing.json").path
        let invalidMat = directory.appendingPathComponent("mat.json").path
        try Data(#"{"chip": "gpiochip0", "zones": []}"#.utf8).write(to: URL(fileURLWithPath: invalidMat))
        for (path, mat, status) in [(missing, missingMat, Int32(66)), (invalid, invalidMat, Int32(65))] {
            for arguments in [["run", path, "--no-history"], ["show", path], ["validate", path],
                              ["mat", "session", "--mat-file", mat, "--no-history"], ["mat", "watch", "--mat-file", mat]] {
                let result = try MassagectlProcess.run(arguments)
                #expect(result.status == status, "\(arguments): \(result.standardError)")
            }
        }
    }

    @Test("0 for what simply shows; 1 for a device that cannot be reached or a bad frame")
    func successAndFailure() throws {
        for arguments in [["programs"], ["version"], ["show", "swedish", "--width", "80"], ["wire", "encode", "Stop"]] {
            let result = try MassagectlProcess.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.standardError)")
        }
        let unreachable = try MassagectlProcess.run(["info", "--device", "unix:/nonexistent/massage.sock"])
        #expect(unreachable.status == 1, "\(unreachable.standardError)")
        let badFrame = try MassagectlProcess.run(["wire", "decode", "0102030400"])
        #expect(badFrame.status == 1, "\(badFrame.output) \(badFrame.standardError)")
    }
}
