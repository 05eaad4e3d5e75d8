import MassageFirmware
import MassageKit
import MassageSimulator
import MassageWire
import Testing

/// Programs end to end on the simulated device on the virtual clock.
@Suite struct RehearsalTests {
    /// 20 minutes: circles with heat, pulses, kneading, a hold, a cool-down.
    static func twentyMinutes() throws -> Program {
        Program(name: "twenty", title: "Twenty minutes", technique: "test", description: "every kind of step", steps: [
            ProgramStep(name: "circles", duration: 300, pattern: .circular(try Circular(period: 4, width: 180)), intensity: 0.7, heat: 39),
            ProgramStep(name: "pulses", duration: 300, pattern: .pulse(try Pulse(period: 2, duty: 0.5, attack: 0.2, release: 0.2)), intensity: 0.6, heat: 39),
            ProgramStep(name: "kneading", duration: 300, pattern: .knead(try Knead(period: 3)), intensity: 0.5, heat: 38),
            ProgramStep(name: "hold", duration: 240, pattern: .hold(try Hold(target: .actuator(1), level: 0.8, build: 10)), intensity: 1),
            ProgramStep(name: "rest", duration: 60, pattern: .off),
        ])
    }

    @Test func aTwentyMinuteProgramRunsToItsEndInsideEveryLimit() throws {
        var settings = PlaybackSettings()
        settings.doseStopPoints = 400
        let result = try Rehearsal(program: try Self.twentyMinutes(), settings: settings).run()
        #expect(result.outcome == .finished)
        #expect(abs(result.seconds - 1200) < 0.02, "ran \(result.seconds) s")
        #expect(result.maxSurfaceTemperature < 41.0, "surface peaked at \(result.maxSurfaceTemperature) °C")
        #expect(result.maxSurfaceTemperature > 36.0, "the heat steps warmed the surface: \(result.maxSurfaceTemperature) °C")
        #expect(result.maxMotorDuty >= 600, "the motors ran: peak \(result.maxMotorDuty) ‰")
        #expect(result.outputsAfterEnd.isAllOff)
        #expect(result.faults.isEmpty, "faults \(result.faults.rawValue)")
        #expect(result.dosePoints > 1 && result.dosePoints < 100, "dose \(result.dosePoints)")
        #expect(result.sessionError == nil)
    }

    @Test func theDoseStopEndsAProgramEarly() throws {
        var settings = PlaybackSettings()
        settings.doseStopPoints = 1
        let result = try Rehearsal(program: try Self.twentyMinutes(), settings: settings).run()
        #expect(result.outcome == .safetyStop(.doseLimit(points: 1)) || "\(result.outcome)".contains("dose"))
        #expect(result.seconds < 300)
        #expect(result.outputsAfterEnd.isAllOff)
    }

    @Test func aLostLinkStopsTheProgram() throws {
        var faults = FaultPlan()
        faults.disconnectAt = 30_000_000
        let result = try Rehearsal(program: try Self.twentyMinutes(), faults: faults).run()
        #expect("\(result.outcome)".contains("link"), "\(result.outcome)")
        #expect(result.seconds < 32.5, "stopped at \(result.seconds) s, link cut at 30 s")
        #expect(result.outputsAfterEnd.isAllOff, "the device's watchdog stopped the motors")
    }
}
