import Foundation
import Glibc
import Testing

/// Faults across hosts (PROTOCOL.md 6.1) and the device commands, through the binary
/// against one `massagectl simulate` in another process, as a person would meet them.
@Suite(.serialized) struct FaultCommandTests {
    /// A short program (no heat), so that a run plays to its end against a simulator in
    /// real time within a few seconds.
    static func shortProgram(in directory: ScratchDirectory, seconds: Int = 3) throws -> String {
        let path = directory.file("short.yaml")
        try """
            name: short
            title: Short
            steps:
              - name: buzz
                duration: \(seconds)s
                pattern: {constant: {level: 40%}}

            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Starts `massagectl simulate` on a socket in `directory`, waiting until it listens.
    static func simulator(_ directory: ScratchDirectory, extra: [String] = []) throws -> (BackgroundSimulator, String) {
        let socket = directory.file("sim.sock")
        let simulator = try BackgroundSimulator(["simulate", "--listen", "unix:\(socket)"] + extra, directory: directory)
        try simulator.waitForFile(socket, timeout: .seconds(5))
        return (simulator, socket)
    }

    @Test("run, Ctrl-C, run again against one simulator: both play (130, then a clean play with no fault note)")
    func twoSessionsAfterControlC() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let (simulator, socket) = try Self.simulator(directory)
        defer { simulator.kill() }
        let runDirectory = try ScratchDirectory()
        defer { runDirectory.remove() }
        let program = try Self.shortProgram(in: runDirectory, seconds: 20)
        let first = try BackgroundSimulator(["run", program, "--device", "unix:\(socket)", "--no-history"], directory: runDirectory)
        defer { first.kill() }
        #expect(RunCommandTests.waitFor("real time", in: first, timeout: .seconds(10)), "never started: \(first.standardOutput) \(first.standardError)")
        #expect(RunCommandTests.waitFor("running", in: simulator, timeout: .seconds(5)), "the simulator never ran: \(simulator.standardOutput)")
        #expect(kill(first.processIdentifier, SIGINT) == 0)
        let exit = try first.waitForExit(timeout: .seconds(5))
        #expect(exit.normally && exit.status == 130, "exit \(exit); stderr: \(first.standardError)")

        let shortDirectory = try ScratchDirectory()
        defer { shortDirectory.remove() }
        let second = try MassagectlProcess.run(["run", try Self.shortProgram(in: shortDirectory), "--device", "unix:\(socket)", "--no-history"])
        #expect(second.status == 0, "stdout: \(second.output) stderr: \(second.standardError)")
        #expect(second.output.contains("finished"), "\(second.output)")
        #expect(!second.output.contains("note:"), "a Ctrl-C leaves no fault: \(second.output)")
        #expect(!simulator.standardOutput.contains("FAULT"), "\(simulator.standardOutput)")
    }

    @Test("kill -9 of a run mid-program: the next run clears the watchdog fault it left, says so, and plays")
    func runAfterKill() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let (simulator, socket) = try Self.simulator(directory)
        defer { simulator.kill() }
        let runDirectory = try ScratchDirectory()
        defer { runDirectory.remove() }
        let program = try Self.shortProgram(in: runDirectory, seconds: 20)

        func killARun() throws {
            let run = try BackgroundSimulator(["run", program, "--device", "unix:\(socket)", "--no-history"], directory: runDirectory)
            defer { run.kill() }
            #expect(RunCommandTests.waitFor("real time", in: run, timeout: .seconds(10)), "never started: \(run.standardOutput) \(run.standardError)")
            Thread.sleep(forTimeInterval: 1)
            #expect(kill(run.processIdentifier, SIGKILL) == 0)
            _ = try run.waitForExit(timeout: .seconds(5))
        }

        try killARun()
        #expect(RunCommandTests.waitFor("FAULT latched: watchdog", in: simulator, timeout: .seconds(3)), "\(simulator.standardOutput)")

        let shortDirectory = try ScratchDirectory()
        defer { shortDirectory.remove() }
        let second = try MassagectlProcess.run(["run", try Self.shortProgram(in: shortDirectory), "--device", "unix:\(socket)", "--no-history"])
        #expect(second.status == 0, "stdout: \(second.output) stderr: \(second.standardError)")
        let note = second.lines.first { $0.hasPrefix("note: the device had stopped on its watchdog") } ?? ""
        #expect(note.hasSuffix("ago (the last host went silent while driving it); cleared"), "\(second.output)")
        #expect(second.output.contains("finished"), "\(second.output)")

        // Left again, a watchdog fault is what clear-fault calls safe, and clears.
        try killARun()
        Thread.sleep(forTimeInterval: 1)
        let shown = try MassagectlProcess.run(["clear-fault", "--device", "unix:\(socket)", "--dry-run"])
        #expect(shown.status == 0, "\(shown.output) \(shown.standardError)")
        #expect(shown.output.contains("watchdog (host silent) (the first,") && shown.output.contains("safe to clear"), "\(shown.output)")
        #expect(shown.output.contains("--dry-run: nothing cleared"), "\(shown.output)")
        let cleared = try MassagectlProcess.run(["clear-fault", "--device", "unix:\(socket)"])
        #expect(cleared.status == 0, "\(cleared.output) \(cleared.standardError)")
        #expect(cleared.output.contains("cleared: no fault is latched now"), "\(cleared.output)")
        let again = try MassagectlProcess.run(["clear-fault", "--device", "unix:\(socket)"])
        #expect(again.status == 0 && again.output.contains("no fault is latched"), "\(again.output)")
    }

    @Test("a sensor fault persists: clear-fault explains it and is refused; run refuses to start and names clear-fault")
    func persistingSensorFault() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let (simulator, socket) = try Self.simulator(directory, extra: ["--sensor-open-at", "0s"])
        defer { simulator.kill() }
        #expect(RunCommandTests.waitFor("FAULT latched: sensor out of range", in: simulator, timeout: .seconds(5)), "\(simulator.standardOutput)")

        let clear = try MassagectlProcess.run(["clear-fault", "--device", "unix:\(socket)"])
        #expect(clear.status == 1, "\(clear.output) \(clear.standardError)")
        #expect(clear.output.contains("sensor out of range (the first,") && clear.output.contains("raw reading"), "\(clear.output)")
        #expect(clear.output.contains("open, shorted or unplugged") && clear.output.contains("the device checks"), "\(clear.output)")
        #expect(clear.standardError.contains("not cleared") && clear.standardError.contains("condition persists"), "\(clear.standardError)")

        let runDirectory = try ScratchDirectory()
        defer { runDirectory.remove() }
        let run = try MassagectlProcess.run(["run", try Self.shortProgram(in: runDirectory), "--device", "unix:\(socket)", "--no-history"])
        #expect(run.status == 1, "\(run.output) \(run.standardError)")
        #expect(run.standardError.contains("sensor out of range") && run.standardError.contains("not starting"), "\(run.standardError)")
        #expect(run.standardError.contains("`massagectl clear-fault --device unix:\(socket)`"), "\(run.standardError)")
        #expect(!run.output.contains("real time"), "nothing may play: \(run.output)")
        #expect(!simulator.standardOutput.contains("faults cleared"), "\(simulator.standardOutput)")
    }

    @Test("stop and config through the binary: Ack, keys by name with units, a lower cap accepted, refusals explained")
    func stopAndConfig() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let (simulator, socket) = try Self.simulator(directory)
        defer { simulator.kill() }
        let device = "unix:\(socket)"

        let stop = try MassagectlProcess.run(["stop", "--device", device])
        #expect(stop.status == 0 && stop.output.contains("acknowledged Stop"), "\(stop.output) \(stop.standardError)")

        let all = try MassagectlProcess.run(["config", "get", "--device", device])
        #expect(all.status == 0, "\(all.standardError)")
        let names = all.lines.compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(names == ["watchdog_ms", "heater_cap", "status_period_ms", "mat_period_ms", "heat_session_limit_s", "dose_limit", "slew_per_s"], "\(all.output)")
        #expect(all.output.contains("41.0 °C") && all.output.contains("30.0–43.0 °C"), "\(all.output)")
        #expect(all.output.contains("500 ms"), "\(all.output)")

        let lower = try MassagectlProcess.run(["config", "set", "heater_cap", "39.5", "--device", device])
        #expect(lower.status == 0 && lower.output.contains("heater_cap = 39.5 °C (was 41.0 °C)"), "\(lower.output) \(lower.standardError)")
        let one = try MassagectlProcess.run(["config", "get", "heater_cap", "--device", device])
        #expect(one.status == 0 && one.lines.count == 1 && one.output.contains("39.5 °C"), "\(one.output)")

        let above = try MassagectlProcess.run(["config", "set", "heater_cap", "44", "--device", device])
        #expect(above.status == 1, "\(above.output) \(above.standardError)")
        #expect(above.standardError.contains("refused heater_cap = 44.0 °C") && above.standardError.contains("30.0–43.0 °C"), "\(above.standardError)")
        #expect(above.standardError.contains("never raised past the device's limit") && above.standardError.contains("it stays 39.5 °C"), "\(above.standardError)")

        let off = try MassagectlProcess.run(["config", "set", "watchdog_ms", "0", "--device", device])
        #expect(off.status == 1 && off.standardError.contains("cannot be turned off"), "\(off.standardError)")

        let unknown = try MassagectlProcess.run(["config", "set", "heater", "39", "--device", device])
        #expect(unknown.status == 64 && unknown.standardError.contains("heater_cap"), "\(unknown.standardError)")
        let notNumber = try MassagectlProcess.run(["config", "set", "dose_limit", "lots", "--device", device])
        #expect(notNumber.status == 64 && notNumber.standardError.contains("1–400"), "\(notNumber.standardError)")

        let help = try MassagectlProcess.run(["config", "set", "--help"])
        #expect(help.output.contains("heater_cap") && help.output.contains("°C, 30.0") && help.output.contains("slew_per_s"), "\(help.output)")

        // Nothing listening: stop says it could not.
        let nowhere = try MassagectlProcess.run(["stop", "--device", "unix:\(directory.file("none.sock"))"])
        #expect(nowhere.status == 1 && nowhere.standardError.contains("cannot connect"), "\(nowhere.standardError)")
    }
}
