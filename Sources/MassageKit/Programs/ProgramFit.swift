/// Whether a program can be played as written on a device: checked once the device has
/// said what it is (its Info), before anything moves.
///
/// A program file is valid on its own (`validate`), but some things only a device
/// decides: a hold on actuator 15 means nothing on a 4-motor handheld (``Hold`` would wrap
/// it round to motor 3, pressing where the author never meant), and a vibration program
/// on a mat with no motors would "play" for twenty minutes doing nothing.
public enum ProgramFit {
    /// Why `program` does not fit a device: one line per problem, each naming the step.
    public struct Mismatch: Error, Sendable, Equatable, CustomStringConvertible {
        public var program: String
        public var device: String
        public var problems: [String]

        public var description: String {
            "\(program) cannot be played on \(device):\n" + problems.map { "  " + $0 }.joined(separator: "\n")
        }
    }

    /// The problems of playing `program` on a device with `actuatorCount` motors and a
    /// heater or not; empty when it fits.
    public static func problems(_ program: Program, actuatorCount: Int, hasHeater: Bool) -> [String] {
        var problems: [String] = []
        let vibrates = program.steps.contains { $0.pattern != .off && $0.intensity > 0 }
        if actuatorCount == 0 {
            if vibrates {
                problems.append(hasHeater && program.heats
                    ? "the device has no motors, and the program vibrates; choose a device with motors"
                    : "the device has no motors, and the program vibrates; choose a device with motors (a mat is read with massagectl mat)")
            } else if !program.heats || !hasHeater {
                problems.append("nothing to play: the device has no motors\(hasHeater ? "" : " and no heater")")
            }
            return problems
        }
        for (index, step) in program.steps.enumerated() {
            for actuator in holdActuators(step.pattern).sorted() where actuator >= actuatorCount {
                problems.append("steps[\(index)] (\(step.name)): a hold presses actuator \(actuator), "
                    + "but the device has \(actuatorCount) motor\(actuatorCount == 1 ? "" : "s") (0–\(actuatorCount - 1))")
            }
        }
        return problems
    }

    /// Throws a ``Mismatch`` when `program` does not fit the device `capabilities` describe.
    public static func check(_ program: Program, on capabilities: DeviceCapabilities) throws(Mismatch) {
        let found = problems(program, actuatorCount: capabilities.actuatorCount, hasHeater: capabilities.hasHeater)
        guard found.isEmpty else {
            throw Mismatch(program: program.name, device: "\(capabilities.vendor) \(capabilities.model)", problems: found)
        }
    }

    /// The actuator indices every hold in `pattern` names (holds `towards` an angle fit
    /// any device).
    static func holdActuators(_ pattern: Pattern) -> Set<Int> {
        switch pattern {
        case .hold(let hold):
            if case .actuator(let index) = hold.target { return [index] }
            return []
        case .constant, .ramp, .pulse, .circular, .wave, .knead, .tap, .rock:
            return []
        case .envelope(let e): return holdActuators(e.pattern)
        case .scale(let s): return holdActuators(s.pattern)
        case .sequence(let s): return s.steps.reduce(into: []) { $0.formUnion(holdActuators($1.pattern)) }
        case .crossfade(let c): return holdActuators(c.from).union(holdActuators(c.to))
        case .mix(let m): return m.patterns.reduce(into: []) { $0.formUnion(holdActuators($1)) }
        }
    }
}
