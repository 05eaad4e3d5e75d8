/// The header of a frame whose CRC matched, so its fields can be trusted even when its
/// version, type or payload cannot be used: enough to answer with a Nak.
public struct FrameHeader: Equatable, Sendable {
    public var version: UInt8
    public var type: UInt8
    public var sequence: UInt8

    public init(version: UInt8, type: UInt8, sequence: UInt8) {
        self.version = version
        self.type = type
        self.sequence = sequence
    }
}

/// Why a receiver dropped a frame (PROTOCOL.md section 2.4). Every case is one counted
/// bad frame; the last three carry a header that deserves a Nak.
public enum FrameError: Error, Equatable, Sendable {
    /// A COBS code byte pointed past the end of the frame.
    case malformedCOBS
    /// Fewer than 7 bytes after COBS decoding: `length` of them.
    case truncated(length: Int)
    /// The CRC-32C did not match.
    case badCRC
    /// More than 63 bytes arrived before a 0x00.
    case tooLong
    /// A version this code does not speak.
    case unsupportedVersion(FrameHeader)
    /// A type this code does not know.
    case unknownType(FrameHeader)
    /// The payload's length or a structural field is wrong for its type.
    case malformedPayload(FrameHeader)

    /// The trustworthy header, for the cases a device answers with a Nak.
    public var header: FrameHeader? {
        switch self {
        case .unsupportedVersion(let h), .unknownType(let h), .malformedPayload(let h): h
        default: nil
        }
    }

    /// The Nak reason a device answers this error with, if it answers at all.
    public var nakReason: NakReason? {
        switch self {
        case .unsupportedVersion: .unsupportedVersion
        case .unknownType: .unknownType
        case .malformedPayload: .malformed
        default: nil
        }
    }

    /// The name the test vectors use.
    public var vectorName: StaticString {
        switch self {
        case .malformedCOBS: "malformed_cobs"
        case .truncated: "truncated"
        case .badCRC: "bad_crc"
        case .tooLong: "too_long"
        case .unsupportedVersion: "unsupported_version"
        case .unknownType: "unknown_type"
        case .malformedPayload: "malformed_payload"
        }
    }
}
