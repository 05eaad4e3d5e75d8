import Foundation
import Testing

/// A broken `devices.json` is needed only to find USB devices: every other device URI
/// (sim, sim:PROFILE, unix:, serial:) goes on with one warning line naming the file and
/// what is wrong with it. Through the binary.
@Suite(.serialized) struct DeviceTableWarningTests {
    /// A config home whose devices.json is not JSON; its path.
    static func brokenTable(in directory: ScratchDirectory) throws -> (environment: [String: String], table: String) {
        let config = directory.file("config/massage-control")
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        let table = config + "/devices.json"
        try Data(#"{"devices": [ {"usb": "1209:abcd", "#.utf8).write(to: URL(fileURLWithPath: table))
        return (["XDG_CONFIG_HOME": directory.file("config"), "XDG_DATA_HOME": directory.file("data")], table)
    }

    /// The warning is one line on standard error, naming the file and the problem.
    static func expectOneWarning(_ standardError: String, table: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = standardError.split(separator: "\n").filter { $0.contains("devices.json") }
        #expect(lines.count == 1, "\(what): \(standardError)", sourceLocation: sourceLocation)
        guard let line = lines.first else { return }
        #expect(line.hasPrefix("warning: device table \(table): "), "\(what): \(line)", sourceLocation: sourceLocation)
        #expect(line.contains("not valid JSON"), "\(what): \(line)", sourceLocation: sourceLocation)
    }

    @Test("run --device sim and sim:PROFILE, mat session on sim:mat-16: warn once and go on")
    func simulatorsGoOn() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let (environment, table) = try Self.brokenTable(in: directory)
        let program = try FaultCommandTests.shortProgram(in: directory, seconds: 1)

        for device in ["sim", "sim:handheld-single"] {
            let run = try MassagectlProcess.run(["run", program, "--device", device, "--speed", "10", "--no-history"], environment: environment)
            #expect(run.status == 0, "run --device \(device): \(run.standardError)")
            #expect(run.output.contains("simulator at the end"), "\(run.output)")
            Self.expectOneWarning(run.standardError, table: table, "run --device \(device)")
        }
        let mat = try MassagectlProcess.run(["mat", "session", "--device", "sim:mat-16", "--speed", "20", "--duration", "2s", "--no-history"],
                                           environment: environment)
        #expect(mat.status == 0, "mat session: \(mat.standardError)")
        #expect(mat.output.contains("mat session:"), "\(mat.output)")
        Self.expectOneWarning(mat.standardError, table: table, "mat session")
    }

    @Test("unix: reaches the simulator behind it; serial: fails on its own path (1), not on the table (64); usb still refuses the table")
    func linksGoOn() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let (environment, table) = try Self.brokenTable(in: directory)
        let socket = directory.file("sim.sock")
        let simulator = try BackgroundSimulator(["simulate", "--listen", "unix:\(socket)", "--quiet"], directory: directory)
        defer { simulator.kill() }
        try simulator.waitForFile(socket, timeout: .seconds(5))

        let info = try MassagectlProcess.run(["info", "--device", "unix:\(socket)"], environment: environment)
        #expect(info.status == 0, "info --device unix: \(info.standardError)")
        #expect(info.output.contains("Ring4 Heat"), "\(info.output)")
        Self.expectOneWarning(info.standardError, table: table, "info --device unix:")

        let serial = try MassagectlProcess.run(["stop", "--device", "serial:" + directory.file("no-such-tty")],
                                               environment: environment)
        #expect(serial.status == 1, "stop --device serial: \(serial.standardError)")
        #expect(serial.standardError.contains("no serial device at"), "\(serial.standardError)")
        Self.expectOneWarning(serial.standardError, table: table, "stop --device serial:")

        let usb = try MassagectlProcess.run(["info", "--device", "usb"], environment: environment)
        #expect(usb.status == 64, "info --device usb: \(usb.standardError)")
        #expect(usb.standardError.contains(table), "\(usb.standardError)")
    }
}
