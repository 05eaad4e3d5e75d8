/// The protocol's fixed sizes (PROTOCOL.md sections 2 and 3).
public enum WireLimits {
    /// The protocol version this code speaks.
    public static let protocolVersion: UInt8 = 2
    /// The header version of the negotiation frames (Hello and its answer, Info or
    /// Nak): always 1, so that a peer of any version can read them (PROTOCOL.md 3).
    public static let negotiationVersion: UInt8 = 1
    /// Bytes of header: version, type, sequence.
    public static let headerSize = 3
    /// Bytes of CRC-32C at the end of a raw frame.
    public static let crcSize = 4
    /// The largest payload a frame carries.
    public static let maxPayload = 55
    /// The smallest raw frame: header and CRC with no payload.
    public static let minRawFrame = headerSize + crcSize
    /// The largest raw frame (before COBS).
    public static let maxRawFrame = headerSize + maxPayload + crcSize
    /// The largest COBS-encoded frame, without its 0x00 delimiter.
    public static let maxEncodedFrame = maxRawFrame + 1
    /// The largest frame on the wire, delimiter included: one full-speed USB bulk packet.
    public static let maxWireFrame = maxEncodedFrame + 1
    /// Actuators a device may declare.
    public static let maxActuators = 16
    /// Mat zones a device may declare.
    public static let maxMatZones = 64
    /// Zones one MatReport carries at most.
    public static let maxZonesPerReport = 22
    /// Bytes of UTF-8 in a text field (vendor, model, serial).
    public static let maxTextLength = 16
}

/// Storage for one raw frame (before COBS): `WireLimits.maxRawFrame` bytes.
public typealias RawFrameBytes = InlineArray<62, UInt8>
/// Storage for one COBS-encoded frame without its delimiter: `WireLimits.maxEncodedFrame` bytes.
public typealias EncodedFrameBytes = InlineArray<63, UInt8>
