import MassageKit

/// Turns a list of random numbers in 0 ..< 1 into a valid program, every parameter
/// anywhere inside its allowed range (so written values are arbitrary doubles, not round
/// figures), for round-trip properties.
struct RandomProgram {
    var numbers: [Double]
    var next = 0

    init(_ numbers: [Double]) { self.numbers = numbers.isEmpty ? [0.5] : numbers }

    mutating func unit() -> Double {
        defer { next += 1 }
        return numbers[next % numbers.count]
    }

    mutating func value(in range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * unit()
    }

    /// The last `low` drawn, so that `high` is drawn at or above it: patterns refuse an
    /// upside-down range.
    var lastLow = 0.0

    mutating func lowLevel() -> Double {
        lastLow = level()
        return lastLow
    }

    mutating func highLevel() -> Double { max(lastLow, level()) }

    mutating func level() -> Double {
        // Half of them round percentages, half arbitrary fractions: both spellings.
        unit() < 0.5 ? (unit() * 100).rounded() / 100 : unit()
    }

    mutating func pick(_ count: Int) -> Int { min(count - 1, Int(unit() * Double(count))) }

    mutating func program() throws -> Program {
        var steps: [ProgramStep] = []
        for i in 0 ... pick(6) {
            let duration = unit() < 0.5 ? (value(in: 1 ... 900)).rounded() : value(in: 0.1 ... 900)
            let heat: Double? = unit() < 0.5 ? nil : value(in: 30 ... 43)
            steps.append(ProgramStep(name: "step \(i)", duration: duration, pattern: try pattern(depth: 0),
                                     intensity: level(), heat: heat))
        }
        return Program(name: "random-\(pick(1000))", title: "Random \"quoted\" title: \\ #\(pick(10))",
                       technique: unit() < 0.5 ? "" : "a technique: yes", description: unit() < 0.5 ? "" : "line one\nline two, off",
                       steps: steps)
    }

    mutating func pattern(depth: Int) throws -> Pattern {
        switch pick(depth < 2 ? 14 : 9) {
        case 0: return .constant(try Constant(level: level()))
        case 1: return .ramp(try Ramp(from: level(), to: level(), duration: value(in: PatternLimits.transition)))
        case 2:
            let period = value(in: PatternLimits.pulsePeriod), duty = value(in: PatternLimits.pulseDuty)
            let onTime = period * duty
            return .pulse(try Pulse(period: period, duty: duty, attack: unit() * onTime / 2, release: unit() * onTime / 2,
                                    low: lowLevel(), high: highLevel()))
        case 3:
            return .circular(try Circular(period: value(in: PatternLimits.circularPeriod), width: value(in: PatternLimits.circularWidth),
                                          direction: unit() < 0.5 ? .clockwise : .counterclockwise, low: lowLevel(), high: highLevel()))
        case 4:
            return .wave(try Wave(period: value(in: PatternLimits.wavePeriod), width: value(in: PatternLimits.waveWidth),
                                  direction: unit() < 0.5 ? .forward : .backward, axis: value(in: PatternLimits.angle),
                                  low: lowLevel(), high: highLevel()))
        case 5:
            let grouping: KneadGrouping = unit() < 0.5 ? .alternating : .halves(axis: value(in: PatternLimits.angle))
            return .knead(try Knead(period: value(in: PatternLimits.kneadPeriod), grouping: grouping, low: lowLevel(), high: highLevel()))
        case 6:
            let period = value(in: PatternLimits.tapPeriod)
            let burst = 0.02 + unit() * (min(1, period / 2) - 0.02)
            return .tap(try Tap(period: period, burst: burst, alternating: unit() < 0.5, low: lowLevel(), high: highLevel()))
        case 7:
            let target: HoldTarget = unit() < 0.5 ? .actuator(pick(16)) : .towards(value(in: PatternLimits.angle))
            return .hold(try Hold(target: target, level: level(), build: value(in: PatternLimits.holdBuild), surround: level()))
        case 8:
            return .rock(try Rock(period: value(in: PatternLimits.rockPeriod), width: value(in: PatternLimits.rockWidth),
                                  axis: value(in: PatternLimits.angle), low: lowLevel(), high: highLevel()))
        case 9:
            let length = value(in: PatternLimits.stepDuration)
            return .envelope(try Envelope(attack: value(in: PatternLimits.envelopeSegment), decay: value(in: PatternLimits.envelopeSegment),
                                          sustain: level(), release: unit() * min(600, length), length: length,
                                          of: pattern(depth: depth + 1)))
        case 10: return .scale(try Scale(level(), of: pattern(depth: depth + 1)))
        case 11:
            var steps: [SequenceStep] = []
            for _ in 0 ... pick(3) { steps.append(try SequenceStep(pattern(depth: depth + 1), for: value(in: 0.01 ... 100))) }
            return .sequence(try PatternSequence(steps, repeats: unit() < 0.5))
        case 12:
            return .crossfade(try Crossfade(from: pattern(depth: depth + 1), to: pattern(depth: depth + 1),
                                            start: value(in: 0 ... 100), duration: value(in: PatternLimits.transition)))
        default:
            var parts: [Pattern] = []
            for _ in 0 ... pick(3) { parts.append(try pattern(depth: depth + 1)) }
            return .mix(try Mix(parts, mode: unit() < 0.5 ? .max : .sum))
        }
    }
}
