/// `x` rounded to the nearest integer, halves away from zero, as `x.rounded()` does.
///
/// Why not `rounded()`: the x86-64 baseline (no SSE4.1) has no rounding instruction, so
/// `rounded()` becomes a call into the C library's `round`, which cost more than a whole
/// motor step; converting to an integer truncates in one instruction. `x` must be finite
/// and well inside `Int`'s range: callers clamp first.
@inlinable
func roundedToInteger(_ x: Double) -> Int {
    Int(x < 0 ? x - 0.5 : x + 0.5)
}
