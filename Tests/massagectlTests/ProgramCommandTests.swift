import Foundation
import Testing

@Suite("massagectl programs, show, validate")
struct ProgramCommandTests {
    /// A folder of files for one test, removed afterwards.
    static func withFiles(_ files: [String: String], _ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("programs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, text) in files { try Data(text.utf8).write(to: directory.appendingPathComponent(name)) }
        try body(directory)
    }

    static let good = """
        name: my-circles
        title: My circles
        steps:
          - {name: circles, duration: 2m, intensity: 70%, heat: 39°C, pattern: {circular: {period: 1s}}}
          - {name: rest, duration: 30s, pattern: off}
        """

    static let bad = """
        name: my-circles
        title: My circles
        steps:
          - name: circles
            duration: 2m
            patern: {circular: {period: 12s}}
          - name: more
            duration: 12 parsecs
            pattern: {circular: {period: 12s}}
        """

    @Test("validate: OK for a good file, exit 0")
    func validateGood() throws {
        try Self.withFiles(["good.yaml": Self.good]) { directory in
            let path = directory.appendingPathComponent("good.yaml").path
            let result = try MassagectlProcess.run(["validate", path])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.output == "\(path): OK (my-circles, 2:30, 2 steps, heat)\n")
            #expect(result.standardError.isEmpty)
        }
    }

    @Test("validate: every error with file, line, column and path on standard error, exit 65")
    func validateBad() throws {
        try Self.withFiles(["good.yaml": Self.good, "bad.yaml": Self.bad]) { directory in
            let good = directory.appendingPathComponent("good.yaml").path
            let bad = directory.appendingPathComponent("bad.yaml").path
            let result = try MassagectlProcess.run(["validate", good, bad])
            #expect(result.status == 65)
            #expect(result.output == "\(good): OK (my-circles, 2:30, 2 steps, heat)\n")
            let errors = result.standardError.split(separator: "\n").map(String.init)
            #expect(errors == [
                "\(bad):4:5: steps[0].pattern: missing; give a mapping naming one pattern kind, e.g. {circular: {period: 1s}}, or off",
                "\(bad):6:5: steps[0].patern: unknown key; did you mean pattern?",
                "\(bad):8:15: steps[1].duration: \"12 parsecs\": unknown unit 'parsecs'; durations take ms, s, m (or min) and h, e.g. 90s, 3m, 1m30s, 500ms, or a number of seconds",
                "\(bad):9:34: steps[1].pattern.circular.period: 12 s is above the 10 s maximum",
            ])
        }
    }

    @Test("validate: a missing file exits 66, no file is a usage error")
    func validateUsage() throws {
        let missing = try MassagectlProcess.run(["validate", "/nonexistent/program.yaml"])
        #expect(missing.status == 66)
        #expect(missing.standardError == "/nonexistent/program.yaml: no such file\n")
        let none = try MassagectlProcess.run(["validate"])
        #expect(none.status == 64)
    }

    @Test("programs lists every built-in with its time, heat and technique")
    func programs() throws {
        let result = try MassagectlProcess.run(["programs"])
        #expect(result.status == 0)
        let lines = result.lines
        #expect(lines.first?.hasPrefix("NAME") == true)
        #expect(lines.count >= 9)
        let swedish = try #require(lines.first { $0.hasPrefix("swedish ") })
        #expect(swedish.contains("Swedish relaxation") && swedish.contains("20:00") && swedish.contains(" yes ") && swedish.contains("effleurage"))
        let shiatsu = try #require(lines.first { $0.hasPrefix("shiatsu ") })
        #expect(shiatsu.contains(" no "))
    }

    @Test("show draws a row per motor, the heat, step boundaries and a time axis, at the width asked")
    func show() throws {
        let result = try MassagectlProcess.run(["show", "friction", "--width", "70", "--actuators", "6"])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.lines
        let motors = lines.filter { $0.hasPrefix("motor ") }
        #expect(motors.count == 6)
        #expect(motors.allSatisfy { $0.count == 70 }, "\(motors.map(\.count))")
        #expect(motors.allSatisfy { $0.contains { "░▒▓█".contains($0) } })
        let steps = try #require(lines.first { $0.hasPrefix("steps ") })
        #expect(steps.filter { $0 == "┼" }.count == 3, "four steps, three boundaries: \(steps)")
        #expect(lines.contains { $0.hasPrefix("heat ") })
        #expect(lines.contains { $0.hasPrefix("time ") && $0.contains("0:00") && $0.contains("2:00") && $0.contains("8:00") })
        #expect(lines.contains { $0.hasPrefix("4  8:00   2:00    quick circles") })
    }

    @Test("show --yaml prints a built-in's file, which validates as it is")
    func showYAML() throws {
        let result = try MassagectlProcess.run(["show", "trigger-point", "--yaml"])
        #expect(result.status == 0)
        #expect(result.output.contains("name: trigger-point"))
        try Self.withFiles(["copy.yaml": result.output]) { directory in
            let check = try MassagectlProcess.run(["validate", directory.appendingPathComponent("copy.yaml").path])
            #expect(check.status == 0, "\(check.standardError)")
        }
    }

    @Test("show: an unknown program suggests the nearest name; bad options are usage errors")
    func showErrors() throws {
        let unknown = try MassagectlProcess.run(["show", "swedsh"])
        #expect(unknown.status == 64)
        #expect(unknown.standardError.contains("did you mean swedish?"))
        #expect(try MassagectlProcess.run(["show", "swedish", "--actuators", "4", "--profile", "handheld-single"]).status == 64)
        #expect(try MassagectlProcess.run(["show", "swedish", "--actuators", "17"]).status == 64)
        #expect(try MassagectlProcess.run(["show", "swedish", "--width", "5"]).status == 64)
    }
}
