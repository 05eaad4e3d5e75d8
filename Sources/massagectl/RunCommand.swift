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

            Ctrl-C, SIGTERM, SIGHUP (the terminal closed) and SIGQUIT stop the device (Stop, \
            waiting for its Ack) and exit 128 + the signal. Ctrl-Z stops the device before \
            the process stops; `fg` continues the program. Output that cannot be written (a \
            full disk, a closed pipe) stops the device too. The run is recorded in the history \
            (massagectl history) unless --no-history; a history that is locked, damaged or \
            on a full disk never delays the Stop, and is reported.

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
              74   standard output could not be written; the device was stopped first
              129  stopped by SIGHUP (the terminal closed), after the device acknowledged Stop
              130  stopped by Ctrl-C (SIGINT), after the device acknowledged Stop
              131  stopped by SIGQUIT, after the device acknowledged Stop
              141  the reader of standard output went away; the device was stopped first
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
        SignalFlag.install(jobControl: true)
        // Every line of this command goes through the writer's thread: stdout that blocks
        // or fails never holds up the Stop.
        let currentRun = CurrentRun()
        let output = OutputWriter { failure in
            currentRun.run.withLock { $0 }?.stop(note: "stopped because \(failure)")
        }
        let program: Program
        do {
            program = try ProgramLookup.find(self.program).program
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitStatus.forProgramLookup(error)
        }

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
            session = try connector.connect(options: sessionOptions, giveUp: { SignalFlag.received != 0 })
        } catch {
            let signal = SignalFlag.received
            if signal != 0 {
                StandardError.print("stopped by \(SignalFlag.name(signal)) during the handshake; nothing was driven")
                throw ExitCode(SignalFlag.exitStatus(signal))
            }
            StandardError.print("Error: \(error)")
            throw ExitCode.failure
        }
        defer { session.close() }
        if let status = stoppedBeforeStart(session) { throw ExitCode(status) }
        try LeftoverFaultCheck.settleBeforeDriving(session, device: device)
        try ProgramFitCheck.require(program, fits: session)
        if let status = stoppedBeforeStart(session) { throw ExitCode(status) }

        var code = play(program, on: session, connector: connector, output: output, current: currentRun)
        if connector.uri.isSimulator {
            let pacing = connector.simulators.withLock { $0.last?.pacing.figures }
            session.close()
            if let device = connector.shutDown() {
                let motors = (0..<device.profile.device.actuatorCount).map { "\(device.outputs.motorDuties[$0])" }
                output.line(Terminal.forPeople("simulator at the end: motors \(motors.isEmpty ? "none" : motors.joined(separator: " ")) ‰, heater duty \(device.outputs.heaterDuty) %, faults 0x\(String(device.core.faults.rawValue, radix: 16))", on: .output))
            }
            if let pacing, pacing.pauses > 0 {
                output.line(String(format: "this process paused %d time(s), the longest for %.0f ms (a loaded machine, or a debugger): the in-process simulator's clock waited for it, so its watchdog did not blame the device",
                                   pacing.pauses, Double(pacing.longestPauseNanoseconds) / 1e6))
            }
        }
        // The device is stopped. Wait for a terminal that is slow to read; not for long
        // when the person asked to stop, or when the output has failed.
        let hurried = SignalFlag.received != 0 || output.failure != nil
        if !output.drain(within: hurried ? .seconds(1) : nil) {
            StandardError.printIfWritable("warning: standard output is not being read; the rest of the summary is dropped (the device is stopped)")
        }
        if let failure = output.failure, code == 0 || code == ExitStatus.outputFailed || code == ExitStatus.outputReaderGone {
            code = failure == .readerGone ? ExitStatus.outputReaderGone : ExitStatus.outputFailed
        }
        if code != 0 { throw ExitCode(code) }
    }

    /// A stop signal that came while connecting: nothing was driven yet. The device gets
    /// Stop all the same; returns the exit status, nil when no signal came.
    func stoppedBeforeStart(_ session: DeviceSession) -> Int32? {
        let signal = SignalFlag.received
        guard signal != 0 else { return nil }
        let stop = session.stop(within: .seconds(1))
        StandardError.print("stopped by \(SignalFlag.name(signal)) before the program started; \(Self.describe(stop, watchdog: session.capabilities?.device.watchdogMilliseconds))")
        return SignalFlag.exitStatus(signal)
    }

    static func describe(_ stop: DeviceSession.StopOutcome, watchdog: UInt16?) -> String {
        switch stop {
        case .acknowledged(let ms): "device stopped: Stop acknowledged in \(String(format: "%.1f", ms)) ms"
        case .unconfirmed(let error):
            "device stop not confirmed (\(error)); its watchdog stops the outputs within \(watchdog.map { "\($0)" } ?? "its watchdog period of") ms of the last frame"
        }
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
    /// exit status. Signals act on the run from the signal watcher's thread, and every
    /// line goes through `output`, so nothing here waits on the terminal before the Stop.
    func play(_ program: Program, on session: DeviceSession, connector: DeviceConnector, output: OutputWriter,
              current: CurrentRun) -> Int32 {
        func say(_ line: String) { output.line(Terminal.forPeople(line, on: .output)) }
        let run: ProgramRun
        let grant: RealtimeGrant
        do {
            // Locking memory stalls the process while it pages in; the in-process
            // simulator is not hardware: no lock for it.
            let realtime = try RealtimeOptions(lockMemory: !connector.uri.isSimulator, speed: speed)
            run = try ProgramRun(program: program, session: session, settings: settings, recorder: startHistory(program, simulated: connector.uri.isSimulator),
                                 realtime: realtime)
            current.run.withLock { $0 = run }
            SignalFlag.onSignal { number in
                if number == SIGTSTP {
                    Self.suspend(run, output: output)
                } else {
                    run.stop(note: "stopped by \(SignalFlag.name(number))")
                }
            }
            grant = try run.start()
        } catch {
            StandardError.print("Error: \(error)")
            return 1
        }
        defer { SignalFlag.onSignal(nil) }
        // A signal or an output failure before the handler was in place.
        if SignalFlag.received != 0 { run.stop(note: "stopped by \(SignalFlag.name(SignalFlag.received))") }
        if let failure = output.failure { run.stop(note: "stopped because \(failure)") }

        let capabilities = run.capabilities
        let interactive = isatty(STDOUT_FILENO) != 0
        say("\(program.title) (\(program.name)), \(Progress.clock(program.duration)) on \(capabilities.vendor) \(capabilities.model) [\(device)]")
        say(grant.summary)
        for note in grant.notes + run.deviceNotes { say("  note: \(note)") }

        let progress = Progress(program: program)
        var lastLine = Date.distantPast
        let report = run.wait { now in
            let line = Terminal.forPeople(progress.line(seconds: now.programSeconds, status: now.status), on: .output)
            if interactive {
                output.progress("\r" + line + "\u{1B}[K")
            } else if Date().timeIntervalSince(lastLine) >= 10 {
                output.line(line)
                lastLine = Date()
            }
        }
        if interactive { output.line("") }

        let signal = SignalFlag.received
        var code = Self.exitStatus(report.outcome, signal: signal)
        say("after \(Progress.clock(report.programSeconds)) of \(Progress.clock(program.duration)): \(report.note)")
        if let failure = output.failure {
            // Standard output is gone: say on standard error why the run stopped.
            StandardError.printIfWritable("massagectl run: stopped because \(failure); \(Self.describe(report.stop, watchdog: capabilities.device.watchdogMilliseconds))")
        }
        say(Self.describe(report.stop, watchdog: capabilities.device.watchdogMilliseconds))
        if case .unconfirmed = report.stop, !connector.uri.isSimulator {
            say(Self.stopAgain(connector))
        }
        say("dose \(String(format: "%.2f", report.scheduler.dosePoints)) points (stop at \(settings.doseStopPoints))"
            + (report.maxTemperature.map { ", surface reported up to \(Progress.celsius($0))" } ?? ""))
        let statistics = report.scheduler.statistics
        let lateness = statistics.lateness
        say("scheduler \(settings.rateHertz) Hz: \(statistics.ticks) ticks, \(statistics.overruns) overruns; wake lateness p50 \(Progress.micro(lateness.p50)), p99 \(Progress.micro(lateness.p99)), p99.9 \(Progress.micro(lateness.p999)), max \(Progress.micro(lateness.maximum))"
            + (statistics.delivery.map { "; \($0.sent) SetOutputs sent, \($0.coalesced) coalesced" } ?? ""))
        if let cause = Self.hostCause(report, watchdog: capabilities.device.watchdogMilliseconds, speed: speed) { say(cause) }
        if let warning = run.historyWarning {
            StandardError.printIfWritable("warning: the end of this run is not in the history: \(warning)")
        }
        if output.failure != nil && signal == 0 { code = ExitStatus.outputFailed }
        return code
    }

    /// Ctrl-Z: the program pauses and the device stops (Stop, acknowledged) before the
    /// process stops; `fg` continues the program where it was (the slew limit ramps the
    /// motors back up). Runs on the signal watcher's thread.
    static func suspend(_ run: ProgramRun, output: OutputWriter) {
        run.pause()
        let stop = run.session.stop(within: .milliseconds(500))
        output.line("")
        output.line(Terminal.forPeople("suspended by Ctrl-Z: \(describe(stop, watchdog: run.capabilities.device.watchdogMilliseconds)); `fg` continues the program", on: .output))
        SignalFlag.suspendProcess()
        output.line("continued")
        run.resume()
    }

    /// After a lost link, one try to reach the device again and stop it (its watchdog does
    /// it anyway; a Stop acknowledged is certain).
    static func stopAgain(_ connector: DeviceConnector) -> String {
        var options = DeviceSession.Options()
        options.reconnect = false
        do {
            let again = try connector.connect(options: options)
            let outcome = again.stop(within: .milliseconds(500))
            again.close()
            return "reconnected to stop it: " + describe(outcome, watchdog: again.capabilities?.device.watchdogMilliseconds)
        } catch {
            return "could not reach the device again to stop it (\(error))"
        }
    }

    /// When a watchdog fault or a lost link came while this host itself was late by more
    /// than the watchdog: the machine, not the device, was the cause. Nil otherwise.
    static func hostCause(_ report: ProgramRun.Report, watchdog: UInt16, speed: Double) -> String? {
        let linkTrouble: Bool
        switch report.outcome {
        case .safetyStop(.linkLost): linkTrouble = true
        case .safetyStop(.deviceFault(let faults)): linkTrouble = faults.contains(.watchdog)
        default: linkTrouble = false
        }
        let late = Double(report.scheduler.statistics.lateness.maximum) / 1e6   // ms of wall time
        let allowed = Double(watchdog) / max(speed, 1)
        guard linkTrouble, late >= allowed else { return nil }
        return String(format: "this host was %.0f ms late at worst, longer than the device's %.0f ms watchdog%@: the machine (load, suspension), not the device, is the likely cause",
                      late, allowed, speed > 1 ? String(format: " at --speed %g", speed) : "")
    }

    /// The exit status for how the run ended.
    static func exitStatus(_ outcome: SchedulerOutcome, signal: Int32) -> Int32 {
        switch outcome {
        case .finished: 0
        case .stoppedByRequest: signal != 0 ? SignalFlag.exitStatus(signal) : ExitStatus.outputFailed
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

/// The run in progress, for the output writer's failure handler (set once it exists).
final class CurrentRun: Sendable {
    let run = Mutex<ProgramRun?>(nil)
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
