import Foundation
import Glibc
import MassageWire
import Testing

/// `massagectl simulate`, through the built binary: its usage errors, and real sessions
/// over a UNIX socket and a pseudo-terminal, as another program on the machine would
/// hold them (socket(2)/connect(2), open(2) of the pty, frames built with MassageWire).
///
/// Every wait has a deadline, and every test kills its simulator and removes its
/// temporary directory however it ends, so nothing here can hang or litter CI.
@Suite("massagectl simulate")
struct SimulateCommandTests {
    // MARK: - Usage

    @Test("usage errors exit 64 and name the problem", arguments: [
        UsageCase([], mentions: ["--listen unix:PATH", "--pty"]),
        UsageCase(["--listen", "/tmp/x"], mentions: ["--listen takes unix:PATH", "'/tmp/x'"]),
        UsageCase(["--listen", "unix:/tmp/massagectl-never.sock", "--drop", "2"], mentions: ["'2'", "--drop"]),
        UsageCase(["--pty", "--profile", "nope"],
                  mentions: ["unknown profile 'nope'", "handheld-ring4", "handheld-single", "mat-16"]),
        UsageCase(["--listen", "unix:/tmp/massagectl-never.sock", "--link", "/tmp/massagectl-never-link"],
                  mentions: ["--link only goes with --pty"]),
        UsageCase(["--pty", "--stuck-motor", "9@1s"], mentions: ["--stuck-motor 9", "handheld-ring4", "4 motor(s)"]),
    ])
    func usageError(_ usage: UsageCase) throws {
        let result = try MassagectlProcess.run(["simulate"] + usage.arguments)
        #expect(result.exitedNormally)
        #expect(result.status == 64, "stderr: \(result.standardError)")
        for text in usage.mentions {
            #expect(result.standardError.contains(text), "stderr lacks \"\(text)\": \(result.standardError)")
        }
        // A usage error starts nothing: no "simulating … on …" line.
        #expect(result.output.isEmpty, "stdout: \(result.output)")
    }

    @Test("--list-profiles lists the built-in devices")
    func listProfiles() throws {
        let result = try MassagectlProcess.run(["simulate", "--list-profiles"])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let names = result.lines.compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(names == ["handheld-ring4", "handheld-single", "mat-16"], "output: \(result.output)")
    }

    // MARK: - A UNIX socket

    @Test("a session over the UNIX socket: Info, Status, then the watchdog when the host goes quiet")
    func unixSocketSession() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let socketPath = directory.file("sim.sock")
        let simulator = try BackgroundSimulator(
            ["simulate", "--listen", "unix:\(socketPath)", "--duration", "4s"], directory: directory)
        defer { simulator.kill() }

        try simulator.waitForFile(socketPath, timeout: .seconds(5))
        let info = try #require(fileStatus(socketPath))
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        #expect(info.st_mode & 0o7777 == 0o600, "mode \(String(info.st_mode & 0o7777, radix: 8))")

        let fd = try connectUnixSocket(socketPath)
        defer { close(fd) }
        var link = FrameLink(fd: fd)

        let helloSequence: UInt8 = 0x42
        try link.send(Frame(sequence: helloSequence, message: .hello(Hello())))
        let clock = ContinuousClock()
        var sequence = helloSequence
        var lastSent = clock.now
        for _ in 0..<15 {
            sequence &+= 1
            // A lease longer than the watchdog: the device is still driven when the host
            // goes quiet, so the watchdog (armed only then) is what stops it.
            try link.send(Frame(sequence: sequence, message: .setOutputs(SetOutputs(
                leaseMilliseconds: 3000, intensities: Intensities([400, 500, 600, 700]) ?? Intensities()))))
            lastSent = clock.now
            try link.read(until: lastSent + .milliseconds(100))
        }

        let answer = link.frames.first { if case .info = $0.frame.message { true } else { false } }
        #expect(answer?.frame.sequence == helloSequence, "Info answered seq \(answer.map { String($0.frame.sequence) } ?? "none")")
        guard case .info(.device(let device))? = answer?.frame.message else {
            Issue.record("no Info(device) answer; frames: \(link.frames.map(\.frame.message))")
            return
        }
        #expect(device.actuatorCount == 4)
        let statuses = link.frames.compactMap { if case .statusReport(let s) = $0.frame.message { s } else { nil } }
        #expect(statuses.count >= 5, "\(statuses.count) StatusReport frames in 1.5 s (period 100 ms)")
        #expect(statuses.contains { status in status.outputs.contains { $0 > 0 } },
                "no Status showed the motors running: \(statuses.map { Array($0.outputs) })")
        #expect(!link.frames.contains { if case .fault = $0.frame.message { true } else { false } },
                "a fault while the host was feeding the watchdog")

        // Silence: the watchdog (500 ms by default) trips and says so in a Fault frame.
        let before = link.frames.count
        try link.read(until: lastSent + .seconds(2)) { frames in
            frames.dropFirst(before).contains { if case .fault = $0.frame.message { true } else { false } }
        }
        let fault = try #require(link.frames.dropFirst(before).first {
            if case .fault = $0.frame.message { true } else { false }
        }, "no Fault frame within 2 s of going quiet")
        guard case .fault(let report) = fault.frame.message else { return }
        #expect(report.code == 0, "watchdog is fault code 0: \(report)")
        #expect(report.faults.contains(.watchdog))
        #expect((500...520).contains(Int(report.detail)), "ms of silence: \(report.detail)")
        let quiet = milliseconds(fault.at - lastSent)
        // The device starts counting when it reads the last frame (within a 1 ms tick of
        // the write), and the Fault goes out on the tick it latches. The upper bound only
        // absorbs scheduling delays on a loaded machine.
        #expect(quiet >= 480 && quiet <= 1200, "Fault \(quiet) ms after the last frame")

        let exit = try simulator.waitForExit(timeout: .seconds(6))
        #expect(exit.normally && exit.status == 0, "exit \(exit); stderr: \(simulator.standardError)")
        let log = simulator.standardOutput
        #expect(log.contains("session started"), "log: \(log)")
        #expect(log.contains("FAULT latched: watchdog"), "log: \(log)")
        #expect(log.split(separator: "\n").last?.hasPrefix("stopped by the end of --duration") == true, "log: \(log)")
        #expect(fileStatus(socketPath) == nil, "the socket file is left behind")
    }

    @Test("Ctrl-C stops the simulator cleanly: exit 0, a summary line, the socket removed")
    func controlC() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let socketPath = directory.file("sim.sock")
        let simulator = try BackgroundSimulator(["simulate", "--listen", "unix:\(socketPath)"], directory: directory)
        defer { simulator.kill() }

        try simulator.waitForFile(socketPath, timeout: .seconds(5))
        let fd = try connectUnixSocket(socketPath)
        defer { close(fd) }
        var link = FrameLink(fd: fd)
        try link.send(Frame(sequence: 1, message: .hello(Hello())))
        try link.send(Frame(sequence: 2, message: .setOutputs(SetOutputs(
            leaseMilliseconds: 3000, intensities: Intensities([800, 800, 800, 800]) ?? Intensities()))))
        // Wait until the device is running, so Ctrl-C interrupts a live session.
        let clock = ContinuousClock()
        try link.read(until: clock.now + .seconds(2)) { frames in
            frames.contains { if case .statusReport(let s) = $0.frame.message { s.outputs.contains { $0 > 0 } } else { false } }
        }
        #expect(link.frames.contains { if case .statusReport(let s) = $0.frame.message { s.state == .running } else { false } },
                "the device never reported running: \(link.frames.map(\.frame.message))")

        let signalled = clock.now
        #expect(Glibc.kill(simulator.processIdentifier, SIGINT) == 0)
        let exit = try simulator.waitForExit(timeout: .seconds(2))
        let took = milliseconds(clock.now - signalled)
        #expect(exit.normally, "died of a signal: \(exit)")
        #expect(exit.status == 0, "exit \(exit); stderr: \(simulator.standardError)")
        #expect(took < 2000, "took \(took) ms to stop")
        let lines = simulator.standardOutput.split(separator: "\n")
        #expect(lines.last?.hasPrefix("stopped by Ctrl-C") == true, "log: \(simulator.standardOutput)")
        #expect(fileStatus(socketPath) == nil, "the socket file is left behind")
    }

    // MARK: - A pseudo-terminal

    @Test("a session over the pty: Info for the 16-zone mat, then MatReports")
    func ptySession() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let simulator = try BackgroundSimulator(
            ["simulate", "--pty", "--profile", "mat-16", "--duration", "3s"], directory: directory)
        defer { simulator.kill() }

        let first = try simulator.firstLine(timeout: .seconds(5))
        let path = try #require(devicePath(in: first), "no /dev/pts path in \"\(first)\"")
        let fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { throw SimulateTestFailure.errno("open \(path)") }
        defer { close(fd) }
        var settings = termios()
        guard tcgetattr(fd, &settings) == 0 else { throw SimulateTestFailure.errno("tcgetattr \(path)") }
        cfmakeraw(&settings)
        guard tcsetattr(fd, TCSANOW, &settings) == 0 else { throw SimulateTestFailure.errno("tcsetattr \(path)") }

        var link = FrameLink(fd: fd)
        try link.send(Frame(sequence: 9, message: .hello(Hello())))
        let clock = ContinuousClock()
        try link.read(until: clock.now + .seconds(2)) { frames in
            frames.count { if case .matReport = $0.frame.message { true } else { false } } >= 3
        }
        let messages = link.frames.map(\.frame.message)
        let infoIndex = try #require(messages.firstIndex { if case .info = $0 { true } else { false } },
                                     "no Info answer: \(messages)")
        #expect(link.frames[infoIndex].frame.sequence == 9)
        if case .info(.device(let device)) = messages[infoIndex] {
            #expect(device.matZoneCount == 16)
            #expect(device.actuatorCount == 0)
        } else {
            Issue.record("Hello answered with \(messages[infoIndex]), not Info(device)")
        }
        let reports = messages[infoIndex...].compactMap { if case .matReport(let r) = $0 { r } else { nil } }
        #expect(reports.count >= 3, "MatReports after the Info: \(reports.count)")
        for report in reports {
            #expect(report.firstZone == 0 && report.pressures.count == 16, "\(report)")
        }
        // Reports are timestamped with the device's uptime: increasing.
        let stamps = reports.map(\.timestampMicroseconds)
        #expect(stamps == stamps.sorted() && Set(stamps).count == stamps.count, "timestamps \(stamps)")

        let exit = try simulator.waitForExit(timeout: .seconds(6))
        #expect(exit.normally && exit.status == 0, "exit \(exit); stderr: \(simulator.standardError)")
        #expect(simulator.standardOutput.contains("session started"), "log: \(simulator.standardOutput)")
    }
}

// MARK: - Helpers

struct UsageCase: Sendable, CustomTestStringConvertible {
    var arguments: [String]
    var mentions: [String]
    init(_ arguments: [String], mentions: [String]) {
        self.arguments = arguments
        self.mentions = mentions
    }
    var testDescription: String { arguments.isEmpty ? "(no arguments)" : arguments.joined(separator: " ") }
}

struct SimulateTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
    static func errno(_ what: String) -> SimulateTestFailure {
        SimulateTestFailure("\(what): \(String(cString: strerror(Glibc.errno)))")
    }
}

private func milliseconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) * 1000 + Double(attoseconds) / 1e15
}

private func fileStatus(_ path: String) -> stat? {
    var status = stat()
    return lstat(path, &status) == 0 ? status : nil
}

/// `/dev/pts/N` out of the simulator's first line.
private func devicePath(in line: String) -> String? {
    guard let start = line.range(of: "/dev/pts/") else { return nil }
    let digits = line[start.upperBound...].prefix { $0.isNumber }
    return digits.isEmpty ? nil : "/dev/pts/" + digits
}

/// A fresh directory under /tmp (short: socket paths are limited to 107 bytes).
struct ScratchDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/massagectl-sim-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkdtemp($0) != nil } ?? false
        }
        guard made else { throw SimulateTestFailure.errno("mkdtemp") }
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// `massagectl` started in the background, standard output and error to files in a
/// scratch directory (files, not pipes: nothing the simulator logs can block it).
final class BackgroundSimulator {
    let process = Process()
    let outputPath: String
    let errorPath: String
    private let exited = DispatchSemaphore(value: 0)
    private var hasExited = false
    private let handles: [FileHandle]

    /// Starts `massagectl arguments…`, its output in `directory`; `environment` is added to
    /// this process's environment (e.g. XDG_DATA_HOME for a scratch history).
    init(_ arguments: [String], directory: ScratchDirectory, environment: [String: String] = [:]) throws {
        outputPath = directory.file("stdout")
        errorPath = directory.file("stderr")
        try Data().write(to: URL(fileURLWithPath: outputPath))
        try Data().write(to: URL(fileURLWithPath: errorPath))
        let stdout = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let stderr = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        handles = [stdout, stderr]
        process.executableURL = try MassagectlProcess.executable()
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr
        let exited = exited
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
    }

    deinit { for handle in handles { try? handle.close() } }

    var processIdentifier: Int32 { process.processIdentifier }

    var standardOutput: String {
        String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
    }

    var standardError: String {
        String(decoding: FileManager.default.contents(atPath: errorPath) ?? Data(), as: UTF8.self)
    }

    struct Exit: CustomStringConvertible {
        var status: Int32
        var normally: Bool
        var description: String { normally ? "status \(status)" : "signal \(status)" }
    }

    /// Waits for the process to end; throws if it has not within `timeout`.
    func waitForExit(timeout: Duration) throws -> Exit {
        if !hasExited {
            let (seconds, attoseconds) = timeout.components
            let wait = DispatchTime.now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
            guard exited.wait(timeout: wait) == .success else {
                throw SimulateTestFailure("massagectl \(process.arguments ?? []) still running after \(timeout); log: \(standardOutput)")
            }
            hasExited = true
        }
        return Exit(status: process.terminationStatus, normally: process.terminationReason == .exit)
    }

    /// Kills the process if it is still running and reaps it (for `defer`).
    func kill() {
        guard !hasExited else { return }
        if exited.wait(timeout: .now()) == .success {
            hasExited = true
            return
        }
        Glibc.kill(process.processIdentifier, SIGKILL)
        _ = exited.wait(timeout: .now() + 5)
        hasExited = true
    }

    /// Polls until `path` exists; throws after `timeout`, or at once if the process died.
    func waitForFile(_ path: String, timeout: Duration) throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while fileStatus(path) == nil {
            if !process.isRunning {
                throw SimulateTestFailure("massagectl exited before creating \(path); stderr: \(standardError)")
            }
            guard clock.now < deadline else {
                throw SimulateTestFailure("\(path) did not appear within \(timeout); log: \(standardOutput)")
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// The first line of standard output, once it is whole.
    func firstLine(timeout: Duration) throws -> String {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let output = standardOutput
            if let end = output.firstIndex(of: "\n") { return String(output[..<end]) }
            if !process.isRunning {
                throw SimulateTestFailure("massagectl exited before its first line; stderr: \(standardError)")
            }
            guard clock.now < deadline else {
                throw SimulateTestFailure("no first line within \(timeout); stdout so far: \(output)")
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }
}

private func connectUnixSocket(_ path: String) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw SimulateTestFailure.errno("socket") }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
        close(fd)
        throw SimulateTestFailure("socket path too long: \(path)")
    }
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    guard result == 0 else {
        let failure = SimulateTestFailure.errno("connect \(path)")
        close(fd)
        throw failure
    }
    return fd
}

/// The host's end of a link on a descriptor: sends frames, and reads and decodes what
/// comes back (with the time each frame was decoded), never blocking past a deadline.
private struct FrameLink {
    let fd: Int32
    var decoder = FrameDecoder()
    var frames: [(frame: Frame, at: ContinuousClock.Instant)] = []
    var badFrames = 0
    var endOfFile = false

    init(fd: Int32) { self.fd = fd }

    func send(_ frame: Frame) throws {
        let bytes = Array(frame.encoded())
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw SimulateTestFailure.errno("write")
            }
            sent += n
        }
    }

    /// Reads until `deadline`, the end of the stream, or until `done` says the frames so
    /// far are enough.
    mutating func read(until deadline: ContinuousClock.Instant,
                       done: ([(frame: Frame, at: ContinuousClock.Instant)]) -> Bool = { _ in false }) throws {
        let clock = ContinuousClock()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !endOfFile && !done(frames) {
            let left = milliseconds(deadline - clock.now)
            guard left > 0 else { return }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = Glibc.poll(&descriptor, 1, Int32(min(left.rounded(.up), 1000)))
            if ready < 0 {
                if errno == EINTR { continue }
                throw SimulateTestFailure.errno("poll")
            }
            guard ready > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                if errno == EIO { endOfFile = true; return }  // a pty whose master closed
                throw SimulateTestFailure.errno("read")
            }
            if n == 0 { endOfFile = true; return }
            let now = clock.now
            var decoded: [Frame] = []
            var bad = 0
            decoder.feed(buffer[..<n]) { event in
                switch event {
                case .frame(let frame): decoded.append(frame)
                case .error: bad += 1
                }
            }
            badFrames += bad
            frames += decoded.map { ($0, now) }
        }
    }
}
