/// Something a ``DevicePort`` noticed that the simulator should log. Each carries a
/// one-line, human-readable account.
public enum PortEvent: Sendable, Equatable, CustomStringConvertible {
    /// A host attached (e.g. "client pid 4242 uid 1000").
    case connected(String)
    /// The attached host went away (e.g. "the client closed the connection").
    case disconnected(String)
    /// Another host tried to attach while one was attached and was turned away.
    case refused(String)
    /// The attached host stopped reading for longer than the port's patience; output
    /// is being dropped until it reads again (see ``DevicePort/droppedByteCount``).
    case stalled(String)

    public var description: String {
        switch self {
        case .connected(let text): "connected: \(text)"
        case .disconnected(let text): "disconnected: \(text)"
        case .refused(let text): "refused: \(text)"
        case .stalled(let text): "stalled: \(text)"
        }
    }
}

/// The events a port has noticed and not yet handed out, oldest first. Holding none
/// costs no allocation; at most `limit` are kept (the oldest are dropped after that,
/// so a port nobody polls cannot grow without bound).
struct PortEventQueue {
    private var events: [PortEvent] = []
    private let limit = 64

    var first: PortEvent? { events.first }

    mutating func append(_ event: PortEvent) {
        if events.count >= limit { events.removeFirst() }
        events.append(event)
    }

    mutating func pop() -> PortEvent? {
        events.isEmpty ? nil : events.removeFirst()
    }
}
