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
        let played = try VirtualRun.play(faults: faults)
        let arrival = try #require(played.faultFrameAt, "no Fault frame came (outcome \(String(describing: played.outcome)))")
        let reported = try #require(played.firstReportAt)
        let end = try #require(played.endedAt)
        guard case .safetyStop(.deviceFault(let set))? = played.outcome else {
            Issue.record("expected a stop for the device fault, got \(String(describing: played.outcome))")
            return
        }
        #expect(set.contains(.motorStall), "stopped for \(set), not the stall")
        print("Fault frame at \(arrival) µs (first report \(reported) µs); the run ended at \(end) µs")
        #expect(end >= reported && end - reported <= played.period,
                "the run ended \(Int64(end) - Int64(reported)) µs after the fault reached it (one tick is \(played.period) µs)")
        #expect(end <= arrival + played.period)
    }

    /// A device that reports a 100.0 °C surface and latches nothing (a lying firmware):
    /// the host's own check stops the run within one Status period of the first such
    /// report, naming the temperature and the cap.
    @Test func aDeviceReportingTooHotASurfaceIsStoppedByTheHost() throws {
        var faults = FaultPlan()
        faults.reportedTemperature = 1000
        let played = try VirtualRun.play(faults: faults, heatCheck: true)
        let end = try #require(played.endedAt)
        let hot = try #require(played.firstHotStatusAt, "no Status above the cap came")
        guard case .safetyStop(.overTemperature(let reported, let cap))? = played.outcome else {
            Issue.record("expected the host's over-temperature stop, got \(String(describing: played.outcome))")
            return
        }
        #expect(reported == 1000 && cap == 410, "reported \(reported), cap \(cap)")
        let text = SafetyStopReason.overTemperature(reported: reported, cap: cap).description
        #expect(text.contains("100.0 °C") && text.contains("41.0 °C"), "\(text)")
        let statusPeriod = UInt64(played.capabilities.device.statusPeriodMilliseconds) * 1000
        print("first Status at 100.0 °C at \(hot) µs; the run ended at \(end) µs (Status period \(statusPeriod) µs)")
        #expect(end >= hot && end - hot <= statusPeriod, "stopped \(Int64(end) - Int64(hot)) µs after the report")
    }

    /// Without the check (a run that is given no heat check), the same lying device plays
    /// on: the test above fails when the check is missing.
    @Test func withoutTheCheckTheLyingDevicePlaysOn() throws {
        var faults = FaultPlan()
        faults.reportedTemperature = 1000
        let played = try VirtualRun.play(faults: faults, heatCheck: false, until: 3_000_000)
        #expect(played.outcome == nil, "\(String(describing: played.outcome))")
        #expect(played.firstHotStatusAt != nil)
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

/// A steady program played on the virtual clock: the scheduler's tick logic on a manual
/// clock, the session engine and a simulated device stepped 1 ms at a time, every session
/// event handed to ``ProgramRun/forward(_:to:heat:)``.
enum VirtualRun {
    struct Played {
        var capabilities: DeviceCapabilities
        var outcome: SchedulerOutcome?
        var endedAt: UInt64?
        /// Virtual µs the first Fault frame was decoded.
        var faultFrameAt: UInt64?
        /// The first fault report of any kind (a Status may carry it first).
        var firstReportAt: UInt64?
        /// The first Status whose surface is above the heat check's threshold.
        var firstHotStatusAt: UInt64?
        /// One scheduler tick, µs.
        var period: UInt64
    }

    static func play(faults: FaultPlan, heatCheck: Bool = false, until limit: UInt64 = 10_000_000) throws -> Played {
        var session = LockstepSession(device: SimulatedDevice(profile: .handheldRing4, seed: 1, faults: faults))
        let capabilities = try session.connect().get()
        var settings = PlaybackSettings()
        settings.rateHertz = 100
        let limits = try settings.limits(for: capabilities)
        let heat = heatCheck ? ProgramRun.HeatCheck(heaterCap: limits.heaterCap) : nil
        let control = try SchedulerControl()
        let mailbox = OutputMailbox()
        var core = SchedulerCore(
            configuration: try SchedulerConfiguration(rateHertz: settings.rateHertz, actuatorCount: capabilities.actuatorCount),
            source: ProgramPlayer(program: try steadyProgram(), geometry: try PlaybackSettings.geometry(for: capabilities)),
            sink: mailbox, governor: SafetyGovernor(limits: limits), control: control)
        var played = Played(capabilities: capabilities, period: 1_000_000 / UInt64(settings.rateHertz))
        let threshold = ProgramRun.HeatCheck(heaterCap: limits.heaterCap)?.threshold ?? .max
        while session.now < limit, played.outcome == nil {
            let step = core.tick(now: session.now * 1000)
            if let levels = mailbox.take() { try? session.setOutputs(levels) }
            switch step {
            case .ended(let ended):
                played.outcome = ended
                played.endedAt = session.now
            case .sleep(let deadline):
                while session.now * 1000 < deadline {
                    session.step()
                    for event in session.takeEvents() {
                        let forwarded: DeviceSession.Event?
                        switch event {
                        case .fault(let report):
                            if played.faultFrameAt == nil { played.faultFrameAt = session.now }
                            forwarded = .fault(report)
                        case .status(let status):
                            if played.firstHotStatusAt == nil, status.temperature != Status.noTemperature,
                               status.temperature > threshold { played.firstHotStatusAt = session.now }
                            forwarded = .status(status)
                        case .ended(let error): forwarded = .connection(.ended(error))
                        default: forwarded = nil
                        }
                        guard let forwarded else { continue }
                        ProgramRun.forward(forwarded, to: control, heat: heat)
                        if played.firstReportAt == nil, case .fault = forwarded { played.firstReportAt = session.now }
                        if played.firstReportAt == nil, case .status(let status) = forwarded, !status.faults.isEmpty {
                            played.firstReportAt = session.now
                        }
                    }
                }
            }
        }
        return played
    }
}

/// Every motor at 700 ‰, forever.
struct Steady: TickSource {
    mutating func levels(atMicroseconds microseconds: UInt64, into levels: inout OutputLevels) -> TickResult {
        for i in 0..<levels.intensities.count { levels.intensities[i] = 700 }
        return .running
    }
}
