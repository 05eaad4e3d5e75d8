/// Wake lateness in nanoseconds, kept in a fixed-size log-linear histogram: exact below
/// 64 ns, then 32 buckets per power of two, so any reported figure is within 1/64
/// (1.6 %) of a recorded value. Recording is a few integer operations on inline storage:
/// no allocation, fit for the tick path.
public struct LatenessHistogram: Sendable {
    static let subBuckets = 32
    static let subBucketBits = 5
    static let bucketCount = 1920   // 64 exact + 58 octaves (2⁶ … 2⁶³) × 32

    private var buckets: InlineArray<1920, UInt64>
    /// How many values were recorded.
    public private(set) var count: UInt64 = 0
    /// The smallest and largest recorded values, ns (0 when empty).
    public private(set) var minimum: UInt64 = 0
    public private(set) var maximum: UInt64 = 0
    private var total: UInt64 = 0

    public init() { buckets = InlineArray(repeating: 0) }

    /// Adds one value, ns.
    public mutating func record(_ value: UInt64) {
        buckets[Self.bucket(of: value)] &+= 1
        minimum = count == 0 ? value : Swift.min(minimum, value)
        maximum = Swift.max(maximum, value)
        count &+= 1
        total &+= value
    }

    /// The mean, ns (0 when empty).
    public var mean: Double { count == 0 ? 0 : Double(total) / Double(count) }

    /// The value at `quantile` (0…1), ns: the middle of the bucket holding the
    /// ⌈quantile·count⌉-th smallest value, kept within [minimum, maximum]. 0 when empty.
    public func value(atQuantile quantile: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        if quantile >= 1 { return maximum }
        let rank = Swift.max(1, UInt64((Swift.max(0, quantile) * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for index in 0..<Self.bucketCount {
            seen += buckets[index]
            if seen >= rank {
                return Swift.min(Swift.max(Self.middle(ofBucket: index), minimum), maximum)
            }
        }
        return maximum
    }

    /// Median, 99th and 99.9th percentiles, ns.
    public var p50: UInt64 { value(atQuantile: 0.5) }
    public var p99: UInt64 { value(atQuantile: 0.99) }
    public var p999: UInt64 { value(atQuantile: 0.999) }

    /// Adds every value of `other`.
    public mutating func merge(_ other: LatenessHistogram) {
        guard other.count > 0 else { return }
        for index in 0..<Self.bucketCount { buckets[index] &+= other.buckets[index] }
        minimum = count == 0 ? other.minimum : Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
        count &+= other.count
        total &+= other.total
    }

    static func bucket(of value: UInt64) -> Int {
        if value < 64 { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount             // 6 … 63
        let sub = Int(value >> UInt64(exponent - subBucketBits)) - subBuckets   // 0 … 31
        return 64 + (exponent - 6) * subBuckets + sub
    }

    static func lowerBound(ofBucket index: Int) -> UInt64 {
        if index < 64 { return UInt64(index) }
        let exponent = (index - 64) / subBuckets + 6
        let sub = (index - 64) % subBuckets
        return UInt64(subBuckets + sub) << UInt64(exponent - subBucketBits)
    }

    static func middle(ofBucket index: Int) -> UInt64 {
        if index < 64 { return UInt64(index) }
        let exponent = (index - 64) / subBuckets + 6
        let width = UInt64(1) << UInt64(exponent - subBucketBits)
        return lowerBound(ofBucket: index) + (width - 1) / 2
    }
}
