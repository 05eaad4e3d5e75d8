/// A contact line changed level: what a GPIO edge event says once the adapter has mapped
/// its line to a zone. The timestamp is the kernel's (CLOCK_MONOTONIC, ns), taken when the
/// edge happened, not when it was read.
///
/// The line's polarity is the adapter's business (libgpiod's active-low flag): here
/// `.pressed` always means a body presses the zone's contact.
public struct ContactEdge: Equatable, Sendable {
    /// Which way the zone's contact went.
    public enum Kind: UInt8, Equatable, Sendable {
        /// The contact closed: something presses the zone (a logical rising edge).
        case pressed
        /// The contact opened: nothing presses the zone (a logical falling edge).
        case released
    }

    /// The zone, 0 ..< the tracker's zone count.
    public var zone: Int
    /// The new level.
    public var kind: Kind
    /// When the edge happened, ns on the kernel's monotonic clock.
    public var timestampNanoseconds: UInt64

    /// Zone `zone` went to `kind` at `timestampNanoseconds`.
    @inlinable
    public init(zone: Int, _ kind: Kind, atNanoseconds timestampNanoseconds: UInt64) {
        self.zone = zone
        self.kind = kind
        self.timestampNanoseconds = timestampNanoseconds
    }
}

/// Edge events of one zone were lost: the kernel keeps 16 events per line and drops
/// newer ones while its buffer is full, so the adapter reports this whenever a read could
/// have hit that limit. The tracker counts it in the summary (which then says it is not
/// exact) and, when the adapter read the line's level after the overflow, takes that
/// level as an edge at `timestampNanoseconds` so the zone does not stay in a stale state.
public struct EdgeOverflow: Equatable, Sendable {
    /// The zone whose events may have been lost.
    public var zone: Int
    /// When the overflow was seen, ns on the same monotonic clock as the edges.
    public var timestampNanoseconds: UInt64
    /// The line's level read after the overflow, or nil if it could not be read.
    public var levelNow: ContactEdge.Kind?

    /// Zone `zone` lost events, seen at `timestampNanoseconds`; its level then, if known.
    public init(zone: Int, atNanoseconds timestampNanoseconds: UInt64, levelNow: ContactEdge.Kind?) {
        self.zone = zone
        self.timestampNanoseconds = timestampNanoseconds
        self.levelNow = levelNow
    }
}
