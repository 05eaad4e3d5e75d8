#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// The few shapes every pattern is made of. All are pure and allocation-free.

@inline(__always) func cosine(_ x: Double) -> Double { cos(x) }
@inline(__always) func sine(_ x: Double) -> Double { sin(x) }
@inline(__always) func arcTangent(_ y: Double, _ x: Double) -> Double { atan2(y, x) }

/// `angle` in radians brought into 0 ..< 2π.
@inline(__always)
func normalizedAngle(_ angle: Double) -> Double {
    let turn = 2 * Double.pi
    var a = angle.truncatingRemainder(dividingBy: turn)
    if a < 0 { a += turn }
    return a >= turn ? 0 : a
}

/// The shorter way round between two angles in radians: 0 … π.
@inline(__always)
func angularDistance(_ a: Double, _ b: Double) -> Double {
    let d = normalizedAngle(a - b)
    return d > Double.pi ? 2 * Double.pi - d : d
}

/// Where `t` is within its period, 0 ..< 1 (t ≥ 0, period > 0).
@inline(__always)
func phase(_ t: Double, period: Double) -> Double {
    let cycles = t / period
    let p = cycles - cycles.rounded(.down)
    return p < 1 ? p : 0
}

/// A raised-cosine bump: 1 at distance 0, falling smoothly to 0 at `halfWidth` and beyond.
@inline(__always)
func bump(_ distance: Double, halfWidth: Double) -> Double {
    guard distance < halfWidth else { return 0 }
    return (1 + cosine(Double.pi * distance / halfWidth)) / 2
}

/// `low` when `weight` is 0, `high` when it is 1.
@inline(__always)
func between(_ low: Double, _ high: Double, _ weight: Double) -> Double {
    low + (high - low) * weight
}

/// Degrees to radians.
@inline(__always)
func radians(_ degrees: Double) -> Double { degrees * Double.pi / 180 }
