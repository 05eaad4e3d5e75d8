import Foundation
import MassageSimulator
import Testing

@Suite struct SimulationRandomTests {
    @Test func matchesTheReferenceXoshiro256StarStar() {
        // The first outputs of the reference C implementation from the state {1, 2, 3, 4}.
        var random = SimulationRandom(rawState: (1, 2, 3, 4))
        let want: [UInt64] = [
            11520, 0, 1_509_978_240, 1_215_971_899_390_074_240, 1_216_172_134_540_287_360,
            607_988_272_756_665_600, 16_172_922_978_634_559_625, 8_476_171_486_693_032_832,
            10_595_114_339_597_558_777, 2_904_607_092_377_533_576,
        ]
        #expect((0..<want.count).map { _ in random.next() } == want)
    }

    @Test func sameSeedSameSequence() {
        var a = SimulationRandom(seed: 2024)
        var b = SimulationRandom(seed: 2024)
        var c = SimulationRandom(seed: 2025)
        let first = (0..<100).map { _ in a.next() }
        #expect(first == (0..<100).map { _ in b.next() })
        #expect(first != (0..<100).map { _ in c.next() })
        var zero = SimulationRandom(seed: 0)
        #expect((0..<4).map { _ in zero.next() } != [0, 0, 0, 0], "seed 0 is a valid seed")
    }

    @Test func streamsAreReproducibleAndDistinct() {
        var a = SimulationRandom(seed: 5, stream: 1)
        var b = SimulationRandom(seed: 5, stream: 1)
        var c = SimulationRandom(seed: 5, stream: 2)
        let first = (0..<50).map { _ in a.next() }
        #expect(first == (0..<50).map { _ in b.next() })
        #expect(first != (0..<50).map { _ in c.next() })
    }

    @Test func unitValuesAreInRangeAndUniform() {
        var random = SimulationRandom(seed: 11)
        var buckets = [Int](repeating: 0, count: 10)
        let n = 100_000
        for _ in 0..<n {
            let u = random.nextUnit()
            #expect(u >= 0 && u < 1)
            buckets[Int(u * 10)] += 1
        }
        #expect(buckets.allSatisfy { abs($0 - n / 10) < n / 100 }, "\(buckets)")
    }

    @Test func gaussianHasUnitVarianceAndBoundedTails() {
        #expect(SimulationRandom.irwinHallMean == 4 * 65535.0 / 2)
        #expect(abs(SimulationRandom.irwinHallScale - 1 / ((65536.0 * 65536.0 - 1) / 3).squareRoot()) < 1e-20)
        var random = SimulationRandom(seed: 3)
        let n = 200_000
        var sum = 0.0
        var squares = 0.0
        var withinOneSigma = 0
        for _ in 0..<n {
            let g = random.nextGaussian()
            #expect(abs(g) <= 3.4642)
            sum += g
            squares += g * g
            if abs(g) < 1 { withinOneSigma += 1 }
        }
        #expect(abs(sum / Double(n)) < 0.01)
        #expect(abs(squares / Double(n) - 1) < 0.01)
        // A normal puts 68.3 % within one σ; Irwin–Hall with n = 4 about 66.7 %.
        #expect(abs(Double(withinOneSigma) / Double(n) - 0.667) < 0.01)
    }

    @Test func exponentialAgreesWithTheCLibrary() {
        var random = SimulationRandom(seed: 1)
        for _ in 0..<20_000 {
            let x = -60 * random.nextUnit()
            let want = exp(x)
            #expect(abs(ExponentialDecay.exponential(x) - want) <= 4 * want.ulp, "e^\(x)")
        }
        for x in [0.0, -1e-12, 1e-12, 1, -1, 700, -700, -745, 709.7] {
            let want = exp(x)
            #expect(abs(ExponentialDecay.exponential(x) - want) <= 4 * want.ulp, "e^\(x)")
        }
        #expect(ExponentialDecay.exponential(-800) == 0)
        #expect(ExponentialDecay.exponential(800) == .infinity)
        #expect(ExponentialDecay.exponential(.nan).isNaN)
    }

    @Test func decayIsCachedPerStepLength() {
        var decay = ExponentialDecay(timeConstantMicroseconds: 80_000)
        #expect(decay.factor(overMicroseconds: 0) == 1)
        #expect(abs(decay.factor(overMicroseconds: 1000) - exp(-1.0 / 80)) < 1e-15)
        #expect(abs(decay.factor(overMicroseconds: 80_000) - exp(-1.0)) < 1e-15)
        var instant = ExponentialDecay(timeConstantMicroseconds: 0)
        #expect(instant.factor(overMicroseconds: 1) == 0)
        #expect(instant.factor(overMicroseconds: 0) == 1)
    }
}
