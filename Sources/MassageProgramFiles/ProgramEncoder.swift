import MassageKit

/// A ``Program`` as a ``DocumentNode`` in the file schema, with every parameter written
/// out (defaults too), so the text reads back as exactly the same program.
enum ProgramEncoder {
    static func document(_ program: Program) -> DocumentNode {
        var pairs: [(String, DocumentNode)] = [("name", .string(program.name)), ("title", .string(program.title))]
        if !program.technique.isEmpty { pairs.append(("technique", .string(program.technique))) }
        if !program.description.isEmpty { pairs.append(("description", .string(program.description))) }
        pairs.append(("steps", DocumentNode(.list(program.steps.map(step)))))
        return .map(pairs)
    }

    static func step(_ step: ProgramStep) -> DocumentNode {
        var pairs: [(String, DocumentNode)] = [
            ("name", .string(step.name)),
            ("duration", seconds(step.duration)),
            ("intensity", level(step.intensity)),
        ]
        if let heat = step.heat { pairs.append(("heat", .number(heat))) }
        pairs.append(("pattern", pattern(step.pattern)))
        return .map(pairs)
    }

    static func seconds(_ value: Double) -> DocumentNode { .string(ProgramQuantities.text(seconds: value)) }
    static func level(_ value: Double) -> DocumentNode { .string(ProgramQuantities.text(level: value)) }
    static func flag(_ value: Bool) -> DocumentNode {
        DocumentNode(.scalar(.init(text: value ? "true" : "false", kind: .bool(value))))
    }

    static func pattern(_ pattern: Pattern) -> DocumentNode {
        func kind(_ name: String, _ parameters: [(String, DocumentNode)]) -> DocumentNode {
            .map([(name, .map(parameters))])
        }
        switch pattern {
        case .constant(let p):
            return kind("constant", [("level", level(p.level))])
        case .ramp(let p):
            return kind("ramp", [("from", level(p.from)), ("to", level(p.to)), ("duration", seconds(p.duration))])
        case .pulse(let p):
            return kind("pulse", [("period", seconds(p.period)), ("duty", .number(p.duty)), ("attack", seconds(p.attack)),
                                  ("release", seconds(p.release)), ("low", level(p.low)), ("high", level(p.high))])
        case .circular(let p):
            return kind("circular", [("period", seconds(p.period)), ("width", .number(p.width)),
                                     ("direction", .string(p.direction == .clockwise ? "clockwise" : "counterclockwise")),
                                     ("low", level(p.low)), ("high", level(p.high))])
        case .wave(let p):
            return kind("wave", [("period", seconds(p.period)), ("width", .number(p.width)),
                                 ("direction", .string(p.direction == .forward ? "forward" : "backward")),
                                 ("axis", .number(p.axis)), ("low", level(p.low)), ("high", level(p.high))])
        case .knead(let p):
            var parameters: [(String, DocumentNode)] = [("period", seconds(p.period))]
            switch p.grouping {
            case .alternating: parameters.append(("grouping", .string("alternating")))
            case .halves(let axis): parameters += [("grouping", .string("halves")), ("axis", .number(axis))]
            }
            return kind("knead", parameters + [("low", level(p.low)), ("high", level(p.high))])
        case .tap(let p):
            return kind("tap", [("period", seconds(p.period)), ("burst", seconds(p.burst)), ("alternating", flag(p.alternating)),
                                ("low", level(p.low)), ("high", level(p.high))])
        case .hold(let p):
            let target: (String, DocumentNode) = switch p.target {
            case .actuator(let index): ("actuator", .number(Double(index)))
            case .towards(let angle): ("towards", .number(angle))
            }
            return kind("hold", [target, ("level", level(p.level)), ("build", seconds(p.build)), ("surround", level(p.surround))])
        case .rock(let p):
            return kind("rock", [("period", seconds(p.period)), ("width", .number(p.width)), ("axis", .number(p.axis)),
                                 ("low", level(p.low)), ("high", level(p.high))])
        case .envelope(let p):
            return kind("envelope", [("attack", seconds(p.attack)), ("decay", seconds(p.decay)), ("sustain", level(p.sustain)),
                                     ("release", seconds(p.release)), ("length", seconds(p.length)), ("pattern", self.pattern(p.pattern))])
        case .scale(let p):
            return kind("scale", [("factor", level(p.factor)), ("pattern", self.pattern(p.pattern))])
        case .sequence(let p):
            let steps = p.steps.map { DocumentNode.map([("pattern", self.pattern($0.pattern)), ("duration", seconds($0.duration))]) }
            return kind("sequence", [("steps", DocumentNode(.list(steps))), ("repeats", flag(p.repeats))])
        case .crossfade(let p):
            return kind("crossfade", [("from", self.pattern(p.from)), ("to", self.pattern(p.to)),
                                      ("start", seconds(p.start)), ("duration", seconds(p.duration))])
        case .mix(let p):
            return kind("mix", [("patterns", DocumentNode(.list(p.patterns.map { self.pattern($0) }))),
                                ("mode", .string(p.mode == .max ? "max" : "sum"))])
        }
    }
}
