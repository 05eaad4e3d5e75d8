@testable import MassageKit
import MassageWire
import PropertyBased
import Testing

/// Properties over random parameters and times.
@Suite struct PatternPropertyTests {
    /// Random numbers that `RandomPatternBuilder` turns into a valid pattern tree.
    static let recipe = Gen.double(in: 0 ..< 1).array(of: 1 ... 80)
    static let times = Gen.double(in: 0 ... 20_000).array(of: 1 ... 20)

    @Test func everyOutputStaysWithin0To1000() async {
        await propertyCheck(count: 400, input: Self.recipe, Self.times) { recipe, times in
            var builder = RandomPatternBuilder(recipe)
            let pattern: Pattern
            do { pattern = try builder.pattern() } catch {
                Issue.record("a recipe inside every range was refused: \(error)")
                return
            }
            for geometry in Geometries.all {
                for t in times + [0, 0.001, 1e9] {
                    var fractions = ActuatorLevels()
                    pattern.evaluate(at: t, on: geometry, into: &fractions)
                    #expect(fractions.count == geometry.count)
                    for i in 0 ..< fractions.count {
                        // Fractions may be off by rounding (low + (high − low) × 1), never more.
                        #expect(fractions[i] >= -1e-12 && fractions[i] <= 1 + 1e-12, "\(pattern) at \(t): \(fractions[i])")
                    }
                    let intensities = perMille(pattern, at: t, on: geometry)
                    #expect(intensities.count == geometry.count)
                    #expect(intensities.allSatisfy { $0 <= 1000 }, "\(pattern) at \(t): \(intensities)")
                }
            }
        }
    }

    @Test func primitivesStayBetweenTheirLowAndHigh() async {
        // Any primitive's level lies between the two levels it was given.
        await propertyCheck(count: 300, input: Self.recipe, Gen.double(in: 0 ... 5000)) { recipe, t in
            var builder = RandomPatternBuilder(recipe)
            guard let pattern = try? builder.pattern(depth: 3) else {
                Issue.record("a recipe inside every range was refused")
                return
            }
            let bounds: (Double, Double)
            switch pattern {
            case .constant(let p): bounds = (p.level, p.level)
            case .ramp(let p): bounds = (min(p.from, p.to), max(p.from, p.to))
            case .pulse(let p): bounds = (min(p.low, p.high), max(p.low, p.high))
            case .circular(let p): bounds = (min(p.low, p.high), max(p.low, p.high))
            case .wave(let p): bounds = (min(p.low, p.high), max(p.low, p.high))
            case .knead(let p): bounds = (min(p.low, p.high), max(p.low, p.high))
            case .tap(let p): bounds = (min(p.low, p.high), max(p.low, p.high))
            case .hold(let p): bounds = (min(0, p.surround), max(p.level, p.surround))
            case .rock(let p): bounds = (min(p.low, p.high), max(p.low, p.high))
            default:
                Issue.record("depth 3 built a combinator: \(pattern)")
                return
            }
            for geometry in Geometries.all {
                for level in levels(pattern, at: t, on: geometry) {
                    #expect(level >= bounds.0 - 1e-12 && level <= bounds.1 + 1e-12, "\(pattern) at \(t): \(level)")
                }
            }
        }
    }

    @Test func sequenceLastsTheSumOfItsSteps() async {
        let durations = Gen.double(in: PatternLimits.stepDuration).array(of: PatternLimits.sequenceSteps)
        await propertyCheck(count: 200, input: durations, Gen.double(in: 0 ... 1)) { durations, where_ in
            // Step k holds level (k + 1) / 1000 so the step playing can be read off.
            var steps: [SequenceStep] = []
            var sum = 0.0
            for (k, d) in durations.enumerated() {
                steps.append(try! SequenceStep(.constant(try! Constant(level: Double(k + 1) / 1000)), for: d))
                sum += d
            }
            guard let sequence = try? PatternSequence(steps) else {
                Issue.record("\(durations.count) valid steps were refused")
                return
            }
            #expect(sequence.duration == sum)
            let pattern = Pattern.sequence(sequence)
            #expect(pattern.duration == sum)
            // Inside the last step it plays the last step; at and after the sum it is silent.
            let last = durations[durations.count - 1]
            let inLast = sum - last * (0.01 + 0.98 * where_)
            #expect(perMille(pattern, at: inLast, on: Geometries.single) == [UInt16(durations.count)])
            #expect(perMille(pattern, at: sum, on: Geometries.single) == [0])
            #expect(perMille(pattern, at: sum * 1.5 + 1, on: Geometries.single) == [0])
            // Looping, it starts again from the first step.
            let looping = Pattern.sequence(try! PatternSequence(steps, repeats: true))
            let first = durations[0]
            #expect(perMille(looping, at: sum + first * (0.01 + 0.98 * where_), on: Geometries.single) == [1])
        }
    }

    @Test func crossfadeEndsAreItsTwoPatterns() async {
        await propertyCheck(count: 300, input: Self.recipe, Self.recipe, Gen.double(in: 0 ... 1), Gen.double(in: 0 ... 1)) {
            fromRecipe, toRecipe, a, b in
            var fromBuilder = RandomPatternBuilder(fromRecipe), toBuilder = RandomPatternBuilder(toRecipe)
            guard let from = try? fromBuilder.pattern(depth: 1), let to = try? toBuilder.pattern(depth: 1) else {
                Issue.record("a recipe inside every range was refused")
                return
            }
            let start = 100 * a
            let duration = PatternLimits.transition.lowerBound + 50 * b
            let fade = Pattern.crossfade(try! Crossfade(from: from, to: to, start: start, duration: duration))
            for geometry in Geometries.all {
                // At and before the start: exactly `from`; at and after the end: exactly `to`.
                for t in [0, start * a, start] {
                    #expect(levels(fade, at: t, on: geometry) == levels(from, at: t, on: geometry))
                }
                for t in [start + duration, start + duration + 1000 * b] {
                    #expect(levels(fade, at: t, on: geometry) == levels(to, at: t, on: geometry))
                }
                // In between: between the two, actuator by actuator.
                let middle = start + duration * (0.001 + 0.998 * b)
                let f = levels(from, at: middle, on: geometry), g = levels(to, at: middle, on: geometry)
                for (i, level) in levels(fade, at: middle, on: geometry).enumerated() {
                    #expect(level >= min(f[i], g[i]) - 1e-12 && level <= max(f[i], g[i]) + 1e-12)
                }
            }
        }
    }

    @Test func anyNumbersEitherBuildOrAreRefusedWithAReason() async {
        // Raw numbers from far outside every range: construction never traps; a refusal
        // names a parameter.
        let raw = Gen.double(in: -1e6 ... 1e6).array(of: 6)
        await propertyCheck(count: 500, input: raw) { x in
            let attempts: [() throws -> Pattern] = [
                { .ramp(try Ramp(from: x[0], to: x[1], duration: x[2])) },
                { .pulse(try Pulse(period: x[0], duty: x[1], attack: x[2], release: x[3], low: x[4], high: x[5])) },
                { .circular(try Circular(period: x[0], width: x[1], low: x[2], high: x[3])) },
                { .wave(try Wave(period: x[0], width: x[1], axis: x[2], low: x[3], high: x[4])) },
                { .tap(try Tap(period: x[0], burst: x[1], low: x[2], high: x[3])) },
                { .hold(try Hold(target: .actuator(Int(x[0].rounded())), level: x[1], build: x[2], surround: x[3])) },
                { .rock(try Rock(period: x[0], width: x[1], axis: x[2], low: x[3], high: x[4])) },
            ]
            for attempt in attempts {
                do {
                    let pattern = try attempt()
                    #expect(perMille(pattern, at: abs(x[5]), on: Geometries.ring8).allSatisfy { $0 <= 1000 })
                } catch let error as PatternError {
                    #expect(error.description.contains(":"), "\(error)")
                } catch {
                    Issue.record("not a PatternError: \(error)")
                }
            }
        }
    }
}
