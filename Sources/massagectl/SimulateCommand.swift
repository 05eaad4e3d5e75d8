import ArgumentParser
import Foundation
import MassageControl
import MassageFirmware
import MassageSimulator
import MassageWire
import Synchronization

/// `massagectl simulate`: a simulated device that another process connects to as to real
/// hardware, over a UNIX socket or a pseudo-terminal. It runs the reference firmware core
/// in real time around the physical models, with the faults asked for.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a simulated device that other processes can connect to.",
        discussion: """
            The device is the reference firmware core (the code a device maker flashes) around \
            models of its motors, heater, temperature sensor and mat, at a 1 kHz tick in real \
            time. It speaks the wire protocol of firmware-protocol/PROTOCOL.md.

            It prints where it listens on the first line of standard output, then logs what it \
            does (connections, sessions, state changes, faults, and the outputs once a second \
            while they run). Stop it with Ctrl-C, or give --duration.

            EXAMPLES
              massagectl simulate --listen unix:/tmp/massage.sock
              massagectl simulate --profile mat-16 --pty --link /tmp/massage-tty
              massagectl simulate --profile mat-16 --body gets-up --seed 3 --listen unix:/tmp/mat.sock
              massagectl simulate --listen unix:/tmp/m.sock --drop 5% --corrupt 0.1% --jitter 3ms
              massagectl simulate --listen unix:/tmp/m.sock --sensor-detach-at 2m --stuck-motor 1@90s

            EXIT STATUS
              0   stopped by --duration, Ctrl-C or SIGTERM
              1   the socket or pty failed
              64  usage error
            """
    )

    @Option(help: ArgumentHelp("The device to simulate (see --list-profiles).", valueName: "name"), completion: ShellCompletions.profiles)
    var profile = SimulatorProfile.handheldRing4.name

    @Flag(help: "List the built-in device profiles and exit.")
    var listProfiles = false

    @Flag(help: "List the body scenarios of a simulated mat (--body, or sim:mat-16?body=NAME&seed=N) and exit.")
    var listBodies = false

    @Option(help: ArgumentHelp("Listen on a UNIX socket (owner-only, mode 0600).", valueName: "unix:PATH"))
    var listen: String?

    @Flag(help: "Open a pseudo-terminal that any serial client can open (its path is printed).")
    var pty = false

    @Option(help: ArgumentHelp("With --pty, also make a symbolic link to it at PATH.", valueName: "PATH"))
    var link: String?

    @Option(help: "Seed for every random draw (sensor noise, link faults, the body's times on a mat): the same seed gives the same device.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("With a mat profile: what the simulated person does on the mat: \(BodyScenario.namesText) (see --list-bodies).", valueName: "scenario"), completion: .list(BodyScenario.allCases.map(\.rawValue)))
    var body: String = BodyScenario.default.rawValue

    @Option(help: ArgumentHelp("Stop after this much simulated time (e.g. 90s, 20m).", valueName: "time"))
    var duration: TimeArgument?

    @Option(help: "Simulated time per wall-clock time (2 = twice as fast).")
    var speed: Double = 1

    @Flag(help: "Print only where it listens and the summary.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Also print the device's make-up (motors, heater, mat) and, for a mat, every step of the body's script.")
    var verbose = false

    @OptionGroup(title: "Faults to inject") var faults: FaultOptions

    mutating func validate() throws {
        if listProfiles || listBodies { return }
        if quiet && verbose { throw ValidationError("--quiet and --verbose ask for opposite things; give one") }
        guard SimulatorProfile.named(profile) != nil else {
            throw ValidationError("unknown profile '\(profile)'; the profiles are: \(SimulatorProfile.builtIn.map(\.name).joined(separator: ", "))")
        }
        switch (listen, pty) {
        case (nil, false): throw ValidationError("say where to listen: --listen unix:PATH or --pty")
        case (.some, true): throw ValidationError("--listen and --pty cannot be used together; choose one")
        case (.some(let address), false):
            guard address.hasPrefix("unix:"), address.count > 5 else {
                throw ValidationError("--listen takes unix:PATH (e.g. unix:/tmp/massage.sock), not '\(address)'")
            }
        case (nil, true): break
        }
        if link != nil && !pty { throw ValidationError("--link only goes with --pty") }
        guard speed.isFinite, speed > 0, speed <= 1000 else {
            throw ValidationError("--speed must be above 0 and at most 1000, not \(speed)")
        }
        if let profile = SimulatorProfile.named(profile) {
            try faults.check(profile: profile)
            guard let scenario = BodyScenario.named(body) else {
                throw ValidationError("--body \(body): no body scenario '\(body)'; the scenarios are: \(BodyScenario.namesText)")
            }
            if scenario != .default && profile.matShape == nil {
                throw ValidationError("--body \(body): profile '\(profile.name)' has no mat; body scripts are for a mat (--profile mat-16)")
            }
        }
    }

    /// The profile with the body scenario `--body` names.
    var chosenProfile: SimulatorProfile? {
        guard var chosen = SimulatorProfile.named(profile) else { return nil }
        if let scenario = BodyScenario.named(body), scenario != .default { chosen.body = scenario }
        return chosen
    }

    func run() throws {
        if listProfiles {
            for p in SimulatorProfile.builtIn { emit("\(p.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(p.summary)") }
            return
        }
        if listBodies {
            for b in BodyScenario.allCases { emit("\(b.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)) \(b.summary)") }
            return
        }
        guard let profile = chosenProfile else { throw ExitCode.validationFailure }

        let port: any DevicePort
        do throws(PortError) {
            if let listen {
                port = try UnixSocketServer(path: String(listen.dropFirst("unix:".count)))
            } else {
                let terminal = try PseudoTerminal()
                if let link { try terminal.link(at: link) }
                port = terminal
            }
        } catch {
            StandardError.print("massagectl simulate: \(error)")
            throw ExitCode.failure
        }
        defer { port.close() }

        let plan = faults.plan
        emit("simulating \(profile.name) (\(profile.summary)) on \(port.name)\(link.map { " (link \($0))" } ?? "")")
        if profile.matShape != nil { emit("body: \(profile.body.rawValue) (\(profile.body.summary)), seed \(seed)") }
        let injected = faults.summary
        if !injected.isEmpty { emit("faults: \(injected)") }
        if verbose { for line in Self.makeUp(profile, seed: seed) { emit(line) } }

        SignalFlag.install()
        let quiet = quiet
        let server = DeviceServer(port: port, speed: speed) { line in if !quiet { emit(line) } }
        let device: SimulatedDevice
        do throws(PortError) {
            device = try server.run(SimulatedDevice(profile: profile, seed: seed, faults: plan),
                                    duration: duration?.microseconds,
                                    shouldStop: { SignalFlag.received != 0 })
        } catch {
            StandardError.print("massagectl simulate: \(error)")
            throw ExitCode.failure
        }
        let signal = SignalFlag.received
        let why = signal == SIGINT ? "Ctrl-C" : signal == SIGTERM ? "SIGTERM" : "the end of --duration"
        let core = device.core
        emit("stopped by \(why) after \(String(format: "%.3f", Double(device.now) / 1e6)) s simulated: state \(DeviceReport.stateName(core.state)), faults 0x\(String(core.faults.rawValue, radix: 16)), bad frames \(core.framesBad), frames lost on the link \(device.framesLostOnLink)")
    }
}

extension SimulateCommand {
    /// `--verbose`: what the simulated device is made of, and for a mat what the body
    /// does, step by step (the first 40 steps; a long script says how many more).
    static func makeUp(_ profile: SimulatorProfile, seed: UInt64) -> [String] {
        let device = profile.device
        var lines = ["device: \(device.actuatorCount) motor\(device.actuatorCount == 1 ? "" : "s"), "
            + (device.hasHeater ? "a heater" : "no heater")
            + (profile.matShape.map { ", a mat of \($0.rows) × \($0.columns) zones" } ?? "")]
        guard profile.matShape != nil else { return lines }
        let events = profile.bodyScript(deviceSeed: seed).events
        let shown = 40
        lines.append("body script (\(events.count) steps):")
        for event in events.prefix(shown) {
            lines.append("  \(MatSessionRecord.clock(Double(event.timeMicroseconds) / 1e6))  \(describe(event.action))")
        }
        if events.count > shown { lines.append("  … and \(events.count - shown) more") }
        return lines
    }

    /// One body action in words.
    static func describe(_ action: BodyAction) -> String {
        switch action {
        case .lieDown: return "lies down on the back"
        case .lieOnSide(let side): return "lies on the \(side == .left ? "left" : "right") side"
        case .shift(let lean): return String(format: "shifts weight (lean %+.2f)", lean)
        case .liftHip(let side, let duration):
            return String(format: "lifts the %@ hip for %.1f s", side == .left ? "left" : "right", Double(duration) / 1e6)
        case .getUp: return "gets up"
        case .absent: return "nobody on the mat"
        }
    }
}

/// The fault flags of `simulate`.
struct FaultOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Lose this share of frames, either way (0.05 or 5%).", valueName: "p"))
    var drop: ProbabilityArgument?

    @Option(help: ArgumentHelp("Flip a bit in this share of bytes, either way.", valueName: "p"))
    var corrupt: ProbabilityArgument?

    @Option(help: ArgumentHelp("Add this latency to every byte, each way (e.g. 5ms).", valueName: "time"))
    var delay: TimeArgument?

    @Option(help: ArgumentHelp("Add up to this much more latency, at random (order is kept).", valueName: "time"))
    var jitter: TimeArgument?

    @Option(help: ArgumentHelp("Carry nothing from START for LENGTH (e.g. 10s+2s), then deliver what waited.", valueName: "start+length"))
    var stall: WindowArgument?

    @Option(name: .customLong("disconnect-at"), help: ArgumentHelp("Cut the link for good at this time.", valueName: "time"))
    var disconnectAt: TimeArgument?

    @Option(name: .customLong("sensor-detach-at"), help: ArgumentHelp("The temperature sensor comes off the heater element (a runaway).", valueName: "time"))
    var sensorDetachAt: TimeArgument?

    @Option(name: .customLong("sensor-open-at"), help: ArgumentHelp("The temperature sensor reads open circuit.", valueName: "time"))
    var sensorOpenAt: TimeArgument?

    @Option(name: .customLong("sensor-short-at"), help: ArgumentHelp("The temperature sensor reads short circuit.", valueName: "time"))
    var sensorShortAt: TimeArgument?

    @Option(name: .customLong("stuck-motor"), help: ArgumentHelp("Motor N jams at TIME (e.g. 2@30s).", valueName: "n@time"))
    var stuckMotor: StuckMotorArgument?

    @Option(name: .customLong("report-temperature"), help: ArgumentHelp("A lying firmware: every Status says the surface is this hot (°C, -40–150) while the device latches nothing; tests the host's own check.", valueName: "°C"))
    var reportTemperature: Double?

    var plan: FaultPlan {
        var plan = FaultPlan()
        plan.dropProbability = drop?.value ?? 0
        plan.corruptProbability = corrupt?.value ?? 0
        plan.delay = delay?.microseconds ?? 0
        plan.jitter = jitter?.microseconds ?? 0
        plan.stall = stall?.range
        plan.disconnectAt = disconnectAt?.microseconds
        plan.sensorDetachedAt = sensorDetachAt?.microseconds
        plan.sensorOpenAt = sensorOpenAt?.microseconds
        plan.sensorShortedAt = sensorShortAt?.microseconds
        plan.stuckMotor = stuckMotor.map { (motor: $0.motor, time: $0.time) }
        if let reportTemperature, reportTemperature.isFinite {
            plan.reportedTemperature = Int16((min(150, max(-40, reportTemperature)) * 10).rounded())
        }
        return plan
    }

    var summary: String {
        var parts: [String] = []
        func seconds(_ us: UInt64) -> String { String(format: "%.3f s", Double(us) / 1e6) }
        func percent(_ p: Double) -> String { String(format: "%g%%", (p * 1e6).rounded() / 1e4) }
        if let drop { parts.append("drop \(percent(drop.value)) of frames") }
        if let corrupt { parts.append("corrupt \(percent(corrupt.value)) of bytes") }
        if let delay { parts.append("delay \(seconds(delay.microseconds))") }
        if let jitter { parts.append("jitter up to \(seconds(jitter.microseconds))") }
        if let stall { parts.append("stall from \(seconds(stall.range.lowerBound)) to \(seconds(stall.range.upperBound))") }
        if let disconnectAt { parts.append("disconnect at \(seconds(disconnectAt.microseconds))") }
        if let sensorDetachAt { parts.append("sensor detaches at \(seconds(sensorDetachAt.microseconds))") }
        if let sensorOpenAt { parts.append("sensor open at \(seconds(sensorOpenAt.microseconds))") }
        if let sensorShortAt { parts.append("sensor shorted at \(seconds(sensorShortAt.microseconds))") }
        if let stuckMotor { parts.append("motor \(stuckMotor.motor) jams at \(seconds(stuckMotor.time))") }
        if let reportTemperature { parts.append(String(format: "reports a %.1f °C surface whatever it reads", reportTemperature)) }
        return parts.joined(separator: "; ")
    }
}
