import Foundation
import Glibc
import Testing

/// `massagectl run` as a user runs it: the real binary, a simulated device, signals.
@Suite(.serialized) struct RunCommandTests {
    /// Waits until `text` appears in the process's standard output.
    static func waitFor(_ text: String, in process: BackgroundSimulator, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if process.standardOutput.contains(text) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    @Test("Ctrl-C in the middle of a program: Stop acknowledged, the simulated motors and heater at zero, exit 130")
    func controlCStopsTheDevice() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let run = try BackgroundSimulator(["run", "swedish", "--device", "sim", "--heat", "39", "--no-history"], directory: directory)
        defer { run.kill() }
        #expect(Self.waitFor("real time", in: run, timeout: .seconds(10)), "never started: \(run.standardOutput) \(run.standardError)")
        Thread.sleep(forTimeInterval: 1.5)
        #expect(kill(run.processIdentifier, SIGINT) == 0)
        let exit = try run.waitForExit(timeout: .seconds(5))
        #expect(exit.normally && exit.status == 130, "exit \(exit); stderr: \(run.standardError)")
        let output = run.standardOutput
        #expect(output.contains("stopped by Ctrl-C"), "\(output)")
        #expect(output.contains("Stop acknowledged"), "\(output)")
        #expect(output.contains("simulator at the end: motors 0 0 0 0 ‰, heater duty 0 %, faults 0x0"), "\(output)")
    }

    @Test("SIGTERM against a simulator in another process: exit 143, and the simulator's device is idle afterwards")
    func sigtermStopsAnExternalSimulator() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let socket = directory.file("sim.sock")
        let simulator = try BackgroundSimulator(["simulate", "--listen", "unix:\(socket)"], directory: directory)
        defer { simulator.kill() }
        try simulator.waitForFile(socket, timeout: .seconds(5))
        let runDirectory = try ScratchDirectory()
        defer { runDirectory.remove() }
        let run = try BackgroundSimulator(["run", "shiatsu", "--device", "unix:\(socket)", "--no-history"], directory: runDirectory)
        defer { run.kill() }
        #expect(Self.waitFor("real time", in: run, timeout: .seconds(10)), "never started: \(run.standardOutput) \(run.standardError)")
        #expect(Self.waitFor("running", in: simulator, timeout: .seconds(5)), "the simulator never ran: \(simulator.standardOutput)")
        #expect(kill(run.processIdentifier, SIGTERM) == 0)
        let exit = try run.waitForExit(timeout: .seconds(5))
        #expect(exit.normally && exit.status == 143, "exit \(exit); stderr: \(run.standardError)")
        #expect(run.standardOutput.contains("stopped by SIGTERM") && run.standardOutput.contains("Stop acknowledged"), "\(run.standardOutput)")
        Thread.sleep(forTimeInterval: 0.3)
        #expect(kill(simulator.processIdentifier, SIGINT) == 0)
        _ = try simulator.waitForExit(timeout: .seconds(5))
        let last = simulator.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.contains("state idle") && last.contains("faults 0x0"), "the simulated device ended as: \(last)")
    }

    @Test("bad programs and flags say what to do: exit 64 or 65, and nothing runs")
    func badInput() throws {
        let unknown = try MassagectlProcess.run(["run", "no-such-program", "--no-history"])
        #expect(unknown.status == 64)
        #expect(unknown.standardError.contains("massagectl programs"))
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let file = directory.file("bad.yaml")
        try "name: bad\ntitle: Bad\ntechnique: none\ndescription: x\nsteps:\n  - name: s\n    duration: 1m\n    pattern:\n      circular: { period: 12s }\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let invalid = try MassagectlProcess.run(["run", file, "--no-history"])
        #expect(invalid.status == 65, "stderr: \(invalid.standardError)")
        #expect(invalid.standardError.contains("period"), "\(invalid.standardError)")
        #expect(!invalid.output.contains("real time"), "a bad file must start nothing")
        let speed = try MassagectlProcess.run(["run", "swedish", "--device", "unix:/tmp/x.sock", "--speed", "5"])
        #expect(speed.status == 64 && speed.standardError.contains("--speed only works with --device sim"))
        let dose = try MassagectlProcess.run(["run", "swedish", "--dose-limit", "401"])
        #expect(dose.status == 64 && dose.standardError.contains("1–400"))
    }
}
