/// The simulator's random numbers: xoshiro256** (Blackman and Vigna, 2018), seeded by
/// SplitMix64, so a run is reproduced exactly from one 64-bit seed.
///
/// Why this generator: it is the authors' all-purpose pick, passes BigCrush, costs a few
/// shifts and two multiplies per 64 bits, keeps its 32 bytes of state inline (no heap),
/// and, unlike `SystemRandomNumberGenerator`, it is the same sequence on every machine
/// and every run. It is not for secrets.
///
/// Give every model its own generator (`init(seed:stream:)`) so that one model's draws
/// never shift another's: a test that changes how often the mat is read must not change
/// the temperature sensor's noise.
public struct SimulationRandom: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    /// A generator whose state is four successive SplitMix64 outputs from `seed`: every
    /// seed, 0 included, gives a valid (never all-zero) state.
    public init(seed: UInt64) {
        var mixer = seed
        s0 = Self.splitMix64(&mixer)
        s1 = Self.splitMix64(&mixer)
        s2 = Self.splitMix64(&mixer)
        s3 = Self.splitMix64(&mixer)
    }

    /// Generator number `stream` of the simulation seeded with `seed`: the same pair
    /// always gives the same sequence, different streams give unrelated ones.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = stream
        let streamKey = Self.splitMix64(&mixer)
        self.init(seed: seed ^ streamKey)
    }

    /// A generator with exactly this xoshiro256** state, to reproduce the reference
    /// implementation's vectors. The state must not be all zero.
    public init(rawState: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(rawState != (0, 0, 0, 0), "xoshiro256** state must not be all zero")
        (s0, s1, s2, s3) = rawState
    }

    /// One step of SplitMix64 (Steele, Lea and Flood, 2014): advances `state` by the
    /// golden-ratio increment and returns a well-mixed 64-bit value.
    @inlinable
    static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        let result = Self.rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotateLeft(s3, 45)
        return result
    }

    /// A uniform value in [0, 1) with 53 random bits.
    @inlinable
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// An approximately standard-normal value (mean 0, standard deviation exactly 1).
    ///
    /// The sum of four uniform 16-bit integers cut from one 64-bit draw (Irwin–Hall with
    /// n = 4), centred and scaled to unit variance: one draw, four adds, no table, no
    /// logarithm, no allocation. Its tails stop at ±2√3 ≈ ±3.46 σ and its excess kurtosis
    /// is −0.3, which is close enough for sensor noise; it never produces the rare
    /// 5 σ outlier a true Gaussian would.
    @inlinable
    public mutating func nextGaussian() -> Double {
        let bits = next()
        let sum = (bits & 0xFFFF) + ((bits >> 16) & 0xFFFF) + ((bits >> 32) & 0xFFFF) + (bits >> 48)
        // The sum is below 2¹⁸: a signed conversion, one instruction (unsigned takes more).
        return (Double(Int64(bitPattern: sum)) - Self.irwinHallMean) * Self.irwinHallScale
    }

    /// The mean of the sum of four uniform integers in 0...65535: 4 · 65535 / 2.
    @inlinable public static var irwinHallMean: Double { 131_070 }
    /// 1 / the standard deviation of the sum of four uniform integers in 0...65535, each
    /// of variance (65536² − 1) / 12: 1 / √((65536² − 1) / 3). A literal, so the hot path
    /// reads a constant rather than a lazily initialised global (the tests check it).
    @inlinable public static var irwinHallScale: Double { 2.6428997921303014e-05 }

    @inlinable
    static func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
