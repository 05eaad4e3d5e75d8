@testable import MassageKit
import MassageWire
import Testing

/// Parameters are checked when a pattern is built, and a refusal says what to change.
@Suite struct PatternErrorTests {
    /// The refusal's text, nil when it built.
    static func message(_ build: () throws -> Void) -> String? {
        do { try build(); return nil } catch let error as PatternError { return error.description } catch {
            return "not a PatternError: \(error)"
        }
    }

    @Test func rangesAreNamedWithTheirUnits() {
        #expect(Self.message { _ = try Circular(period: 12) } == "period: 12 s is above the 10 s maximum")
        #expect(Self.message { _ = try Circular(period: 0.1) } == "period: 0.1 s is below the 0.25 s minimum")
        #expect(Self.message { _ = try Circular(period: 1, width: 10) } == "width: 10° is below the 30° minimum")
        #expect(Self.message { _ = try Constant(level: 1.5) } == "level: 1.5 is above the 1 maximum")
        #expect(Self.message { _ = try Ramp(from: 0, to: -0.2, duration: 1) } == "to: -0.2 is below the 0 minimum")
        #expect(Self.message { _ = try Wave(period: .nan) } == "period: not a number; give a value in 0.5 s … 20 s")
        #expect(Self.message { _ = try Rock(period: .infinity) } == "period: inf s is above the 20 s maximum")
    }

    @Test func parametersThatMustFitTogether() {
        #expect(Self.message { _ = try Pulse(period: 1, duty: 0.5, attack: 0.3, release: 0.3) }
                == "attack + release: 0.6 s is longer than the on-time (duty × period) (0.5 s); shorten it or lengthen the on-time (duty × period)")
        #expect(Self.message { _ = try Pulse(period: 1, duty: 0.5, attack: 0.3, release: 0.2) } == nil)
        #expect(Self.message { _ = try Tap(period: 0.1, burst: 0.06) }
                == "burst: 0.06 s is longer than half the period (0.05 s); shorten it or lengthen half the period")
        #expect(Self.message { _ = try Envelope(attack: 1, release: 5, length: 4, of: .off) }
                == "release: 5 s is longer than length (4 s); shorten it or lengthen length")
    }

    @Test func countsIndicesAndSize() throws {
        #expect(Self.message { _ = try PatternSequence([]) } == "steps: 0 given, 1 … 256 allowed")
        #expect(Self.message { _ = try Mix(Array(repeating: .off, count: 17)) } == "patterns: 17 given, 1 … 16 allowed")
        #expect(Self.message { _ = try Hold(target: .actuator(16), level: 1) } == "actuator: actuator 16 does not exist; use 0 … 15")
        #expect(Self.message { _ = try Hold(target: .towards(400), level: 1) } == "towards: 400° is above the 360° maximum")
        #expect(Self.message { _ = try Knead(period: 1, grouping: .halves(axis: -1)) } == "axis: -1° is below the 0° minimum")
        // Nesting: 15 scales over a primitive is depth 16, the limit; one more is refused.
        var pattern = Pattern.off
        for _ in 0 ..< 15 { pattern = .scale(try Scale(1, of: pattern)) }
        #expect(pattern.depth == 16)
        let deeper = pattern
        #expect(Self.message { _ = try Scale(1, of: deeper) }
                == "pattern nested 17 levels deep; at most 16 allowed: flatten the composition")
        // Size: a mix of 16 mixes of 16 sequences of 16 steps is 1 + 16 × (1 + 16 × 17) = 4369 nodes.
        let steps = try (0 ..< 16).map { _ in try SequenceStep(.off, for: 1) }
        let sequence = Pattern.sequence(try PatternSequence(steps))
        #expect(sequence.nodeCount == 17)
        let inner = Pattern.mix(try Mix(Array(repeating: sequence, count: 16)))
        #expect(inner.nodeCount == 273)
        #expect(Self.message { _ = try Mix(Array(repeating: inner, count: 16)) }
                == "pattern has 4369 parts; at most 4096 allowed: split it into shorter programs")
    }
}
