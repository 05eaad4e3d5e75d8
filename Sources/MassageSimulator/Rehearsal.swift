import MassageFirmware
import MassageKit
import MassageWire

/// A program played end to end on a simulated device on a virtual clock: the scheduler's
/// tick logic (on a manual clock), the safety governor, the session engine and the real
/// firmware core with its physical models, all stepped together 1 ms at a time. A
/// 20-minute program takes a second or two of CPU, the same on every run.
public struct Rehearsal {
    /// How a rehearsal ended and what the device went through.
    public struct Result: Sendable {
        public var outcome: SchedulerOutcome
        /// Virtual time from the first tick to the end, s.
        public var seconds: Double
        public var dosePoints: Double
        /// The hottest the simulated surface got, °C.
        public var maxSurfaceTemperature: Double
        /// The highest intensity the simulated motors were driven at, per mille.
        public var maxMotorDuty: UInt16
        /// The device's outputs 0.5 s after the end (all zero if the stop worked).
        public var outputsAfterEnd: DriveOutputs
        public var faults: FaultSet
        public var statistics: SessionStatistics
        /// The session's end when it ended (link lost, not answering), else nil.
        public var sessionError: SessionError?
    }

    public let program: Program
    public let profile: SimulatorProfile
    public var settings: PlaybackSettings
    public var faults: FaultPlan
    public var seed: UInt64

    public init(program: Program, profile: SimulatorProfile = .handheldRing4, settings: PlaybackSettings = PlaybackSettings(),
                faults: FaultPlan = FaultPlan(), seed: UInt64 = 1) {
        self.program = program
        self.profile = profile
        self.settings = settings
        self.faults = faults
        self.seed = seed
    }

    /// Plays the program to its end (or a safety stop); `observe` is called once per
    /// simulated second with the session.
    public func run(observe: (LockstepSession) -> Void = { _ in }) throws -> Result {
        var session = LockstepSession(device: SimulatedDevice(profile: profile, seed: seed, faults: faults))
        let capabilities = try session.connect().get()
        let limits = try settings.limits(for: capabilities)
        let geometry = try PlaybackSettings.geometry(for: capabilities)
        let mailbox = OutputMailbox()
        let control = try SchedulerControl(intensityPercent: settings.intensityPercent)
        var core = SchedulerCore(
            configuration: try SchedulerConfiguration(rateHertz: settings.rateHertz, actuatorCount: capabilities.actuatorCount),
            source: ProgramPlayer(program: program, geometry: geometry, heat: settings.heat),
            sink: mailbox, governor: SafetyGovernor(limits: limits), control: control)

        var maxDuty: UInt16 = 0
        var sessionError: SessionError? = nil
        var nextObservation = session.now
        let start = session.now
        var outcome: SchedulerOutcome
        while true {
            let step = core.tick(now: session.now * 1000)
            if let levels = mailbox.take() { try? session.setOutputs(levels) }
            if case .ended(let ended) = step {
                outcome = ended
                break
            }
            guard case .sleep(let deadline) = step else { continue }
            while session.now * 1000 < deadline {
                session.step()
                for i in 0..<capabilities.actuatorCount { maxDuty = max(maxDuty, session.device.outputs.motorDuties[i]) }
                if case .ended(let error) = session.engine.phase, sessionError == nil {
                    sessionError = error
                    control.reportLinkLost()   // any end of the session (link lost, not answering) stops the program
                }
                if let status = session.engine.latestStatus, !status.faults.isEmpty {
                    control.reportDeviceFault(status.faults)
                }
                if session.now >= nextObservation {
                    observe(session)
                    nextObservation += 1_000_000
                }
            }
        }
        let end = session.now
        // As `massagectl run` does at the end: Stop, acked, then watch the device settle.
        let stop = session.submit(.stop)
        _ = session.await(stop, limit: 500_000)
        session.run(for: 500_000)
        return Result(outcome: outcome, seconds: Double(end - start) / 1_000_000,
                      dosePoints: core.governor.dose.points, maxSurfaceTemperature: session.device.maxSurfaceTemperature,
                      maxMotorDuty: maxDuty, outputsAfterEnd: session.device.outputs,
                      faults: session.device.core.faults, statistics: session.engine.statistics, sessionError: sessionError)
    }
}
