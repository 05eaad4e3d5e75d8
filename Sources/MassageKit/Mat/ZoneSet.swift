/// A set of mat zones (0–63) as one 64-bit mask: bit `z` is zone `z`.
///
/// The tracker keeps its per-zone state as masks like this one, so a report of 22 zones
/// is a few word-wide operations rather than 22 branches, and nothing is allocated.
public struct ZoneSet: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Bit `z` set: zone `z` is in the set.
    public var rawValue: UInt64

    /// The zones whose bits are set in `rawValue`.
    @inlinable
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// No zone.
    public static let none = ZoneSet(rawValue: 0)

    /// Zones `0 ..< count` (`count` clamped to 0–64).
    @inlinable
    public static func first(_ count: Int) -> ZoneSet {
        if count >= 64 { return ZoneSet(rawValue: .max) }
        if count <= 0 { return .none }
        return ZoneSet(rawValue: (1 << UInt64(count)) &- 1)
    }

    /// Whether zone `zone` is in the set (false for a zone outside 0–63).
    @inlinable
    public func contains(_ zone: Int) -> Bool {
        zone >= 0 && zone < 64 && rawValue & (1 << UInt64(zone)) != 0
    }

    /// Adds zone `zone`; a zone outside 0–63 is not added.
    @inlinable
    public mutating func insert(_ zone: Int) {
        guard zone >= 0 && zone < 64 else { return }
        rawValue |= 1 << UInt64(zone)
    }

    /// How many zones the set holds.
    @inlinable public var count: Int { rawValue.nonzeroBitCount }

    /// Whether the set holds no zone.
    @inlinable public var isEmpty: Bool { rawValue == 0 }

    /// The zones, lowest first.
    public var zones: [Int] {
        var list: [Int] = []
        var bits = rawValue
        while bits != 0 {
            list.append(bits.trailingZeroBitCount)
            bits &= bits &- 1
        }
        return list
    }

    public var description: String { "zones " + (isEmpty ? "none" : zones.map(String.init).joined(separator: ",")) }
}
