import Foundation
@testable import MassageKit
import MassageWire
import Testing

/// Every actuator's level (0 … 1) of `pattern` at `t` on `geometry`, as an array.
func levels(_ pattern: Pattern, at t: Double, on geometry: ActuatorGeometry) -> [Double] {
    var out = ActuatorLevels()
    pattern.evaluate(at: t, on: geometry, into: &out)
    return (0 ..< out.count).map { out[$0] }
}

/// Every actuator's intensity in per mille.
func perMille(_ pattern: Pattern, at t: Double, on geometry: ActuatorGeometry) -> [UInt16] {
    var intensities = Intensities()
    pattern.evaluate(at: t, on: geometry, into: &intensities)
    return Array(intensities)
}

/// Whether two level lists agree to within `tolerance` (floating-point rounding in the
/// phase arithmetic, not slack in the expected values).
func close(_ a: [Double], _ b: [Double], tolerance: Double = 1e-9) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}

/// The index of the largest value (the first on a tie).
func argmax(_ values: [Double]) -> Int {
    var best = 0
    for i in values.indices where values[i] > values[best] { best = i }
    return best
}

enum Geometries {
    static let ring4 = try! ActuatorGeometry.ring(count: 4)
    static let ring8 = try! ActuatorGeometry.ring(count: 8)
    static let line3 = try! ActuatorGeometry.line(count: 3)
    static let line4 = try! ActuatorGeometry.line(count: 4)
    static let line5 = try! ActuatorGeometry.line(count: 5)
    static let single = ActuatorGeometry.single
    static let all = [ring4, ring8, line3, line5, single]
}

/// Builds a random but valid pattern tree from a list of numbers in 0 ..< 1: each
/// parameter takes the next number, mapped into its allowed range, so a property test's
/// random input covers every kind of pattern and the whole of every range.
struct RandomPatternBuilder {
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

    mutating func level() -> Double { value(in: PatternLimits.level) }

    mutating func pick(_ count: Int) -> Int { min(count - 1, Int(unit() * Double(count))) }

    mutating func pattern(depth: Int = 0) throws -> Pattern {
        let kinds = depth < 3 ? 14 : 9
        switch pick(kinds) {
        case 0:
            return .constant(try Constant(level: level()))
        case 1:
            return .ramp(try Ramp(from: level(), to: level(), duration: value(in: PatternLimits.transition)))
        case 2:
            let period = value(in: PatternLimits.pulsePeriod)
            let duty = value(in: PatternLimits.pulseDuty)
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
        case 10:
            return .scale(try Scale(level(), of: pattern(depth: depth + 1)))
        case 11:
            var steps: [SequenceStep] = []
            for _ in 0 ... pick(4) {
                steps.append(try SequenceStep(pattern(depth: depth + 1), for: value(in: 0.01 ... 100)))
            }
            return .sequence(try PatternSequence(steps, repeats: unit() < 0.5))
        case 12:
            return .crossfade(try Crossfade(from: pattern(depth: depth + 1), to: pattern(depth: depth + 1),
                                            start: value(in: 0 ... 100), duration: value(in: PatternLimits.transition)))
        default:
            var parts: [Pattern] = []
            for _ in 0 ... pick(4) { parts.append(try pattern(depth: depth + 1)) }
            return .mix(try Mix(parts, mode: unit() < 0.5 ? .max : .sum))
        }
    }
}
