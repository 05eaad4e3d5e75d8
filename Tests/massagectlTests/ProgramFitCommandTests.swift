import Foundation
import Testing

/// `run` refuses a program that cannot play as written on the device it reached (exit
/// 65), and says which devices can play it. Through the binary.
@Suite struct ProgramFitCommandTests {
    @Test("run swedish --device sim:mat-16: refused before anything plays, exit 65, names --device sim")
    func vibrationOnAMat() throws {
        let clock = ContinuousClock()
        let started = clock.now
        let result = try MassagectlProcess.run(["run", "swedish", "--device", "sim:mat-16", "--no-history"])
        #expect(result.status == 65, "\(result.standardError)")
        #expect(clock.now - started < .seconds(20), "it played instead of refusing")
        #expect(result.standardError.contains("the device has no motors, and the program vibrates"), "\(result.standardError)")
        let hint = try #require(result.standardError.split(separator: "\n").first { $0.hasPrefix("It plays on") })
        #expect(hint.contains("--device sim,") || hint.hasSuffix("--device sim."), "\(hint)")
        #expect(hint.contains("--device sim:handheld-single"), "\(hint)")
        #expect(hint.contains("handheld"), "\(hint)")
        #expect(!hint.contains("sim:mat-16"), "\(hint)")
        // Nothing was played: no progress and no simulator summary on standard output.
        #expect(!result.output.contains("simulator at the end"), "\(result.output)")
    }

    @Test("a hold on motor 3 plays on the 4-motor simulator only: the hint names sim, not sim:handheld-single")
    func holdNeedsMotors() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = directory.file("hold.yaml")
        try """
            name: hold-three
            title: Hold three
            steps:
              - {name: press, duration: 1m, pattern: {hold: {actuator: 3, level: 50%}}}

            """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try MassagectlProcess.run(["run", path, "--device", "sim:handheld-single", "--no-history"])
        #expect(result.status == 65, "\(result.standardError)")
        let hint = try #require(result.standardError.split(separator: "\n").first { $0.hasPrefix("It plays on") })
        #expect(hint.contains("4 motors or more"), "\(hint)")
        #expect(hint.contains("--device sim"), "\(hint)")
        #expect(!hint.contains("handheld-single"), "\(hint)")
    }
}
