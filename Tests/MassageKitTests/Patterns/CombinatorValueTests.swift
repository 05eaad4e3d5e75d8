import Foundation
@testable import MassageKit
import MassageWire
import Testing

/// Each combinator's levels at chosen instants, worked out by hand from its definition.
@Suite struct CombinatorValueTests {
    let ring4 = Geometries.ring4, single = Geometries.single

    @Test func envelopeShapesItsPattern() throws {
        let inner = Pattern.constant(try Constant(level: 0.8))
        let p = Pattern.envelope(try Envelope(attack: 2, decay: 2, sustain: 0.5, release: 4, length: 20, of: inner))
        #expect(close(levels(p, at: 0, on: single), [0]))
        #expect(close(levels(p, at: 1, on: single), [0.4]))      // attack half-way: 0.5 × 0.8
        #expect(close(levels(p, at: 2, on: single), [0.8]))      // peak
        #expect(close(levels(p, at: 3, on: single), [0.6]))      // decay half-way: 0.75 × 0.8
        #expect(close(levels(p, at: 10, on: single), [0.4]))     // sustain 0.5 × 0.8
        #expect(close(levels(p, at: 18, on: single), [0.2]))     // release half-way: 0.25 × 0.8
        #expect(close(levels(p, at: 20, on: single), [0]))
        #expect(close(levels(p, at: 25, on: single), [0]))
        #expect(p.duration == 20)
        // A release that begins during the attack starts from the level reached there:
        // release starts at 6 − 4 = 2 s, at 2/10 of the attack; at 4 s half of that is left.
        let early = Pattern.envelope(try Envelope(attack: 10, release: 4, length: 6, of: inner))
        #expect(close(levels(early, at: 4, on: single), [0.08]))  // 0.2 × 0.5 × 0.8
    }

    @Test func scaleMultiplies() throws {
        let p = Pattern.scale(try Scale(0.5, of: .constant(try Constant(level: 0.8))))
        #expect(close(levels(p, at: 3, on: ring4), [0.4, 0.4, 0.4, 0.4]))
        let hold = Pattern.scale(try Scale(0.25, of: .hold(try Hold(target: .actuator(1), level: 1, surround: 0.4))))
        #expect(close(levels(hold, at: 0, on: ring4), [0.1, 0.25, 0.1, 0.1]))
    }

    @Test func sequencePlaysStepsInTurnEachFromItsOwnZero() throws {
        let steps = [
            try SequenceStep(.constant(try Constant(level: 0.2)), for: 1),
            try SequenceStep(.ramp(try Ramp(from: 0, to: 1, duration: 2)), for: 2),
            try SequenceStep(.constant(try Constant(level: 0.7)), for: 1),
        ]
        let once = Pattern.sequence(try PatternSequence(steps))
        #expect(close(levels(once, at: 0.5, on: single), [0.2]))
        #expect(close(levels(once, at: 1, on: single), [0]))       // the ramp's own t = 0
        #expect(close(levels(once, at: 2, on: single), [0.5]))     // the ramp's own t = 1
        #expect(close(levels(once, at: 3.5, on: single), [0.7]))
        #expect(close(levels(once, at: 4.5, on: single), [0]))     // over: silent
        #expect(once.duration == 4)
        let looping = Pattern.sequence(try PatternSequence(steps, repeats: true))
        #expect(close(levels(looping, at: 4.5, on: single), [0.2]))
        #expect(close(levels(looping, at: 6, on: single), [0.5]))
        #expect(looping.duration == nil)
    }

    @Test func crossfadeMovesFromOneToTheOther() throws {
        let p = Pattern.crossfade(try Crossfade(from: .constant(try Constant(level: 0.2)), to: .constant(try Constant(level: 1)),
                                                start: 2, duration: 4))
        #expect(close(levels(p, at: 1, on: single), [0.2]))
        #expect(close(levels(p, at: 3, on: single), [0.4]))        // u = 0.25: 0.75 × 0.2 + 0.25 × 1
        #expect(close(levels(p, at: 5, on: single), [0.8]))        // u = 0.75: 0.25 × 0.2 + 0.75 × 1
        #expect(close(levels(p, at: 6, on: single), [1]))
        #expect(close(levels(p, at: 10, on: single), [1]))
        // Per actuator: a hold on actuator 0 fading into a hold on actuator 2.
        let move = Pattern.crossfade(try Crossfade(from: .hold(try Hold(target: .actuator(0), level: 1)),
                                                   to: .hold(try Hold(target: .actuator(2), level: 1)), duration: 2))
        #expect(close(levels(move, at: 0.5, on: ring4), [0.75, 0, 0.25, 0]))
    }

    @Test func mixTakesTheLargestOrTheClampedSum() throws {
        let base = Pattern.constant(try Constant(level: 0.3))
        let press = Pattern.hold(try Hold(target: .actuator(1), level: 0.8))
        let largest = Pattern.mix(try Mix([base, press], mode: .max))
        #expect(close(levels(largest, at: 0, on: ring4), [0.3, 0.8, 0.3, 0.3]))
        let sum = Pattern.mix(try Mix([base, .constant(try Constant(level: 0.5)), press], mode: .sum))
        #expect(close(levels(sum, at: 0, on: ring4), [0.8, 1, 0.8, 0.8]))   // 0.3 + 0.5 + 0.8 clamped to 1
    }

    @Test func perMilleRoundsToTheNearestAndTheHeaterIsLeftAlone() throws {
        let p = Pattern.constant(try Constant(level: 0.1875))
        #expect(perMille(p, at: 0, on: ring4) == [188, 188, 188, 188])   // 187.5 (exact in binary) rounds away from zero
        var outputs = OutputLevels.off(actuatorCount: 4)
        outputs.heaterSetpoint = 380
        p.evaluate(at: 0, on: ring4, into: &outputs)
        #expect(Array(outputs.intensities) == [188, 188, 188, 188])
        #expect(outputs.heaterSetpoint == 380)
        // The list takes the geometry's count whatever it held before.
        var intensities = Intensities([1, 2, 3, 4, 5, 6, 7, 8])!
        p.evaluate(at: 0, on: single, into: &intensities)
        #expect(Array(intensities) == [188])
    }

    @Test func aTimeThatIsNotFiniteOrIsNegativeEvaluatesAsZero() throws {
        let p = Pattern.ramp(try Ramp(from: 0.3, to: 1, duration: 10))
        for t in [-5.0, .nan, .infinity, -.infinity] {
            #expect(close(levels(p, at: t, on: single), [0.3]))
        }
    }
}
