/// The `type` byte of a frame (PROTOCOL.md section 4). Host → device types are
/// 0x01–0x3F, device → host 0x81–0xBF.
public enum MessageType: UInt8, Sendable {
    case hello = 0x01
    case setOutputs = 0x02
    case stop = 0x03
    case heartbeat = 0x04
    case getStatus = 0x05
    case setConfig = 0x06
    case getConfig = 0x07
    case clearFault = 0x08
    case getInfo = 0x09
    case info = 0x81
    case status = 0x82
    case matReport = 0x83
    case fault = 0x84
    case ack = 0x85
    case nak = 0x86
    case config = 0x87
    case statusReport = 0x88

    /// The type of a frame's type byte, or nil for an unknown one: `init(rawValue:)`,
    /// written out so that it inlines into `Frame.decode` (the synthesized one stays a
    /// call of some 14 instructions on every frame decoded).
    @inlinable @inline(__always)
    static func decoding(_ byte: UInt8) -> MessageType? {
        switch byte {
        case 0x01: .hello
        case 0x02: .setOutputs
        case 0x03: .stop
        case 0x04: .heartbeat
        case 0x05: .getStatus
        case 0x06: .setConfig
        case 0x07: .getConfig
        case 0x08: .clearFault
        case 0x09: .getInfo
        case 0x81: .info
        case 0x82: .status
        case 0x83: .matReport
        case 0x84: .fault
        case 0x85: .ack
        case 0x86: .nak
        case 0x87: .config
        case 0x88: .statusReport
        default: nil
        }
    }

    /// True for the types a host sends to a device.
    public var isHostToDevice: Bool { rawValue < 0x80 }

    /// True for the types that may travel under header version 1 (the negotiation
    /// frames: Hello, and Info or Nak answering it), besides the current version
    /// (PROTOCOL.md 3).
    @inlinable
    public var isNegotiation: Bool {
        switch self {
        case .hello, .info, .nak: true
        default: false
        }
    }

    /// True for the types a device sends unprompted (StatusReport, MatReport, Fault),
    /// carrying its unsolicited counter; every other device → host type answers a
    /// request and carries the request's sequence number (PROTOCOL.md 2.1).
    public var isUnsolicited: Bool {
        switch self {
        case .statusReport, .matReport, .fault: true
        default: false
        }
    }

    /// True for commands a device acknowledges with Ack or Nak, which a host retries
    /// with the same sequence number until answered (PROTOCOL.md section 5).
    public var isAcknowledged: Bool {
        switch self {
        case .stop, .setConfig, .clearFault: true
        default: false
        }
    }
}

#if !hasFeature(Embedded)
extension MessageType: CustomStringConvertible {
    /// The name PROTOCOL.md and the test vectors use.
    public var description: String {
        switch self {
        case .hello: "Hello"
        case .setOutputs: "SetOutputs"
        case .stop: "Stop"
        case .heartbeat: "Heartbeat"
        case .getStatus: "GetStatus"
        case .setConfig: "SetConfig"
        case .getConfig: "GetConfig"
        case .clearFault: "ClearFault"
        case .getInfo: "GetInfo"
        case .info: "Info"
        case .status: "Status"
        case .matReport: "MatReport"
        case .fault: "Fault"
        case .ack: "Ack"
        case .nak: "Nak"
        case .config: "Config"
        case .statusReport: "StatusReport"
        }
    }
}
#endif

#if !hasFeature(Embedded)
// Host only: `allCases` is an Array, which allocates.
extension MessageType: CaseIterable {}
#endif
