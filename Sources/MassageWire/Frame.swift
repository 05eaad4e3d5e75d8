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
    #if hasFeature(Embedded)
    @inlinable
    public func encoded() -> WireFrame { encodedInline() }
    #else
    // Inlined on hosts: the frame is then written where the caller keeps it, not copied
    // out of a call. Not on microcontrollers, where it stays one function (flash).
    @inlinable @inline(__always)
    public func encoded() -> WireFrame { encodedInline() }
    #endif

    @inlinable @inline(__always)
    func encodedInline() -> WireFrame {
        // The raw frame is written from index 1 and COBS-encoded where it lies: no
        // second buffer, no copy. The type byte (index 2) comes from the same switch on
        // the message as the payload.
        var writer = ByteWriter()
        writer.u8(version)
        writer.u8(0)
        writer.u8(sequence)
        writer.bytes[unchecked: 2] = message.writePayload(into: &writer).rawValue
        return writer.sealed()
    }

    /// Decodes one raw frame (after COBS), checking length, CRC, version, type and
    /// payload in the order PROTOCOL.md section 2.4 gives.
    @inlinable
    public static func decode(raw: RawFrameBytes, count: Int) throws(FrameError) -> Frame {
        var reader = ByteReader(raw)
        return try decode(&reader, count: count)
    }

    /// Decodes one frame as it came off the wire: `bytes[start ..< end]`, COBS-encoded,
    /// without its 0x00 delimiter. The bytes must hold no 0x00 and be at most
    /// `WireLimits.maxEncodedFrame` long (what `FrameDecoder` passes). Errors come in the
    /// order PROTOCOL.md section 2.4 gives, malformed COBS first.
    @inlinable
    static func decode(encoded bytes: Span<UInt8>, from start: Int, to end: Int) throws(FrameError) -> Frame {
        var reader = ByteReader()
        if start < end { _ = COBS.copyFrame(bytes, from: start, to: end, into: &reader.bytes) }
        return try decode(copied: bytes, from: start, to: end, into: &reader)
    }

    /// `decode(encoded:from:to:)` once `COBS.copyFrame` has copied the frame into `reader`.
    @inlinable
    static func decode(
        copied bytes: Span<UInt8>, from start: Int, to end: Int, into reader: inout ByteReader
    ) throws(FrameError) -> Frame {
        guard let count = COBS.restoreZeros(bytes, from: start, to: end, into: &reader.bytes) else {
            throw .malformedCOBS
        }
        return try decode(&reader, count: count)
    }

    /// Decodes the raw frame `reader.bytes[0 ..< count]`.
    @inlinable
    static func decode(_ reader: inout ByteReader, count: Int) throws(FrameError) -> Frame {
        guard count >= WireLimits.minRawFrame else { throw .truncated(length: count) }
        precondition(count <= WireLimits.maxRawFrame, "Frame.decode: count larger than a raw frame")
        // The CRC of everything before the last four bytes must equal them: the same
        // test as feeding all `count` bytes and comparing with `CRC32C.residue`, four
        // bytes shorter.
        let crcStart = count &- WireLimits.crcSize
        var crc = CRC32C()
        crc.update(unchecked: reader.bytes.span, from: 0, to: crcStart)
        // Unchecked: 0 ≤ crcStart and crcStart + 4 = count ≤ 62 (checked above).
        let sent = UInt32(reader.bytes[unchecked: crcStart]) | UInt32(reader.bytes[unchecked: crcStart &+ 1]) << 8
            | UInt32(reader.bytes[unchecked: crcStart &+ 2]) << 16 | UInt32(reader.bytes[unchecked: crcStart &+ 3]) << 24
        guard crc.value == sent else { throw .badCRC }
        // Unchecked: count ≥ 7, checked above.
        let header = FrameHeader(version: reader.bytes[unchecked: 0], type: reader.bytes[unchecked: 1],
                                 sequence: reader.bytes[unchecked: 2])
        // Version 2 for every type; version 1 only for the negotiation frames (Hello
        // and its answer), so that peers of any version can negotiate (PROTOCOL.md 3).
        let type = MessageType.decoding(header.type)
        guard header.version == WireLimits.protocolVersion
            || (header.version == WireLimits.negotiationVersion && type?.isNegotiation == true)
        else { throw .unsupportedVersion(header) }
        guard let type else { throw .unknownType(header) }
        reader.offset = WireLimits.headerSize
        reader.end = crcStart
        guard let message = Message.read(type, from: &reader) else { throw .malformedPayload(header) }
        return Frame(version: header.version, sequence: header.sequence, message: message)
    }
}

extension FixedList {
    /// A list of the first `count` elements of `storage`.
    @inlinable
    init(storage: InlineArray<capacity, Element>, count: Int) {
        precondition(count >= 0 && count <= capacity)
        self.storage = storage
        _count = count
    }
}

extension ByteWriter {
    /// The frame on the wire, once header and payload are written: appends the CRC-32C
    /// and COBS-encodes in place, delimiter included. One pass finds the 0x00s: at each,
    /// the pending code byte (index 0 first) gets the distance to it, and it becomes the
    /// next pending code byte. With the tables, the same pass computes the CRC; with the
    /// CPU's CRC instruction, one call before it does. Inlined into `Frame.encoded()`,
    /// its one caller, so the wire frame is built where it is returned.
    @inlinable @inline(__always)
    mutating func sealed() -> WireFrame {
        let payloadEnd = count
        precondition(payloadEnd >= 1 && payloadEnd <= bytes.count - 5, "ByteWriter.sealed: frame too long")
        // Every index below is < payloadEnd + 5 ≤ 64 (checked above): unchecked.
        var crc = CRC32C()
        // The CRC is fed in the pass below unless the hardware took it in one call here
        // (before any byte is patched: the CRC is of the raw frame).
        let crcInPass = !CRC32C.usesHardware
        #if canImport(CCRC32C)
        if !crcInPass { crc.updateHardware(unchecked: bytes.span, from: 1, to: payloadEnd) }
        #endif
        var code = 0
        var i = 1
        #if !hasFeature(Embedded)
        do {
            // Eight bytes per step for the CRC and the 0x00 search; a patch only ever
            // writes an earlier 0x00 (or index 0), never a byte not yet read.
            var span = bytes.mutableSpan
            // Two copies of the loop, so the choice of CRC is not made on every word.
            if crcInPass {
                while payloadEnd &- i >= 8 {
                    let word = UInt64(littleEndian: span.bytes.unsafeLoadUnaligned(fromUncheckedByteOffset: i, as: UInt64.self))
                    crc.update(word: word)
                    ByteWriter.patchZeros(of: word, at: i, code: &code, in: &span)
                    i &+= 8
                }
            } else {
                while payloadEnd &- i >= 8 {
                    let word = UInt64(littleEndian: span.bytes.unsafeLoadUnaligned(fromUncheckedByteOffset: i, as: UInt64.self))
                    ByteWriter.patchZeros(of: word, at: i, code: &code, in: &span)
                    i &+= 8
                }
            }
        }
        #endif
        while i < payloadEnd {
            let byte = bytes[unchecked: i]
            if crcInPass { crc.update(byte) }
            if byte == 0 {
                bytes[unchecked: code] = UInt8(truncatingIfNeeded: i &- code)
                code = i
            }
            i &+= 1
        }
        let value = crc.value
        for k in 0..<4 { bytes[unchecked: payloadEnd &+ k] = UInt8(truncatingIfNeeded: value >> (8 &* UInt32(k))) }
        count = payloadEnd &+ 4
        #if !hasFeature(Embedded)
        // The four CRC bytes' 0x00s, straight from the value (the top half of the word
        // is all ones, so never marked).
        var zeros = zeroByteMask(UInt64(value) | 0xFFFF_FFFF_0000_0000)
        while zeros != 0 {
            let zero = i &+ zeros.trailingZeroBitCount >> 3
            bytes[unchecked: code] = UInt8(truncatingIfNeeded: zero &- code)
            code = zero
            zeros &= zeros &- 1
        }
        i = count
        #endif
        while i < count {
            if bytes[unchecked: i] == 0 {
                bytes[unchecked: code] = UInt8(truncatingIfNeeded: i &- code)
                code = i
            }
            i &+= 1
        }
        bytes[unchecked: code] = UInt8(truncatingIfNeeded: count &- code)
        bytes[unchecked: count] = 0
        return WireFrame(storage: bytes, count: count &+ 1)
    }

    #if !hasFeature(Embedded)
    /// For the eight bytes `word` at index `i` (the first in the low bits): at each 0x00,
    /// the pending code byte `span[code]` gets the distance to it, and it becomes the
    /// pending code byte. `code` and every 0x00 are indices of `span` (the caller's
    /// bounds): unchecked.
    @inlinable @inline(__always)
    static func patchZeros(of word: UInt64, at i: Int, code: inout Int, in span: inout MutableSpan<UInt8>) {
        var zeros = zeroByteMask(word)
        while zeros != 0 {
            let zero = i &+ zeros.trailingZeroBitCount >> 3
            span[unchecked: code] = UInt8(truncatingIfNeeded: zero &- code)
            code = zero
            zeros &= zeros &- 1
        }
    }
    #endif
}
