import MassageKit
import Testing

@Suite("patterns refuse upside-down ranges")
struct InvertedRangeTests {
    @Test("low above high is refused by every pattern that has both; low equal to high is a steady level")
    func lowAboveHigh() throws {
        let inverted = PatternError.inverted(lower: "low", lowerValue: 0.9, upper: "high", upperValue: 0.1, unit: .fraction)
        #expect(throws: inverted) { try Pulse(period: 1, low: 0.9, high: 0.1) }
        #expect(throws: inverted) { try Circular(period: 1, low: 0.9, high: 0.1) }
        #expect(throws: inverted) { try Wave(period: 1, low: 0.9, high: 0.1) }
        #expect(throws: inverted) { try Knead(period: 1, low: 0.9, high: 0.1) }
        #expect(throws: inverted) { try Tap(period: 1, low: 0.9, high: 0.1) }
        #expect(throws: inverted) { try Rock(period: 1, low: 0.9, high: 0.1) }
        _ = try Circular(period: 1, low: 0.5, high: 0.5)
        #expect(inverted.description == "low: 90% is above high (10%), so the range is upside down; low is the quietest level and high the strongest: swap them")
    }
}
