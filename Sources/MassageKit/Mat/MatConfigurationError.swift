/// A mat tracker or plan setting that cannot work. Each case says which value and what
/// range it must be in.
public enum MatConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A mat has 1–64 zones (the wire protocol's limit).
    case zoneCount(Int)
    /// The off threshold must not be above the on threshold, and on must be 1–1000 per mille.
    case thresholds(on: UInt16, off: UInt16)
    /// A duration setting (`name`) was negative or too long to count in nanoseconds.
    case duration(name: String, value: Duration)
    /// The plan's goals must be positive, and the first goal not above the cap.
    case plan(String)

    public var description: String {
        switch self {
        case .zoneCount(let count):
            return "a mat has 1 to 64 zones, not \(count): check the device's mat_zone_count or the GPIO line list"
        case .thresholds(let on, let off):
            return "pressure thresholds on \(on) / off \(off) per mille: need 1 <= on <= 1000 and off <= on"
        case .duration(let name, let value):
            return "\(name) \(value) is not usable: give a duration from 0 to about 584 years"
        case .plan(let detail):
            return "mat plan: \(detail)"
        }
    }
}

/// `duration` in whole nanoseconds (rounded down), or nil when it is negative or does not
/// fit 64 bits.
@usableFromInline
func wholeNanoseconds(_ duration: Duration) -> UInt64? {
    let (seconds, attoseconds) = duration.components
    guard seconds >= 0, attoseconds >= 0 else { return nil }
    let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
    guard !overflow else { return nil }
    let (sum, overflow2) = whole.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
    return overflow2 ? nil : sum
}

/// `a + b`, or `UInt64.max` when that does not fit.
@inlinable
func saturatingAdd(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? .max : sum
}
