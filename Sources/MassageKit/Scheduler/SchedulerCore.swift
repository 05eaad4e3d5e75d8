import MassageWire

/// How a scheduler run ended.
public enum SchedulerOutcome: Equatable, Sendable {
    /// The tick source said the program is over.
    case finished
    /// `SchedulerControl.stop()` was called.
    case stoppedByRequest
    /// The safety governor stopped the session (dose, duration, fault, link loss).
    case safetyStop(SafetyStopReason)
}

/// What the loop does after a tick.
public enum SchedulerStep: Equatable, Sendable {
    /// Sleep until this absolute time (ns, the clock's origin) and call `tick` again.
    case sleep(untilNanoseconds: UInt64)
    /// The run is over; every output was last offered at zero.
    case ended(SchedulerOutcome)
}

/// The scheduler's tick logic, with no thread and no clock of its own: given the time it
/// woke, it asks the source for the levels, scales them by the intensity, passes them
/// through the safety governor, offers them to the sink, and says when to wake next.
///
/// Deadlines are start + k·period (k·10⁹/rate ns, computed from the start each time, so
/// they never drift). A wake a period or more late ticks once, for the latest deadline
/// that has passed, counts an overrun and skips to the next deadline ahead: it never
/// bursts to catch up. Program time (what the source sees) is that deadline's time, less
/// the time spent paused. The governor sees session time (deadline − start, pauses
/// included), for the dose meter and the session limit.
///
/// Nothing on the tick path allocates or locks: the control is read through atomics, the
/// levels live inline, the histogram is fixed-size.
public struct SchedulerCore<Source: TickSource, Sink: OutputSink> {
    public let configuration: SchedulerConfiguration
    public let control: SchedulerControl
    public let sink: Sink
    /// The governor every tick's levels pass through; its dose and stop reason are here.
    public private(set) var governor: SafetyGovernor
    /// The tick source (the program), as the last tick left it.
    public private(set) var source: Source
    private var rawStatistics = SchedulerStatistics()

    private var start: UInt64? = nil
    /// The deadline the next wake aims at.
    private var nextIndex: UInt64 = 0
    private var lastTickIndex: UInt64 = 0
    private var lastTickWasRunning = false
    /// Deadlines' worth of program time run so far (pauses excluded).
    private var programIndex: UInt64 = 0
    private var levels: OutputLevels
    private var outcome: SchedulerOutcome? = nil

    public init(configuration: SchedulerConfiguration, source: Source, sink: Sink,
                governor: SafetyGovernor, control: SchedulerControl) {
        self.configuration = configuration
        self.source = source
        self.sink = sink
        self.governor = governor
        self.control = control
        levels = .off(actuatorCount: configuration.actuatorCount)
    }

    /// The run's statistics so far, with the sink's delivery counts when it keeps them.
    public var statistics: SchedulerStatistics {
        var statistics = rawStatistics
        statistics.delivery = sink.deliveryCounts
        return statistics
    }

    /// How the run ended, once it has.
    public var ended: SchedulerOutcome? { outcome }

    /// The clock time of the first tick (the origin of every deadline), once started.
    public var startNanoseconds: UInt64? { start }

    /// Program time the source last saw, µs.
    public var programMicroseconds: UInt64 { configuration.microseconds(ofIndex: programIndex) }

    /// Runs one tick for a wake at `now` (ns). The first call starts the run: it ticks at
    /// once and takes `now` as the origin. A call before the next deadline does nothing
    /// but say when that is (a spurious wake).
    public mutating func tick(now: UInt64) -> SchedulerStep {
        if let outcome { return .ended(outcome) }
        let origin: UInt64
        if let start { origin = start } else { start = now; origin = now }
        let deadline = origin &+ configuration.deadlineOffset(nextIndex)
        if now < deadline { return .sleep(untilNanoseconds: deadline) }

        rawStatistics.lateness.record(now - deadline)
        // The latest deadline that has passed: nextIndex unless the wake was a period or
        // more late, in which case the ones in between are skipped, not replayed.
        let index = max(nextIndex, configuration.index(atOrBefore: now - origin))
        if index > nextIndex {
            rawStatistics.overruns += 1
            rawStatistics.skippedDeadlines += index - nextIndex
        }

        if let report = control.pendingSafetyStop { governor.stop(because: report) }
        let command = control.command
        let running = command == .run
        // The interval since the last tick ran the program if that tick did.
        if lastTickWasRunning { programIndex += index - lastTickIndex }

        var ending: SchedulerOutcome? = command == .stop ? .stoppedByRequest : nil
        levels.setAllOff(actuatorCount: configuration.actuatorCount)
        if running {
            let result = source.levels(atMicroseconds: configuration.microseconds(ofIndex: programIndex), into: &levels)
            if result == .finished {
                ending = .finished
                levels.setAllOff(actuatorCount: configuration.actuatorCount)
            } else {
                levels.scale(percent: control.intensityPercent)
            }
        }
        governor.apply(to: &levels, atMicroseconds: configuration.deadlineOffset(index) / 1000)
        if let reason = governor.stopReason { ending = .safetyStop(reason) }

        sink.offer(levels)
        rawStatistics.framesOffered += 1
        rawStatistics.ticks += 1
        control.publish(ticks: rawStatistics.ticks, overruns: rawStatistics.overruns, offered: rawStatistics.framesOffered)

        lastTickIndex = index
        lastTickWasRunning = running
        nextIndex = index + 1
        if let ending {
            outcome = ending
            return .ended(ending)
        }
        return .sleep(untilNanoseconds: origin &+ configuration.deadlineOffset(nextIndex))
    }

    /// Ticks on `clock` until the run ends: sleeps to each deadline, ticks at the wake.
    public mutating func run<Clock: SchedulerClock>(on clock: inout Clock) -> SchedulerOutcome {
        while true {
            switch tick(now: clock.nowNanoseconds()) {
            case .sleep(let deadline): clock.sleep(untilNanoseconds: deadline)
            case .ended(let outcome): return outcome
            }
        }
    }
}

extension OutputLevels {
    /// Every motor at 0 and the heater off, for `actuatorCount` motors, in place.
    mutating func setAllOff(actuatorCount: Int) {
        heaterSetpoint = 0
        if intensities.count == actuatorCount {
            for i in 0..<actuatorCount { intensities[i] = 0 }
        } else {
            intensities.removeAll()
            for _ in 0..<min(max(0, actuatorCount), 16) { intensities.append(0) }
        }
    }

    /// Scales every motor by `percent` (0–100); the heater setpoint is a temperature and
    /// is not scaled.
    mutating func scale(percent: Int) {
        guard percent < 100 else { return }
        let factor = UInt32(max(0, percent))
        for i in 0..<intensities.count {
            intensities[i] = UInt16(UInt32(intensities[i]) * factor / 100)
        }
    }
}
