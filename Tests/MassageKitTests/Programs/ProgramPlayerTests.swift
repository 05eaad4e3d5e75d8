import MassageKit
import MassageWire
import Testing

@Suite struct ProgramPlayerTests {
    static func program() throws -> Program {
        Program(name: "test", title: "Test", technique: "none", description: "steps of constants", steps: [
            ProgramStep(name: "half", duration: 10, pattern: .constant(try Constant(level: 0.5)), intensity: 1, heat: 38),
            ProgramStep(name: "full at 60 %", duration: 5, pattern: .constant(try Constant(level: 1)), intensity: 0.6),
            ProgramStep(name: "off", duration: 2, pattern: .off, heat: 40.5),
        ])
    }

    static func levels(_ player: inout ProgramPlayer, at seconds: Double) -> (OutputLevels, TickResult) {
        var levels = OutputLevels.off(actuatorCount: 4)
        let result = player.levels(atMicroseconds: UInt64(seconds * 1_000_000), into: &levels)
        return (levels, result)
    }

    @Test func playsEachStepWithItsIntensityAndHeat() throws {
        var player = ProgramPlayer(program: try Self.program(), geometry: try .ring(count: 4), transition: 1)
        let (a, _) = Self.levels(&player, at: 3)
        #expect(a.intensities.map { $0 } == [500, 500, 500, 500])
        #expect(a.heaterSetpoint == 380)
        // 0.5 s into step 2: halfway through the 1 s blend from 500 to 600.
        let (b, _) = Self.levels(&player, at: 10.5)
        #expect(b.intensities.map { $0 } == [550, 550, 550, 550])
        #expect(b.heaterSetpoint == 0, "step 2 does not heat")
        let (c, _) = Self.levels(&player, at: 12)
        #expect(c.intensities.map { $0 } == [600, 600, 600, 600])
        let (d, _) = Self.levels(&player, at: 16)
        #expect(d.intensities.map { $0 } == [0, 0, 0, 0])
        #expect(d.heaterSetpoint == 405)
        let (_, end) = Self.levels(&player, at: 17)
        #expect(end == .finished)
        #expect(try Self.program().duration == 17)
    }

    @Test func heatCanBeOverriddenOrSwitchedOff() throws {
        var fixed = ProgramPlayer(program: try Self.program(), geometry: try .ring(count: 4), heat: .celsius(37.5))
        #expect(Self.levels(&fixed, at: 12).0.heaterSetpoint == 375)
        var off = ProgramPlayer(program: try Self.program(), geometry: try .ring(count: 4), heat: .off)
        #expect(Self.levels(&off, at: 3).0.heaterSetpoint == 0)
        var hot = ProgramPlayer(program: try Self.program(), geometry: try .ring(count: 4), heat: .celsius(60))
        #expect(Self.levels(&hot, at: 3).0.heaterSetpoint == 430, "never above 43 °C before the governor even sees it")
    }

    @Test func findsTheStepWhenTimeJumps() throws {
        var player = ProgramPlayer(program: try Self.program(), geometry: try .ring(count: 4), transition: 0)
        #expect(Self.levels(&player, at: 16).0.heaterSetpoint == 405)
        #expect(player.step(at: 0) == 0 && player.step(at: 9.999) == 0 && player.step(at: 10) == 1 && player.step(at: 17) == nil)
        #expect(Self.levels(&player, at: 1).0.intensities.first == 500, "a restart from an earlier time finds its step")
    }
}
