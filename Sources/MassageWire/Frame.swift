/// The bytes of one frame on the wire: COBS-encoded, 0x00 delimiter included, at most
/// 64 bytes (one full-speed USB bulk packet).
public typealias WireFrame = FixedList<64, UInt8>

/// One message with its header (PROTOCOL.md section 2.1).
public struct Frame: Equatable, Sendable {
    /// The protocol version the frame is written in.
    public var version: UInt8
    /// The sequence number: the sender's counter, or for an answer the request's.
    public var sequence: UInt8
    public var message: Message

    public init(version: UInt8 = WireLimits.protocolVersion, sequence: UInt8, message: Message) {
        self.version = version
        self.sequence = sequence
        self.message = message
    }

    /// The frame as it goes on the wire: header, payload, CRC-32C, COBS, 0x00.
    @inlinable
    public func encoded() -> WireFrame {
        var raw = ByteWriter()
        raw.u8(version)
        raw.u8(message.type.rawValue)
        raw.u8(sequence)
        message.writePayload(into: &raw)
        var crc = CRC32C()
        crc.update(raw.bytes, 0..<raw.count)
        raw.u32(crc.value)

        var wire = WireFrame(filler: 0)
        let length = COBS.encode(raw.bytes, count: raw.count, into: &wire.storage)
        wire.storage[length] = 0
        wire.setCount(length + 1)
        return wire
    }

    /// Decodes one raw frame (after COBS), checking length, CRC, version, type and
    /// payload in the order PROTOCOL.md section 2.4 gives.
    @inlinable
    public static func decode(raw: RawFrameBytes, count: Int) throws(FrameError) -> Frame {
        guard count >= WireLimits.minRawFrame else { throw .truncated(length: count) }
        var crc = CRC32C()
        crc.update(raw, 0..<count)
        guard crc.register == CRC32C.residue else { throw .badCRC }
        let header = FrameHeader(version: raw[0], type: raw[1], sequence: raw[2])
        guard header.version == WireLimits.protocolVersion else { throw .unsupportedVersion(header) }
        guard let type = MessageType(rawValue: header.type) else { throw .unknownType(header) }
        var reader = ByteReader(raw, from: WireLimits.headerSize, to: count - WireLimits.crcSize)
        guard let message = Message.read(type, from: &reader) else { throw .malformedPayload(header) }
        return Frame(version: header.version, sequence: header.sequence, message: message)
    }
}

extension FixedList {
    @usableFromInline
    mutating func setCount(_ newCount: Int) {
        precondition(newCount >= 0 && newCount <= capacity)
        _count = newCount
    }
}
