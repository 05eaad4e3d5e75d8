import MassageKit
import PropertyBased
import Testing

@Suite struct LatenessHistogramTests {
    @Test func smallValuesAreExactAndPercentilesFollowRanks() {
        var histogram = LatenessHistogram()
        for value: UInt64 in 1...50 { histogram.record(value) }
        #expect(histogram.count == 50)
        #expect(histogram.p50 == 25)
        #expect(histogram.value(atQuantile: 0.98) == 49)
        #expect(histogram.maximum == 50)
        #expect(histogram.minimum == 1)
        #expect(histogram.mean == 25.5)
    }

    @Test func emptyReportsZero() {
        let histogram = LatenessHistogram()
        #expect(histogram.p99 == 0)
        #expect(histogram.maximum == 0)
    }

    /// Any reported percentile is within 1/64 of the true one (sorted values), and never
    /// outside the recorded range.
    @Test func percentilesAreWithinTheBucketPrecision() async {
        await propertyCheck(count: 200, input: Gen.uint64(in: 0...5_000_000_000).array(of: 1...400), Gen.int(in: 0...1000)) { values, permille in
            var histogram = LatenessHistogram()
            for value in values { histogram.record(value) }
            let sorted = values.sorted()
            let quantile = Double(permille) / 1000
            let rank = max(1, Int((quantile * Double(values.count)).rounded(.up)))
            let truth = sorted[rank - 1]
            let reported = histogram.value(atQuantile: quantile)
            let tolerance = Double(truth) / 64 + 1
            #expect(abs(Double(reported) - Double(truth)) <= tolerance, "q \(quantile): \(reported) vs \(truth)")
            #expect(reported >= sorted[0] && reported <= sorted[sorted.count - 1])
        }
    }
}
