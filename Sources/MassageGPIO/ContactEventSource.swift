import MassageKit

/// Something that delivers contact edges with their timestamps: the GPIO lines of a mat
/// (`GPIOContactLines`), or a stand-in in tests. `ContactEventPump` feeds a
/// `ContactTracker` from any of them the same way.
///
/// Implementation requirements: `read` appends the edges that arrived, in time order, and
/// an `EdgeOverflow` for each zone that may have lost edges; it waits at most
/// `timeoutNanoseconds` when nothing has arrived. `nowNanoseconds` reads the clock the
/// edges are stamped with (for GPIO, CLOCK_MONOTONIC), never the wall clock.
public protocol ContactEventSource {
    /// Waits up to `timeoutNanoseconds` for edges and appends what arrived to `batch`.
    mutating func read(into batch: inout ContactEventBatch, timeoutNanoseconds: UInt64) throws(TransportError)
    /// Now, on the edges' clock, ns.
    func nowNanoseconds() -> UInt64
}

/// What one read brought: edges in time order, and overflows seen after them.
public struct ContactEventBatch: Sendable {
    /// Edges, oldest first.
    public var edges: [ContactEdge] = []
    /// Zones that may have lost edges.
    public var overflows: [EdgeOverflow] = []

    /// An empty batch with room for `capacity` edges.
    public init(capacity: Int = 64 * 16) {
        edges.reserveCapacity(capacity)
    }

    /// Empties the batch, keeping its storage.
    public mutating func removeAll() {
        edges.removeAll(keepingCapacity: true)
        overflows.removeAll(keepingCapacity: true)
    }
}

/// Reads a `ContactEventSource` into a `ContactTracker`.
public struct ContactEventPump<Source: ContactEventSource> {
    /// Where the edges come from.
    public var source: Source
    /// What they go to.
    public var tracker: ContactTracker
    /// How far behind the source's clock the tracker's clock is moved when nothing arrives.
    /// An edge the kernel stamped just before now may still be on its way into the buffer;
    /// moving the tracker only to now − this margin keeps such an edge from counting as late.
    public var clockMarginNanoseconds: UInt64
    var batch = ContactEventBatch()

    /// A pump from `source` into `tracker`.
    public init(source: Source, tracker: ContactTracker, clockMarginNanoseconds: UInt64 = 5_000_000) {
        self.source = source
        self.tracker = tracker
        self.clockMarginNanoseconds = clockMarginNanoseconds
    }

    /// One read: waits up to `timeoutNanoseconds`, feeds the edges and overflows, then moves
    /// the tracker's clock to the source's now (less the margin), so settled changes are
    /// accepted even while no edge comes. Returns how many edges were fed.
    @discardableResult
    public mutating func step(
        timeoutNanoseconds: UInt64, onInterval: ContactTracker.IntervalHandler = { _ in }
    ) throws(TransportError) -> Int {
        batch.removeAll()
        try source.read(into: &batch, timeoutNanoseconds: timeoutNanoseconds)
        tracker.feed(batch.edges, onInterval: onInterval)
        for overflow in batch.overflows { tracker.note(overflow, onInterval: onInterval) }
        let now = source.nowNanoseconds()
        if now > clockMarginNanoseconds { tracker.advance(toNanoseconds: now - clockMarginNanoseconds, onInterval: onInterval) }
        return batch.edges.count
    }
}
