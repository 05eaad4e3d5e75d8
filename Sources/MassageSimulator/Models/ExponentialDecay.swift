/// The factor e^(−Δt/τ) by which a first-order lag's distance to its target shrinks over
/// one step of Δt microseconds, cached for the last Δt.
///
/// Every model here is a first-order system stepped exactly: `x ← target + (x − target)·f`.
/// That is the closed-form solution over the step, so it is stable for any Δt and never
/// overshoots the target (a forward-Euler step would for Δt > τ). A simulator ticks at a
/// fixed Δt, so `f` is computed once and reused; a different Δt recomputes it.
public struct ExponentialDecay: Sendable {
    /// τ, µs. Zero means "no lag": the factor is 0 for any step longer than zero.
    public let timeConstantMicroseconds: Double
    @usableFromInline var cachedMicroseconds: UInt32 = 0
    @usableFromInline var cachedFactor: Double = 1

    /// A decay with time constant τ in µs (finite, ≥ 0).
    public init(timeConstantMicroseconds: Double) {
        precondition(timeConstantMicroseconds >= 0 && timeConstantMicroseconds.isFinite,
                     "a time constant is finite and not negative")
        self.timeConstantMicroseconds = timeConstantMicroseconds
    }

    /// e^(−Δt/τ) for a step of `microseconds`, in [0, 1].
    @inlinable
    public mutating func factor(overMicroseconds microseconds: UInt32) -> Double {
        if microseconds != cachedMicroseconds { recompute(microseconds) }
        return cachedFactor
    }

    @usableFromInline
    mutating func recompute(_ microseconds: UInt32) {
        cachedMicroseconds = microseconds
        if microseconds == 0 {
            cachedFactor = 1
        } else if timeConstantMicroseconds == 0 {
            cachedFactor = 0
        } else {
            cachedFactor = Self.exponential(-Double(microseconds) / timeConstantMicroseconds)
        }
    }

    /// e^x, in pure Swift, so the models need neither Foundation nor the C library (and
    /// would compile for a microcontroller too). Only called when a step length changes.
    ///
    /// Cody–Waite range reduction x = k·ln 2 + r with |r| ≤ ½ ln 2, a Taylor series for e^r
    /// (18 terms: the first neglected one is below 10⁻²¹ of the sum), then scaling by 2^k.
    /// Within a few ulp of the C library's `exp`; the tests compare the two.
    public static func exponential(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.782712893384 { return .infinity }
        if x < -745.1332191019412 { return 0 }
        // ln 2 split into a high part with trailing zero bits (so k·ln2Hi is exact for
        // |k| < 2¹¹) and the rest.
        let ln2Hi = 6.93147180369123816490e-01
        let ln2Lo = 1.90821492927058770002e-10
        let k = (x * 1.4426950408889634).rounded()
        let r = (x - k * ln2Hi) - k * ln2Lo
        var term = 1.0
        var sum = 1.0
        for n in 1...18 {
            term *= r / Double(n)
            sum += term
        }
        return Double(sign: .plus, exponent: Int(k), significand: sum)
    }
}
