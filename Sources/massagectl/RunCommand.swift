import ArgumentParser
import Foundation
import MassageControl
import MassageHistory
import MassageKit
import MassageProgramFiles
import MassageSimulator
import MassageWire
import Synchronization

/// `massagectl run PROGRAM --device URI`: plays a program in real time on a device, inside
/// the safety governor's limits, with a live progress line and a summary. A thin view on
/// ``ProgramRun`` (MassageControl), which a service uses unchanged.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Play a vibration program on a device in real time.",
        discussion: """
            PROGRAM is a built-in program (see `massagectl programs`) or a YAML or JSON file \
            (see docs/programs.md). The scheduler ticks on its own thread at absolute \
            deadlines (SCHED_FIFO and locked memory when permitted); every tick passes the \
            safety governor: your maximum intensity, a slew limit (no jolts), the heater \
            setpoint clamped to the device's cap, the vibration dose (stops at 100 points \
            unless --dose-limit says otherwise, never past 400) and the session maximum. A \
            device fault or a lost link stops the program.

            Ctrl-C or SIGTERM stops the device (Stop, waiting for its Ack) and exits 130 or \
            143. The run is recorded in the history (massagectl history) unless --no-history.

            EXAMPLES
              massagectl run swedish --device sim --speed 20
              massagectl run shiatsu --device usb --intensity 60% --heat 38
              massagectl run my-program.yaml --device unix:/tmp/massage.sock

            EXIT STATUS
              0    the program ran to its end
              1    the device could not be reached, or the run was stopped by a fault,
                   a lost link or a safety limit
              64   usage error, or no built-in program of that name
              65   the program file is not valid, or the program does not fit the device
              66   the program file cannot be read (missing, not a regular file, no permission)
              130  stopped by Ctrl-C (SIGINT), after the device acknowledged Stop
              143  stopped by SIGTERM, after the device acknowledged Stop
            """
    )

    @Argument(help: ArgumentHelp("A built-in program's name or a program file.", valueName: "program"))
    var program: String

    @Option(help: ArgumentHelp("The device (usb, usb:VID:PID, usb:serial=…, serial:PATH, unix:PATH, sim, sim:PROFILE).", valueName: "URI"))
    var device: String = "sim"

    @Option(parsing: .unconditional, help: ArgumentHelp("Scale every intensity: 60%, 60 or 0.6 (0–100%; default: 100%).", valueName: "percent"), transform: PercentArgument.parse)
    var intensity: PercentArgument = PercentArgument(percent: 100)

    @Option(name: .customLong("max-intensity"), parsing: .unconditional, help: ArgumentHelp("No motor above this, whatever the program says (0–100%; default: 100%).", valueName: "percent"), transform: PercentArgument.parse)
    var maxIntensity: PercentArgument = PercentArgument(percent: 100)

    @Option(parsing: .unconditional, help: ArgumentHelp("Heat at this setpoint throughout (30–43 °C, clamped to the device's cap), or 'off'; default: as the program says.", valueName: "°C|off"), transform: HeatArgument.parse)
    var heat: HeatArgument?

    @Option(name: .customLong("dose-limit"), help: ArgumentHelp("Stop at this vibration dose, points (1–400).", valueName: "points"))
    var doseLimit: UInt32 = SafetyLimits.defaultDoseStopPoints

    @Option(name: .customLong("max-session"), help: ArgumentHelp("Stop after this long whatever the program (e.g. 45m; at most 8h).", valueName: "time"))
    var maxSession: TimeArgument = TimeArgument(microseconds: SafetyLimits.defaultSessionMicroseconds)

    @Option(help: ArgumentHelp("Scheduler rate, 50–1000 Hz.", valueName: "Hz"))
    var rate: Int = SchedulerConfiguration.defaultRate

    @Option(help: ArgumentHelp("With --device sim: run this many times faster than real time (1–20).", valueName: "factor"))
    var speed: Double = 1

    @Flag(name: .customLong("no-history"), help: "Do not record the run in the history.")
    var noHistory = false

    @OptionGroup(title: "Faults to inject (with --device sim)") var faults: FaultOptions

    func validate() throws {
        guard (1...SafetyLimits.doseLimitPoints).contains(doseLimit) else {
            throw ValidationError("--dose-limit must be 1–\(SafetyLimits.doseLimitPoints) points (the limit value), not \(doseLimit)")
        }
        guard (1...SafetyLimits.longestSessionMicroseconds).contains(maxSession.microseconds) else {
            throw ValidationError("--max-session must be more than 0 and at most 8h")
        }
        let rates = SchedulerConfiguration.rateRange
        guard rates.contains(rate) else {
            throw ValidationError("--rate must be \(rates.lowerBound)–\(rates.upperBound) Hz, not \(rate)")
        }
        guard speed.isFinite, (1...20).contains(speed) else { throw ValidationError("--speed must be 1–20, not \(speed)") }
        let isSim = device.hasPrefix("sim")
        if speed != 1 && !isSim { throw ValidationError("--speed only works with --device sim (a real device runs in real time)") }
        if !faults.summary.isEmpty && !isSim { throw ValidationError("fault flags only work with --device sim") }
        try SimulatorChoice.check(device: device, faults: faults)
        if Double(rate) * speed > Double(SchedulerConfiguration.rateRange.upperBound) {
            throw ValidationError("--rate \(rate) at --speed \(speed) would tick \(Int(Double(rate) * speed)) times a wall second; keep rate × speed ≤ \(SchedulerConfiguration.rateRange.upperBound)")
        }
    }

    func run() throws {
        SignalFlag.install()
        let program: Program
        do {
            program = try ProgramLookup.find(self.program).program
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitStatus.forProgramLookup(error)
        }

        try ServiceCheck.refuseIfHeld(device: device, instead: "massagectl call start device=\(device) program=\(program.name) intensity=\(intensity.percent)")
        let connector: DeviceConnector
        do {
            connector = try DeviceConnector.make(device: device, simulatorFaults: faults.plan, simulatorSpeed: speed)
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitCode.validationFailure
        }
        defer { connector.shutDown() }
        var sessionOptions = DeviceSession.Options()
        sessionOptions.reconnect = false   // a lost link ends the program; the user starts again
        sessionOptions.speed = speed
        let session: DeviceSession
        do {
            session = try connector.connect(options: sessionOptions)
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitCode.failure
        }
        defer { session.close() }
        try LeftoverFaultCheck.settleBeforeDriving(session, device: device)
        try ProgramFitCheck.require(program, fits: session)

        let code = play(program, on: session, connector: connector)
        if connector.uri.isSimulator {
            session.close()
            if let device = connector.shutDown() {
                let motors = (0..<device.profile.device.actuatorCount).map { "\(device.outputs.motorDuties[$0])" }
                emit("simulator at the end: motors \(motors.isEmpty ? "none" : motors.joined(separator: " ")) ‰, heater duty \(device.outputs.heaterDuty) %, faults 0x\(String(device.core.faults.rawValue, radix: 16))")
            }
        }
        if code != 0 { throw ExitCode(code) }
    }

    var settings: PlaybackSettings {
        var settings = PlaybackSettings()
        settings.intensityPercent = intensity.percent
        settings.maxIntensity = UInt16(maxIntensity.percent * 10)
        settings.heat = heat?.choice ?? .program
        settings.rateHertz = rate
        settings.doseStopPoints = doseLimit
        settings.maxSessionMicroseconds = maxSession.microseconds
        return settings
    }

    /// A view on a ``ProgramRun``: the header, the live progress line, the summary; the
    /// exit status.
    func play(_ program: Program, on session: DeviceSession, connector: DeviceConnector) -> Int32 {
        let run: ProgramRun
        let grant: RealtimeGrant
        do {
            // Locking memory stalls the process while it pages in; the in-process
            // simulator is not hardware: no lock for it.
            let realtime = try RealtimeOptions(lockMemory: !connector.uri.isSimulator, speed: speed)
            run = try ProgramRun(program: program, session: session, settings: settings, recorder: startHistory(program, simulated: connector.uri.isSimulator),
                                 realtime: realtime)
            grant = try run.start()
        } catch {
            StandardError.print("Error: \(error)")
            return 1
        }
        let capabilities = run.capabilities
        let interactive = isatty(STDOUT_FILENO) != 0
        emit("\(program.title) (\(program.name)), \(Progress.clock(program.duration)) on \(capabilities.vendor) \(capabilities.model) [\(device)]")
        emit(grant.summary)
        for note in grant.notes { emit("  note: \(note)") }

        let progress = Progress(program: program)
        var lastLine = Date.distantPast
        let report = run.wait { now in
            let signal = SignalFlag.received
            if signal != 0 { run.stop(note: signal == SIGTERM ? "stopped by SIGTERM" : "stopped by Ctrl-C") }
            let line = progress.line(seconds: now.programSeconds, status: now.status)
            if interactive {
                FileHandle.standardOutput.write(Data(("\r" + line + "\u{1B}[K").utf8))
            } else if Date().timeIntervalSince(lastLine) >= 10 {
                emit(line)
                lastLine = Date()
            }
        }
        if interactive { FileHandle.standardOutput.write(Data("\n".utf8)) }

        let code = Self.exitStatus(report.outcome, signal: SignalFlag.received)
        let outcomeText = report.note
        emit("after \(Progress.clock(report.programSeconds)) of \(Progress.clock(program.duration)): \(outcomeText)")
        switch report.stop {
        case .acknowledged(let ms): emit("device stopped: Stop acknowledged in \(String(format: "%.1f", ms)) ms")
        case .unconfirmed(let error): emit("device stop not confirmed (\(error)); its watchdog stops the outputs within \(capabilities.device.watchdogMilliseconds) ms of the last frame")
        }
        emit("dose \(String(format: "%.2f", report.scheduler.dosePoints)) points (stop at \(settings.doseStopPoints))"
            + (report.maxTemperature.map { ", surface up to \(Progress.celsius($0))" } ?? ""))
        let statistics = report.scheduler.statistics
        let lateness = statistics.lateness
        emit("scheduler \(settings.rateHertz) Hz: \(statistics.ticks) ticks, \(statistics.overruns) overruns; wake lateness p50 \(Progress.micro(lateness.p50)), p99 \(Progress.micro(lateness.p99)), p99.9 \(Progress.micro(lateness.p999)), max \(Progress.micro(lateness.maximum))"
            + (statistics.delivery.map { "; \($0.sent) SetOutputs sent, \($0.coalesced) coalesced" } ?? ""))
        return code
    }

    /// The exit status for how the run ended.
    static func exitStatus(_ outcome: SchedulerOutcome, signal: Int32) -> Int32 {
        switch outcome {
        case .finished: 0
        case .stoppedByRequest: signal == SIGTERM ? 143 : 130
        case .safetyStop: 1
        }
    }

    /// The recorder opens the history and writes on its own thread: a locked or full
    /// history never delays the run or its Stop; its problems come back as warnings.
    func startHistory(_ program: Program, simulated: Bool) -> HistoryRecorder? {
        guard !noHistory else { return nil }
        guard let path = HistoryStore.defaultPath() else {
            StandardError.print("warning: not recording history: \(HistoryStore.noDefaultPathReason)")
            return nil
        }
        var entry = HistoryEntry(kind: .program, name: program.name, device: device, startedAt: Date())
        entry.deviceKind = simulated ? .simulated : .real
        entry.intensityPercent = intensity.percent
        switch settings.heat {
        case .program: entry.heat = "program"
        case .off: entry.heat = "off"
        case .celsius(let value): entry.heat = String(format: "%.1f", value)
        }
        if ProgramLookup.looksLikeFile(self.program) {
            entry.file = URL(fileURLWithPath: self.program).standardizedFileURL.path
        }
        entry.speed = speed
        return HistoryRecorder(path: path, entry: entry)
    }
}

/// The live progress line.
struct Progress {
    let program: Program
    let starts: [Double]

    init(program: Program) {
        self.program = program
        starts = program.stepStarts
    }

    func line(seconds: Double, status: Status?) -> String {
        let index = max(0, min(program.steps.count - 1, (starts.lastIndex { $0 <= seconds } ?? 0)))
        let step = program.steps.isEmpty ? "" : program.steps[index].name
        var parts = ["step \(index + 1)/\(program.steps.count) \(step)",
                     "\(Self.clock(seconds)) / \(Self.clock(program.duration)) (\(Self.clock(max(0, program.duration - seconds))) left)"]
        if let status {
            let bars = status.outputs.map { Self.bar($0) }.joined(separator: " ")
            if !bars.isEmpty { parts.append(bars) }
            if status.temperature != Status.noTemperature { parts.append(Self.celsius(status.temperature)) }
            parts.append("dose \(String(format: "%.2f", Double(status.dose) / 100))")
            if !status.faults.isEmpty { parts.append("FAULT \(DeviceReport.names(status.faults).joined(separator: ", "))") }
        }
        return parts.joined(separator: "  ")
    }

    static func bar(_ perMille: UInt16) -> String {
        let blocks = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]
        let eighths = Int(perMille) * 32 / 1000   // 4 cells of 8
        var text = ""
        for cell in 0..<4 {
            let filled = eighths - cell * 8
            text += filled >= 8 ? "█" : filled > 0 ? blocks[filled - 1] : " "
        }
        return "▕" + text + "▏"
    }

    static func clock(_ seconds: Double) -> String { clockText(seconds) }

    static func celsius(_ tenths: Int16) -> String { String(format: "%.1f °C", Double(tenths) / 10) }

    static func micro(_ nanoseconds: UInt64) -> String { String(format: "%.0f µs", Double(nanoseconds) / 1000) }
}
