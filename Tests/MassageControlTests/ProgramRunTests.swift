import Foundation
import MassageControl
import MassageKit
import MassageSimulator
import MassageWire
import Synchronization
import Testing

/// A steady program: every motor at 70 % for `seconds`.
func steadyProgram(seconds: Double = 60) throws -> Program {
    Program(name: "steady", title: "Steady", technique: "test", description: "every motor at 70 %",
            steps: [ProgramStep(name: "steady", duration: seconds, pattern: .constant(try Constant(level: 0.7)))])
}

/// The run's safety wiring on the virtual clock: the scheduler's tick logic on a manual
/// clock, the session engine and the simulated device stepped 1 ms at a time (the
/// `Rehearsal` way), and every session event handed to ``ProgramRun/forward(_:to:)``,
/// the function a ``ProgramRun`` installs as its session observer.
@Suite struct ProgramRunSafetyTests {
    /// A Fault frame (a motor that stalls at 2 s) stops the run at the first tick at or
    /// after its arrival: within one scheduler period, 10 ms at 100 Hz.
    @Test func aFaultFrameStopsTheRunWithinOneTick() throws {
        var faults = FaultPlan()
        faults.stuckMotor = (motor: 1, time: 2_000_000)
        var session = LockstepSession(device: SimulatedDevice(profile: .handheldRing4, seed: 1, faults: faults))
        let capabilities = try session.connect().get()
        var settings = PlaybackSettings()
        settings.rateHertz = 100
        let control = try SchedulerControl()
        let mailbox = OutputMailbox()
        var core = SchedulerCore(
            configuration: try SchedulerConfiguration(rateHertz: settings.rateHertz, actuatorCount: capabilities.actuatorCount),
            source: ProgramPlayer(program: try steadyProgram(), geometry: try PlaybackSettings.geometry(for: capabilities)),
            sink: mailbox, governor: SafetyGovernor(limits: try settings.limits(for: capabilities)), control: control)

        var faultFrameAt: UInt64? = nil     // virtual µs the first Fault frame was decoded
        var firstReportAt: UInt64? = nil    // the first fault report of any kind (a Status may carry it first)
        var endedAt: UInt64? = nil
        var outcome: SchedulerOutcome? = nil
        while session.now < 10_000_000, outcome == nil {
            let step = core.tick(now: session.now * 1000)
            if let levels = mailbox.take() { try? session.setOutputs(levels) }
            switch step {
            case .ended(let ended):
                outcome = ended
                endedAt = session.now
            case .sleep(let deadline):
                while session.now * 1000 < deadline {
                    session.step()
                    for event in session.takeEvents() {
                        let forwarded: DeviceSession.Event?
                        switch event {
                        case .fault(let report):
                            if faultFrameAt == nil { faultFrameAt = session.now }
                            forwarded = .fault(report)
                        case .status(let status): forwarded = .status(status)
                        case .ended(let error): forwarded = .connection(.ended(error))
                        default: forwarded = nil
                        }
                        guard let forwarded else { continue }
                        ProgramRun.forward(forwarded, to: control)
                        if firstReportAt == nil, case .fault = forwarded { firstReportAt = session.now }
                        if firstReportAt == nil, case .status(let status) = forwarded, !status.faults.isEmpty { firstReportAt = session.now }
                    }
                }
            }
        }
        let arrival = try #require(faultFrameAt, "no Fault frame came (outcome \(String(describing: outcome)))")
        let reported = try #require(firstReportAt)
        let end = try #require(endedAt)
        guard case .safetyStop(.deviceFault(let set))? = outcome else {
            Issue.record("expected a stop for the device fault, got \(String(describing: outcome))")
            return
        }
        #expect(set.contains(.motorStall), "stopped for \(set), not the stall")
        let period: UInt64 = 1_000_000 / UInt64(settings.rateHertz)
        print("Fault frame at \(arrival) µs (first report \(reported) µs); the run ended at \(end) µs")
        #expect(end >= reported && end - reported <= period,
                "the run ended \(Int64(end) - Int64(reported)) µs after the fault reached it (one tick is \(period) µs)")
        #expect(end <= arrival + period)
    }

    /// Link loss and the session's end are safety reports too.
    @Test func theEndOfTheLinkIsALinkLossStop() throws {
        let control = try SchedulerControl()
        ProgramRun.forward(.connection(.linkLost(.linkLost(milliseconds: 1000))), to: control)
        var core = SchedulerCore(configuration: try SchedulerConfiguration(rateHertz: 100, actuatorCount: 1),
                                 source: Steady(),
                                 sink: OutputMailbox(),
                                 governor: SafetyGovernor(limits: try SafetyLimits(actuatorAccelerations: [10], heaterCap: 0,
                                                                                   slewStepPerTick: 1000, doseStopPoints: 100,
                                                                                   maxSessionMicroseconds: 60_000_000)),
                                 control: control)
        #expect(core.tick(now: 0) == .ended(.safetyStop(.linkLost)))
    }
}

/// Every motor at 700 ‰, forever.
struct Steady: TickSource {
    mutating func levels(atMicroseconds microseconds: UInt64, into levels: inout OutputLevels) -> TickResult {
        for i in 0..<levels.intensities.count { levels.intensities[i] = 700 }
        return .running
    }
}
