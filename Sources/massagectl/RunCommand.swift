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

    @Argument(help: ArgumentHelp("A built-in program's name or a program file.", valueName: "program"), completion: ShellCompletions.programs)
    var program: String

    @Option(help: ArgumentHelp("The device (usb, usb:VID:PID, usb:serial=…, serial:PATH, unix:PATH, sim, sim:PROFILE).", valueName: "URI"), completion: ShellCompletions.devices)
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

    @Option(help: ArgumentHelp("Scheduler rate, 50–1000 Hz (default: 100, lowered so that rate × speed ≤ 1000).", valueName: "Hz"))
    var rate: Int?

    @Option(help: ArgumentHelp("With --device sim: run this many times faster than real time (1–20).", valueName: "factor"))
    var speed: Double = 1

    @Flag(name: .customLong("no-history"), help: "Do not record the run in the history.")
    var noHistory = false

    @Flag(help: "Print the summary as one JSON document (snake_case keys) and nothing while it runs.")
    var json = false

    @Flag(name: .shortAndLong, help: "Print only the outcome, the Stop and the dose (no progress line, no keys).")
    var quiet = false

    @Flag(name: .customLong("dry-run"), help: "Rehearse on the simulator's virtual clock in a second or two: the length, the peak surface temperature, the dose, and where the governor would cut in. Nothing is driven.")
    var dryRun = false

    @OptionGroup(title: "Faults to inject (with --device sim)") var faults: FaultOptions

    func validate() throws {
        guard (1...SafetyLimits.doseLimitPoints).contains(doseLimit) else {
            throw ValidationError("--dose-limit must be 1–\(SafetyLimits.doseLimitPoints) points (the limit value), not \(doseLimit)")
        }
        guard (1...SafetyLimits.longestSessionMicroseconds).contains(maxSession.microseconds) else {
            throw ValidationError("--max-session must be more than 0 and at most 8h")
        }
        let rates = SchedulerConfiguration.rateRange
        if let rate, !rates.contains(rate) {
            throw ValidationError("--rate must be \(rates.lowerBound)–\(rates.upperBound) Hz, not \(rate)")
        }
        guard speed.isFinite, (1...20).contains(speed) else { throw ValidationError("--speed must be 1–20, not \(speed)") }
        let isSim = device.hasPrefix("sim")
        if speed != 1 && !isSim { throw ValidationError("--speed only works with --device sim (a real device runs in real time)") }
        if !faults.summary.isEmpty && !isSim { throw ValidationError("fault flags only work with --device sim") }
        try SimulatorChoice.check(device: device, faults: faults)
        if let rate, Double(rate) * speed > Double(SchedulerConfiguration.rateRange.upperBound) {
            throw ValidationError("--rate \(rate) at --speed \(speed) would tick \(Int(Double(rate) * speed)) times a wall second; keep rate × speed ≤ \(SchedulerConfiguration.rateRange.upperBound)")
        }
    }

    func run() throws {
        SignalFlag.install(jobControl: true)
        // Every line of this command goes through the writer's thread: stdout that blocks
        // or fails never holds up the Stop.
        let handles = RunHandles()
        let output = OutputWriter { failure in
            handles.run.withLock { $0 }?.stop(note: "stopped because \(failure)")
        }
        let program: Program
        do {
            program = try ProgramLookup.find(self.program).program
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitStatus.forProgramLookup(error)
        }

        if dryRun {
            try rehearse(program)
            return
        }

        try ServiceCheck.refuseIfHeld(device: device, instead: "massagectl call start device=\(device) program=\(program.name) intensity=\(intensity.percent)")
        let connector: DeviceConnector
        do {
            connector = try DeviceConnector.make(device: device, simulatorFaults: faults.plan, simulatorSpeed: speed, pacesSimulator: true)
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

        var code = play(program, on: session, connector: connector, output: output, handles: handles)
        if connector.uri.isSimulator {
            let pacing = connector.simulators.withLock { $0.last?.pacing?.figures }
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

    /// `--dry-run`: the program on the simulator's virtual clock (the `sim:PROFILE` named,
    /// else the 4-motor handheld), with these settings: what the real run would do.
    func rehearse(_ program: Program) throws {
        let profile = (try? SimulatorChoice.profile(forDevice: device)) ?? nil
        let chosen = profile ?? .handheldRing4
        let started = Date()
        let result: Rehearsal.Result
        do {
            result = try Rehearsal(program: program, profile: chosen, settings: settings, faults: faults.plan).run()
        } catch {
            StandardError.print("Error: the rehearsal could not play \(program.name) on \(chosen.name): \(error)")
            throw ExitCode(ExitStatus.invalidFile)
        }
        let wall = Date().timeIntervalSince(started)
        let cut: String? = if case .safetyStop(let reason) = result.outcome { "\(reason)" } else { nil }
        if json {
            JSONOutput.print([
                "program": program.name, "profile": chosen.name, "rehearsal": true,
                "outcome": cut == nil ? "finished" : "safety_stop", "governor_stop": JSONOutput.orNull(cut),
                "program_s": result.seconds, "program_duration_s": program.duration,
                "max_surface_c": result.maxSurfaceTemperature, "max_motor_per_mille": Int(result.maxMotorDuty),
                "dose_points": result.dosePoints, "dose_stop_points": Int(settings.doseStopPoints),
                "outputs_zero_after_stop": (0..<chosen.device.actuatorCount).allSatisfy({ result.outputsAfterEnd.motorDuties[$0] == 0 }) && result.outputsAfterEnd.heaterDuty == 0,
                "wall_s": wall,
            ] as [String: Any])
            return
        }
        emit("rehearsal of \(program.title) (\(program.name)) on the simulator \(chosen.name), virtual clock; nothing was driven")
        emit("length \(Progress.clock(result.seconds)) of \(Progress.clock(program.duration))"
             + (cut.map { "; the governor would stop it there: \($0)" } ?? "; it plays to its end"))
        emit(String(format: "peak surface %.1f °C; loudest motor %d ‰; dose %.2f points (stop at %d)",
                    result.maxSurfaceTemperature, Int(result.maxMotorDuty), result.dosePoints, Int(settings.doseStopPoints)))
        emit(String(format: "rehearsed in %.1f s of wall time", wall))
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

    /// The scheduler's rate: --rate, else the default lowered so that the scheduler
    /// ticks at most 1000 times a wall second at --speed (50 Hz at --speed 20).
    var effectiveRate: Int {
        if let rate { return rate }
        let ceiling = Double(SchedulerConfiguration.rateRange.upperBound) / max(1, speed)
        return max(SchedulerConfiguration.rateRange.lowerBound, min(SchedulerConfiguration.defaultRate, Int(ceiling)))
    }

    var settings: PlaybackSettings {
        var settings = PlaybackSettings()
        settings.intensityPercent = intensity.percent
        settings.maxIntensity = UInt16(maxIntensity.percent * 10)
        settings.heat = heat?.choice ?? .program
        settings.rateHertz = effectiveRate
        settings.doseStopPoints = doseLimit
        settings.maxSessionMicroseconds = maxSession.microseconds
        return settings
    }

    /// A view on a ``ProgramRun``: the header, the live progress line, the summary (or one
    /// JSON document with --json); the exit status. Signals and keys act on the run from
    /// their own threads, and every line goes through `output`, so nothing here waits on
    /// the terminal before the Stop.
    func play(_ program: Program, on session: DeviceSession, connector: DeviceConnector, output: OutputWriter,
              handles: RunHandles) -> Int32 {
        let talk = !json && !quiet
        func say(_ line: String) { if !json { output.line(Terminal.forPeople(line, on: .output)) } }
        func chat(_ line: String) { if talk { say(line) } }
        let run: ProgramRun
        let grant: RealtimeGrant
        do {
            // Locking memory stalls the process while it pages in; the in-process
            // simulator is not hardware: no lock for it.
            let realtime = try RealtimeOptions(lockMemory: !connector.uri.isSimulator, speed: speed)
            run = try ProgramRun(program: program, session: session, settings: settings, recorder: startHistory(program, simulated: connector.uri.isSimulator),
                                 realtime: realtime)
            handles.run.withLock { $0 = run }
            SignalFlag.onSignal { number in
                if number == SIGTSTP {
                    if let keyboard = handles.keyboard.withLock({ $0 }) {
                        keyboard.suspended { Self.suspend(run, output: output) }
                    } else {
                        Self.suspend(run, output: output)
                    }
                } else {
                    run.stop(note: "stopped by \(SignalFlag.name(number))")
                }
            }
            grant = try run.start()
        } catch {
            StandardError.print("Error: \(error)")
            return 1
        }
        defer {
            SignalFlag.onSignal(nil)
            handles.keyboard.withLock { $0 }?.restore()
        }
        // A signal or an output failure before the handler was in place.
        if SignalFlag.received != 0 { run.stop(note: "stopped by \(SignalFlag.name(SignalFlag.received))") }
        if let failure = output.failure { run.stop(note: "stopped because \(failure)") }

        let capabilities = run.capabilities
        let interactive = isatty(STDOUT_FILENO) != 0 && talk
        chat("\(program.title) (\(program.name)), \(Progress.clock(program.duration)) on \(capabilities.vendor) \(capabilities.model) [\(device)]")
        chat(grant.summary)
        var notes = grant.notes + run.deviceNotes
        if rate == nil && effectiveRate != SchedulerConfiguration.defaultRate {
            notes.append("the scheduler ticks at \(effectiveRate) Hz (not \(SchedulerConfiguration.defaultRate)): at --speed \(String(format: "%g", speed)) that is \(Int(Double(effectiveRate) * speed)) ticks a wall second, the most it keeps")
        }
        for note in notes { chat("  note: \(note)") }
        if interactive, let keyboard = KeyboardControl(action: { key in Self.act(on: key, run) }) {
            handles.keyboard.withLock { $0 = keyboard }
            say(KeyboardControl.legend)
        }

        let progress = Progress(program: program)
        var lastLine = Date.distantPast
        let started = Date()
        let report = run.wait { now in
            guard talk else { return }
            let control = run.control
            let parts = progress.line(seconds: now.programSeconds, status: now.status, paused: control.command == .pause,
                                      intensity: control.intensityPercent == settings.intensityPercent ? nil : control.intensityPercent)
            if interactive {
                let line = Terminal.forPeople(parts.fitted(width: StatusLine.terminalWidth()), on: .output)
                output.progress("\r" + line + "\u{1B}[K")
            } else if Date().timeIntervalSince(lastLine) >= 10 {
                output.line(Terminal.forPeople(parts.fitted(width: .max), on: .output))
                lastLine = Date()
            }
        }
        handles.keyboard.withLock { $0 }?.restore()
        if interactive { output.line("") }

        let signal = SignalFlag.received
        var code = Self.exitStatus(report.outcome, signal: signal)
        if output.failure != nil && signal == 0 { code = ExitStatus.outputFailed }
        let watchdog = capabilities.device.watchdogMilliseconds
        if let failure = output.failure {
            // Standard output is gone: say on standard error why the run stopped.
            StandardError.printIfWritable("massagectl run: stopped because \(failure); \(Self.describe(report.stop, watchdog: watchdog))")
        }
        let stopAgain: String? = if case .unconfirmed = report.stop, !connector.uri.isSimulator { Self.stopAgain(connector) } else { nil }
        let statistics = report.scheduler.statistics
        let lateness = statistics.lateness
        let cause = Self.hostCause(report, watchdog: watchdog, speed: speed)
        if json {
            output.line(JSONOutput.text(summaryObject(program, report, capabilities: capabilities, wallSeconds: Date().timeIntervalSince(started),
                                                      stopAgain: stopAgain, hostCause: cause, exitStatus: code)))
        } else {
            say("after \(Progress.clock(report.programSeconds)) of \(Progress.clock(program.duration)): \(report.note)")
            say(Self.describe(report.stop, watchdog: watchdog))
            if let stopAgain { say(stopAgain) }
            say("dose \(String(format: "%.2f", report.scheduler.dosePoints)) points (stop at \(settings.doseStopPoints))"
                + (report.maxTemperature.map { ", surface reported up to \(Progress.celsius($0))" } ?? ""))
            chat("scheduler \(settings.rateHertz) Hz: \(statistics.ticks) ticks, \(statistics.overruns) overruns"
                + (statistics.delivery.map { "; \($0.sent) SetOutputs sent, \($0.coalesced) coalesced" } ?? ""))
            chat("wake lateness p50 \(Progress.micro(lateness.p50)), p99 \(Progress.micro(lateness.p99)), p99.9 \(Progress.micro(lateness.p999)), max \(Progress.micro(lateness.maximum))")
            if let cause { say(cause) }
        }
        if let warning = run.historyWarning {
            StandardError.printIfWritable("warning: the end of this run is not in the history: \(warning)")
        }
        return code
    }

    /// The run's summary for `--json` (snake_case keys, units in the names).
    func summaryObject(_ program: Program, _ report: ProgramRun.Report, capabilities: DeviceCapabilities, wallSeconds: Double,
                       stopAgain: String?, hostCause: String?, exitStatus: Int32) -> [String: Any] {
        let statistics = report.scheduler.statistics
        var stop: [String: Any] = [:]
        switch report.stop {
        case .acknowledged(let ms):
            stop = ["acknowledged": true, "ack_ms": ms, "error": NSNull()]
        case .unconfirmed(let error):
            stop = ["acknowledged": false, "ack_ms": NSNull(), "error": "\(error)"]
        }
        stop["after_reconnect"] = JSONOutput.orNull(stopAgain)
        let outcome: String = switch report.outcome {
        case .finished: "finished"
        case .stoppedByRequest: "stopped"
        case .safetyStop: "safety_stop"
        }
        return [
            "program": program.name, "title": program.title, "device": device,
            "model": capabilities.model, "serial": capabilities.serial,
            "outcome": outcome, "note": report.note, "exit_status": Int(exitStatus),
            "program_s": report.programSeconds, "program_duration_s": program.duration, "wall_s": wallSeconds, "speed": speed,
            "intensity_percent": intensity.percent, "rate_hz": settings.rateHertz,
            "dose_points": report.scheduler.dosePoints, "dose_stop_points": Int(settings.doseStopPoints),
            "max_surface_c": JSONOutput.orNull(report.maxTemperature.map { Double($0) / 10 }),
            "stop": stop,
            "scheduler": [
                "ticks": statistics.ticks, "overruns": statistics.overruns,
                "lateness_p50_us": Double(statistics.lateness.p50) / 1000, "lateness_p99_us": Double(statistics.lateness.p99) / 1000,
                "lateness_max_us": Double(statistics.lateness.maximum) / 1000,
                "set_outputs_sent": JSONOutput.orNull(statistics.delivery.map { $0.sent }),
                "set_outputs_coalesced": JSONOutput.orNull(statistics.delivery.map { $0.coalesced }),
            ] as [String: Any],
            "host_cause": JSONOutput.orNull(hostCause),
        ]
    }

    /// A key pressed during the run (on the keyboard's thread).
    static func act(on key: KeyboardControl.Key, _ run: ProgramRun) {
        switch key {
        case .pauseOrResume:
            if run.control.command == .pause { run.resume() } else { run.pause() }
        case .louder:
            try? run.setIntensity(percent: min(100, run.control.intensityPercent + 10))
        case .softer:
            try? run.setIntensity(percent: max(0, run.control.intensityPercent - 10))
        case .quit:
            run.stop(note: "stopped with q")
        }
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
        case .stoppedByRequest: signal != 0 ? SignalFlag.exitStatus(signal) : 0   // q, or output that failed (74, set after)
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

/// What the signal watcher, the keyboard and the output writer's failure handler reach
/// from their own threads: the run once it exists, and the keyboard once it is taken.
final class RunHandles: Sendable {
    let run = Mutex<ProgramRun?>(nil)
    let keyboard = Mutex<KeyboardControl?>(nil)
}

/// The live progress line.
struct Progress {
    let program: Program
    let starts: [Double]

    init(program: Program) {
        self.program = program
        starts = program.stepStarts
    }

    /// The progress as ranked parts: a fault first, then the time, the motors, the heat,
    /// the dose; the step's name goes first when the terminal is narrow.
    func line(seconds: Double, status: Status?, paused: Bool = false, intensity: Int? = nil) -> StatusLine {
        let index = max(0, min(program.steps.count - 1, (starts.lastIndex { $0 <= seconds } ?? 0)))
        let step = program.steps.isEmpty ? "" : program.steps[index].name
        var line = StatusLine()
        if let status, !status.faults.isEmpty { line.add("FAULT \(DeviceReport.names(status.faults).joined(separator: ", "))", rank: 9) }
        if paused { line.add("PAUSED", rank: 8) }
        line.add("step \(index + 1)/\(program.steps.count) \(step)", rank: 1)
        line.add("\(Self.clock(seconds)) / \(Self.clock(program.duration))", rank: 7)
        line.add("(\(Self.clock(max(0, program.duration - seconds))) left)", rank: 2)
        if let intensity { line.add("\(intensity) %", rank: 5) }
        if let status {
            line.add(status.outputs.map { Self.bar($0) }.joined(separator: " "), rank: 6)
            if status.temperature != Status.noTemperature { line.add(Self.celsius(status.temperature), rank: 4) }
            line.add("dose \(String(format: "%.2f", Double(status.dose) / 100))", rank: 3)
        }
        return line
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
