import MassageKit
import Testing

@Suite("ProgramFit: a program against the device it is about to play on")
struct ProgramFitTests {
    static func program(_ pattern: Pattern, heat: Double? = nil) -> Program {
        Program(name: "p", title: "P", technique: "t", description: "d",
                steps: [ProgramStep(name: "press", duration: 60, pattern: pattern, heat: heat)])
    }

    @Test("a hold on actuator 15 does not fit 4 motors; on 16 it does; a hold towards an angle fits any")
    func holdIndex() throws {
        let far = Self.program(.hold(try Hold(target: .actuator(15), level: 0.5)))
        #expect(ProgramFit.problems(far, actuatorCount: 4, hasHeater: true)
            == ["steps[0] (press): a hold presses actuator 15, but the device has 4 motors (0–3)"])
        #expect(ProgramFit.problems(far, actuatorCount: 16, hasHeater: true).isEmpty)
        let towards = Self.program(.hold(try Hold(target: .towards(90), level: 0.5)))
        #expect(ProgramFit.problems(towards, actuatorCount: 1, hasHeater: false).isEmpty)
    }

    @Test("a hold deep inside combinators is found")
    func nestedHold() throws {
        let hold = Pattern.hold(try Hold(target: .actuator(5), level: 1))
        let nested = Pattern.mix(try Mix([.scale(try Scale(0.5, of: .envelope(try Envelope(attack: 1, release: 1, length: 10, of: hold)))),
                                          .off], mode: .max))
        #expect(ProgramFit.problems(Self.program(nested), actuatorCount: 4, hasHeater: false).count == 1)
    }

    @Test("a vibration program on a device with no motors is refused; heat alone on a heater is not")
    func noMotors() throws {
        let circles = Self.program(.circular(try Circular(period: 1)))
        #expect(ProgramFit.problems(circles, actuatorCount: 0, hasHeater: false).first?.contains("has no motors") == true)
        #expect(ProgramFit.problems(Self.program(.off, heat: 39), actuatorCount: 0, hasHeater: true).isEmpty)
        #expect(ProgramFit.problems(Self.program(.off, heat: 39), actuatorCount: 0, hasHeater: false)
            == ["nothing to play: the device has no motors and no heater"])
    }
}
