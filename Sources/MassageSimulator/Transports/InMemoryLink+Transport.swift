import MassageKit

/// The host end of an in-memory link is a ``Transport``: a session in this process talks
/// to a simulator through it exactly as it would through a socket or USB.
extension InMemoryLink.HostEnd: Transport {
    public var endpoint: String { name }

    public func send(_ bytes: [UInt8]) throws(TransportError) {
        do throws(PortError) {
            try write(bytes)
        } catch {
            throw error.asTransportError(endpoint: endpoint)
        }
    }

    public func receive(timeout: Duration) throws(TransportError) -> [UInt8] {
        do throws(PortError) {
            return try read(timeout: timeout)
        } catch {
            throw error.asTransportError(endpoint: endpoint)
        }
    }

    public func wakeReceive() { wakeRead() }

    public func close() { disconnect() }
}

extension PortError {
    func asTransportError(endpoint: String) -> TransportError {
        switch self {
        case .closed: .closed(endpoint: endpoint)
        case .disconnected(_, let reason): .disconnected(endpoint: endpoint, reason: reason)
        default: .io(endpoint: endpoint, operation: "transfer", detail: description)
        }
    }
}
