import Foundation
import MassageHistory
import MassageKit
import MassageWire
import Synchronization

/// One program played on one device: the real-time scheduler (its own thread), the safety
/// governor, the device session's faults and link loss as events, the progress, and the
/// history row. What `massagectl run` shows and what a service would drive, unchanged.
///
/// - ``start()`` starts the scheduler; ``pause()``, ``resume()``, ``setIntensity(percent:)``
///   and ``stop(note:)`` work from any thread (they go through the scheduler's atomics).
/// - Device faults (Fault frames, and fault bits in a Status) and the end of the link
///   reach the scheduler's ``SchedulerControl`` from the session's owner thread the moment
///   they are decoded: the governor stops the run at its next tick, with the reason. No
///   polling.
/// - ``wait(every:progress:)`` waits for the end on the calling thread, handing out the
///   progress, then stops the device (Stop, waiting for its Ack at most `stopBound`) and
///   finishes the history row.
public final class ProgramRun: Sendable {
    /// What a run went through, at its end.
    public struct Report: Sendable {
        public var outcome: SchedulerOutcome
        /// The scheduler's own figures (ticks, lateness, delivery) and the dose.
        public var scheduler: SchedulerReport
        /// Program time played, s (ticked and skipped deadlines alike).
        public var programSeconds: Double
        /// Whether the device acknowledged the final Stop.
        public var stop: DeviceSession.StopOutcome
        /// The hottest surface the device reported, 0.1 °C.
        public var maxTemperature: Int16?
        /// The note the history got ("finished", "stopped: device fault: over temperature", ...).
        public var note: String
    }

    /// Where the run is, for a progress display.
    public struct Progress: Sendable {
        /// Program time so far, s.
        public var programSeconds: Double
        /// The step playing (0-based) and its name.
        public var stepIndex: Int
        public var stepName: String
        /// The newest Status the device sent.
        public var status: Status?
    }

    public let program: Program
    public let session: DeviceSession
    public let capabilities: DeviceCapabilities
    public let settings: PlaybackSettings
    /// Pause, resume, stop and intensity; live counters; fault and link-loss reports.
    public let control: SchedulerControl
    let realtime: RealtimeOptions
    let stopBound: Duration
    let geometry: ActuatorGeometry
    let limits: SafetyLimits
    let scheduler = Mutex<RealtimeScheduler<ProgramPlayer, DeviceSession>?>(nil)
    let observerToken = Mutex<Int?>(nil)
    let recorder: Mutex<HistoryRecorder?>
    let figures = RunFigures()
    let stopNote = Mutex<String?>(nil)
    let historyProblem = Mutex<String?>(nil)

    /// What the host holds stricter than the device declares (its heater cap, its dose
    /// limit), one line each, for the person to see before the run.
    public let deviceNotes: [String]

    /// Why the run's end is not in the history, when it is not (after ``wait(every:progress:)``).
    public var historyWarning: String? { historyProblem.withLock { $0 } }
    let stepStarts: [Double]

    /// Checks that `program` can play on `session`'s device with `settings`; nothing runs
    /// until ``start()``. `recorder` (optional) gets the run's history row.
    public init(program: Program, session: DeviceSession, settings: PlaybackSettings, recorder: sending HistoryRecorder? = nil,
                realtime: RealtimeOptions, stopBound: Duration = .seconds(1)) throws(DeviceFailure) {
        guard let capabilities = session.capabilities else { throw DeviceFailure(message: SessionError.notConnected.description) }
        do {
            geometry = try PlaybackSettings.geometry(for: capabilities)
        } catch {
            throw DeviceFailure(message: "the device's actuators cannot be used: \(error)")
        }
        let check = DeviceLimitCheck(capabilities)
        if let refusal = check.refusal { throw DeviceFailure(message: refusal) }
        deviceNotes = check.notes
        if capabilities.actuatorCount == 0 && !program.heats {
            throw DeviceFailure(message: "\(capabilities.model) has no motors and \(program.name) no heat: nothing to play (a mat? see massagectl mat)")
        }
        do {
            limits = try settings.limits(for: capabilities)
            control = try SchedulerControl(intensityPercent: settings.intensityPercent)
        } catch {
            throw DeviceFailure(message: "the settings do not fit \(capabilities.model): \(error)")
        }
        self.program = program
        self.session = session
        self.capabilities = capabilities
        self.settings = settings
        self.realtime = realtime
        self.stopBound = stopBound
        self.recorder = Mutex(recorder)
        stepStarts = program.stepStarts
    }

    deinit {
        if let token = observerToken.withLock({ $0 }) { session.removeObserver(token) }
    }

    /// Starts the scheduler's thread and returns what the system granted it (real-time
    /// priority, locked memory) with notes on what it did not.
    @discardableResult
    public func start() throws(DeviceFailure) -> RealtimeGrant {
        // The observer holds the control and the figures, never the run (the session
        // outlives it otherwise). A fault already latched stops the first tick.
        let control = self.control
        let figures = self.figures
        let heat = HeatCheck(heaterCap: limits.heaterCap)
        let token = session.addObserver { event in
            ProgramRun.forward(event, to: control, heat: heat)
            if case .status(let status) = event, status.temperature != Status.noTemperature {
                _ = figures.hottest.max(Int(status.temperature), ordering: .relaxed)
            }
        }
        observerToken.withLock { $0 = token }
        if let status = session.latestStatus { ProgramRun.forward(.status(status), to: control, heat: heat) }
        do {
            let core = SchedulerCore(
                configuration: try SchedulerConfiguration(rateHertz: settings.rateHertz, actuatorCount: capabilities.actuatorCount),
                source: ProgramPlayer(program: program, geometry: geometry, heat: settings.heat),
                sink: session, governor: SafetyGovernor(limits: limits), control: control)
            let started = try RealtimeScheduler(core: core, options: realtime)
            let grant = started.grant
            scheduler.withLock { $0 = started }
            return grant
        } catch {
            session.removeObserver(token)
            throw DeviceFailure(message: "the scheduler cannot start: \(error)")
        }
    }

    /// The host's own check of the heat, whatever the device says of itself: a surface
    /// reported above the cap in force (never above 43 °C) plus the margin stops the run.
    public struct HeatCheck: Sendable {
        /// The hottest surface allowed, 0.1 °C.
        public let threshold: Int16
        /// The cap in force, 0.1 °C.
        public let cap: UInt16

        /// Nil for a device without a heater (`heaterCap` 0).
        public init?(heaterCap: UInt16) {
            guard let threshold = DeviceLimitCheck.overTemperatureThreshold(heaterCap: heaterCap) else { return nil }
            self.threshold = threshold
            cap = min(heaterCap, SafetyFigures.heaterCapCeiling)
        }
    }

    /// How a session event bears on a run: a device fault (a Fault frame, or fault bits in
    /// a Status), a surface hotter than `heat` allows, and the end of the link are safety
    /// reports; the governor acts on them at the scheduler's next tick. Called on the
    /// session's owner thread.
    public static func forward(_ event: DeviceSession.Event, to control: SchedulerControl, heat: HeatCheck? = nil) {
        switch event {
        case .fault(let report):
            control.reportDeviceFault(report.faults.isEmpty ? FaultSet(rawValue: 1 << UInt16(min(report.code, 15))) : report.faults)
        case .status(let status):
            if !status.faults.isEmpty { control.reportDeviceFault(status.faults) }
            if let heat, status.temperature != Status.noTemperature, status.temperature > heat.threshold {
                control.reportOverTemperature(reading: status.temperature, cap: heat.cap)
            }
        case .connection(.linkLost), .connection(.ended):
            control.reportLinkLost()
        default:
            break
        }
    }

    /// Outputs to zero and program time stands still until ``resume()``.
    public func pause() { control.pause() }

    /// Continues where the run paused (the slew limit ramps the outputs back up).
    public func resume() { control.resume() }

    /// Scales every intensity from the next tick, 0–100 %.
    public func setIntensity(percent: Int) throws(SchedulerConfigurationError) { try control.setIntensity(percent: percent) }

    /// Ends the run at the next tick, outputs at zero; `note` says why in the history
    /// ("stopped by Ctrl-C").
    public func stop(note: String? = nil) {
        if let note { stopNote.withLock { if $0 == nil { $0 = note } } }
        control.stop()
    }

    /// Whether the scheduler has ended (the run then only needs ``wait(every:progress:)``).
    public var isFinished: Bool { scheduler.withLock { $0?.isFinished ?? true } }

    /// Where the run is now.
    public var progress: Progress {
        let seconds = Double(control.ticks) / Double(settings.rateHertz)
        let index = max(0, min(program.steps.count - 1, stepStarts.lastIndex { $0 <= seconds } ?? 0))
        return Progress(programSeconds: seconds, stepIndex: index,
                        stepName: program.steps.isEmpty ? "" : program.steps[index].name, status: session.latestStatus)
    }

    /// Waits for the end on this thread, calling `progress` every `interval` (and updating
    /// the history row), then stops the device and finishes the history row. It looks
    /// for the end every 10 ms, so Stop follows the scheduler's end at once; `progress`
    /// must not block (a view that writes to a terminal hands the line to a writer).
    public func wait(every interval: Duration = .milliseconds(100), progress onProgress: (Progress) -> Void = { _ in }) -> Report {
        let clock = ContinuousClock()
        var nextProgress = clock.now
        while !isFinished {
            Thread.sleep(forTimeInterval: 0.01)
            guard clock.now >= nextProgress else { continue }
            nextProgress = clock.now.advanced(by: interval)
            let now = progress
            onProgress(now)
            recorder.withLock { recorder in
                recorder?.record({ entry in
                    entry.elapsedSeconds = now.programSeconds
                    entry.dosePoints = Double(now.status?.dose ?? 0) / 100
                })
            }
        }
        let report: SchedulerReport
        if let running = scheduler.withLock({ $0 }) {
            report = running.wait()
        } else {
            report = SchedulerReport(outcome: .stoppedByRequest, statistics: SchedulerStatistics(), dosePoints: 0)
        }
        let stop = session.stop(within: stopBound)
        if let token = observerToken.withLock({ value -> Int? in defer { value = nil }; return value }) {
            session.removeObserver(token)
        }
        let seconds = Double(report.statistics.ticks + report.statistics.skippedDeadlines) / Double(settings.rateHertz)
        let (note, outcome) = Self.historyOutcome(report.outcome, note: stopNote.withLock { $0 })
        recorder.withLock { recorder in
            recorder?.finish(outcome: outcome, note: note) { entry in
                entry.elapsedSeconds = seconds
                entry.dosePoints = report.dosePoints
            }
        }
        // The device is stopped: waiting a bounded time for the history is safe now.
        let closing = recorder.withLock { $0?.close(waitingAtMost: 2) }
        if case .notRecorded(let error)? = closing { historyProblem.withLock { $0 = "\(error)" } }
        let hot = figures.hottest.load(ordering: .relaxed)
        return Report(outcome: report.outcome, scheduler: report, programSeconds: seconds, stop: stop,
                      maxTemperature: hot == Int(Int16.min) ? nil : Int16(clamping: hot), note: note)
    }

    /// The history's words and outcome for how the scheduler ended.
    static func historyOutcome(_ outcome: SchedulerOutcome, note: String?) -> (String, HistoryEntry.Outcome) {
        switch outcome {
        case .finished: return ("finished", .completed)
        case .stoppedByRequest: return (note ?? "stopped", .stopped)
        case .safetyStop(let reason):
            switch reason {
            case .linkLost, .deviceFault, .overTemperature: return ("stopped: \(reason)", .failed)
            default: return ("stopped: \(reason)", .stopped)
            }
        }
    }
}

/// What the session's observer measures during a run.
final class RunFigures: Sendable {
    /// The hottest surface reported, 0.1 °C (Int16.min: none yet).
    let hottest = Atomic<Int>(Int(Int16.min))
}
