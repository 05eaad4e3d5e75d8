import MassageWire

/// An acknowledged command or a request (PROTOCOL.md 5): sent with retries, answered once.
public enum SessionCommand: Sendable, Equatable, CustomStringConvertible {
    case stop
    case setConfig(ConfigKey, UInt32)
    case getConfig(ConfigKey)
    case clearFault
    case getStatus

    var message: Message {
        switch self {
        case .stop: .stop
        case .setConfig(let key, let value): .setConfig(ConfigEntry(key: key, value: value))
        case .getConfig(let key): .getConfig(key)
        case .clearFault: .clearFault
        case .getStatus: .getStatus
        }
    }

    public var description: String {
        switch self {
        case .stop: "Stop"
        case .setConfig(let key, let value): "SetConfig(key \(key.rawValue) = \(value))"
        case .getConfig(let key): "GetConfig(key \(key.rawValue))"
        case .clearFault: "ClearFault"
        case .getStatus: "GetStatus"
        }
    }
}

/// What a command was answered with.
public enum CommandAnswer: Sendable, Equatable {
    case acknowledged
    case config(ConfigEntry)
    case status(Status)
}

/// Identifies one submitted command, to match its completion.
public struct RequestID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public var description: String { "#\(rawValue)" }
}

/// What happened in a session, in order.
public enum SessionEvent: Sendable, Equatable {
    /// The handshake finished.
    case ready(DeviceCapabilities)
    /// A StatusReport, or the answer to a GetStatus.
    case status(Status)
    case mat(MatReport)
    case fault(FaultReport)
    /// The device refused a SetOutputs (a latched fault, no session, a value out of range).
    case outputsRefused(NakReason)
    /// A command finished, answered or not.
    case completed(RequestID, Result<CommandAnswer, SessionError>)
    /// The session is over: the link was lost, the device stopped answering, or it speaks
    /// another protocol version.
    case ended(SessionError)
}

/// Counters of one session, for `massagectl info` and the scheduler's statistics.
public struct SessionStatistics: Sendable, Equatable {
    public var framesSent = 0
    public var framesReceived = 0
    /// Bad frames the host's decoder counted (CRC, COBS, length).
    public var framesBad = 0
    /// SetOutputs frames sent.
    public var outputsSent = 0
    /// Outputs replaced by newer ones before they could be sent (latest-value-wins).
    public var outputsCoalesced = 0
    /// The newest outputs sent again as the refresh (with what is left of their lease).
    public var outputsResent = 0
    public var heartbeatsSent = 0
    /// Command frames sent again because no answer came in time.
    public var retries = 0
    /// Answers that came for a command already answered (a retry's echo) or too late.
    public var duplicateAnswers = 0
    /// Unsolicited frames (StatusReport, MatReport, Fault) lost, from the gaps in the
    /// device's counter after the first one received.
    public var unsolicitedLost = 0

    public init() {}
}
