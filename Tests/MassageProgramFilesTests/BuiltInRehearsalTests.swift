import MassageKit
import MassageProgramFiles
import MassageSimulator
import Testing

/// Every built-in program played end to end on the simulated handheld on the virtual
/// clock: scheduler, governor, session, firmware. `massage-bench rehearsal` times it.
@Suite(.serialized) struct BuiltInRehearsalTests {   // one CPU-bound rehearsal at a time, leaving a core to the rest
    static let names: [String] = (try? BuiltInPrograms.all().map(\.name)) ?? []

    @Test func theLibraryHasTheSeedsTechniques() throws {
        let programs = try BuiltInPrograms.all()
        #expect(programs.count >= 8)
        #expect(programs.allSatisfy { !$0.description.isEmpty && !$0.technique.isEmpty })
        #expect(programs.contains { $0.duration >= 19 * 60 }, "one program of about 20 minutes")
        #expect(programs.contains { $0.heats && $0.steps.allSatisfy { $0.pattern == .off } }, "a heat-only warm-up")
    }

    @Test(arguments: names)
    func runsToItsEndOnTheSimulator(name: String) throws {
        let program = try #require(try BuiltInPrograms.named(name))
        var settings = PlaybackSettings()
        settings.doseStopPoints = 400
        settings.maxSessionMicroseconds = SafetyLimits.longestSessionMicroseconds
        let result = try Rehearsal(program: program, settings: settings).run()
        #expect(result.outcome == .finished, "\(name): \(result.outcome)")
        #expect(abs(result.seconds - program.duration) < 0.05, "\(name) ran \(result.seconds) s of \(program.duration)")
        #expect(result.maxSurfaceTemperature < 41.0, "\(name): surface peaked at \(result.maxSurfaceTemperature) °C")
        #expect(result.faults.isEmpty, "\(name): device faults \(result.faults.rawValue)")
        #expect(result.outputsAfterEnd.isAllOff, "\(name): outputs still on after the end")
        if program.steps.contains(where: { $0.pattern != .off }) {
            #expect(result.maxMotorDuty > 0, "\(name): the motors never ran")
        }
        if program.heats {
            #expect(result.maxSurfaceTemperature > 33, "\(name): heats but the surface stayed at \(result.maxSurfaceTemperature) °C")
        }
    }
}
