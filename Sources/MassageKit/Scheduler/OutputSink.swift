import MassageWire

/// Takes each tick's governed levels from the scheduler: the device session, which sends
/// the newest as SetOutputs (latest-value-wins, PROTOCOL.md 6.2).
///
/// Implementation requirements: `offer(_:)` is called on the scheduler's real-time
/// thread and must return at once: no blocking, no waiting on I/O, no lock another thread
/// can hold for long, no allocation. A sink that cannot send yet keeps only the newest
/// levels and replaces what it had (it never queues them).
public protocol OutputSink: AnyObject, Sendable {
    /// Hands over this tick's levels; a newer offer replaces any the sink has not sent.
    func offer(_ levels: OutputLevels)

    /// How many offers the sink sent and how many it replaced before sending, for the
    /// scheduler's statistics; nil when the sink does not count them.
    var deliveryCounts: OutputDeliveryCounts? { get }
}

extension OutputSink {
    public var deliveryCounts: OutputDeliveryCounts? { nil }
}

/// What a sink did with the levels it was offered.
public struct OutputDeliveryCounts: Equatable, Sendable {
    /// Offers that went out (as a SetOutputs, or to whoever consumes the sink).
    public var sent: UInt64
    /// Offers replaced by a newer one before they went out (latest-value-wins).
    public var coalesced: UInt64

    public init(sent: UInt64, coalesced: UInt64) {
        self.sent = sent
        self.coalesced = coalesced
    }
}
