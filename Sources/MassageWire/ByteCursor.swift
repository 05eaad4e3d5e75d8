/// Little-endian writing into, and reading from, a raw frame buffer.
///
/// Sizes are checked by the callers before they write or read (every payload is at
/// most 55 bytes by construction, and the decoder checks each payload's exact length
/// first). The stores and loads below are unchecked, so each keeps one bounds check of
/// its own (``wireBoundsCheck(_:_:)``): a trap in release builds on hosts, where a
/// message type added later with a payload too long must stop the process rather than
/// write past the buffer; an assert in Embedded builds, where the size budget rules and
/// the test suite on hosts has proven the sizes.
@usableFromInline
struct ByteWriter {
    /// The frame as it will go on the wire. The raw frame is written from index 1: index
    /// 0 is COBS's first code byte, so `Frame.encoded()` can encode in place.
    @usableFromInline var bytes: InlineArray<64, UInt8>
    /// Where the next byte goes: 1 + the raw bytes written so far.
    @usableFromInline var count: Int

    @inlinable init() {
        bytes = InlineArray(repeating: 0)
        count = 1
    }

    @inlinable mutating func u8(_ value: UInt8) {
        // Unchecked: the largest raw frame is 62 bytes (header, payload ≤ 55 bytes as the
        // FixedList capacities bound every message, CRC), so `count` stays ≤ 63 < 64.
        wireBoundsCheck(count < 64, "ByteWriter: frame longer than the protocol allows")
        bytes[unchecked: count] = value
        count &+= 1
    }

    @inlinable mutating func u16(_ value: UInt16) {
        #if !hasFeature(Embedded)
        // One little-endian store on hosts instead of two byte stores.
        wireBoundsCheck(count + 2 <= 64, "ByteWriter: frame longer than the protocol allows")
        var span = bytes.mutableSpan
        var raw = span.mutableBytes
        raw.storeBytes(of: value.littleEndian, toUncheckedByteOffset: count, as: UInt16.self)
        count &+= 2
        #else
        u8(UInt8(truncatingIfNeeded: value))
        u8(UInt8(truncatingIfNeeded: value >> 8))
        #endif
    }

    @inlinable mutating func i16(_ value: Int16) { u16(UInt16(bitPattern: value)) }

    @inlinable mutating func u32(_ value: UInt32) {
        u16(UInt16(truncatingIfNeeded: value))
        u16(UInt16(truncatingIfNeeded: value >> 16))
    }

    @inlinable mutating func u64(_ value: UInt64) {
        u32(UInt32(truncatingIfNeeded: value))
        u32(UInt32(truncatingIfNeeded: value >> 32))
    }

    #if hasFeature(Embedded)
    @inlinable mutating func list<let n: Int>(_ values: FixedList<n, UInt16>) { writeList(values) }
    #else
    // Inlined on hosts, like `ByteReader.listToEnd`: the list is then stored straight from
    // the message instead of being copied into a call.
    @inlinable @inline(__always)
    mutating func list<let n: Int>(_ values: FixedList<n, UInt16>) { writeList(values) }
    #endif

    @inlinable @inline(__always)
    mutating func writeList<let n: Int>(_ values: FixedList<n, UInt16>) {
        u8(UInt8(truncatingIfNeeded: values.count))
        #if _endian(little)
        // The wire is little-endian like this machine, so the list's storage is already
        // its wire form: store all n slots in one fixed-size copy instead of a loop. The
        // slots past `count` land where the CRC goes next or past the frame's end, and
        // are overwritten or never read. Room for all n: checked here, and true of every
        // message (a list is the last field, and the largest ends at byte 59 of 64).
        precondition(count + 2 * n <= bytes.count, "ByteWriter.list: no room for the whole storage")
        var span = bytes.mutableSpan
        var raw = span.mutableBytes
        raw.storeBytes(of: values.storage, toUncheckedByteOffset: count, as: InlineArray<n, UInt16>.self)
        count &+= 2 &* values.count
        #else
        // Unchecked: i < values.count ≤ n.
        for i in 0..<values.count { u16(values.storage[unchecked: i]) }
        #endif
    }

    @inlinable mutating func text(_ value: ShortText) {
        u8(UInt8(truncatingIfNeeded: value.count))
        // Unchecked: i < value.count ≤ 16.
        for i in 0..<value.count { u8(value.storage[unchecked: i]) }
    }
}

/// Reads a raw frame (after COBS) that it holds itself: the decoder COBS-decodes
/// straight into `bytes`, so the frame is never copied between decoding, the CRC check
/// and reading the payload.
@usableFromInline
struct ByteReader {
    /// The raw frame from index 0; 64 bytes, not 62, because `COBS.copyFrame` copies up
    /// to a whole encoded frame and its delimiter before it knows where the frame ends.
    @usableFromInline var bytes: InlineArray<64, UInt8>
    @usableFromInline var offset: Int
    @usableFromInline var end: Int

    /// An empty reader, to be filled through `bytes`.
    @inlinable init() {
        bytes = InlineArray(repeating: 0)
        offset = 0
        end = 0
    }

    @inlinable init(_ raw: RawFrameBytes) {
        self.init()
        for i in 0..<raw.count { bytes[i] = raw[i] }
    }

    @inlinable var remaining: Int { end &- offset }

    @inlinable mutating func u8() -> UInt8 {
        // Unchecked: `Frame.decode` sets 0 ≤ offset ≤ end ≤ 58, and every reader of a
        // payload checks `remaining` before it reads (exact lengths for fixed payloads,
        // counts against the rest for lists and texts).
        wireBoundsCheck(offset >= 0 && offset < end && end <= WireLimits.maxRawFrame, "ByteReader: read past the payload")
        let value = bytes[unchecked: offset]
        offset &+= 1
        return value
    }

    @inlinable mutating func u16() -> UInt16 {
        let low = UInt16(u8())
        return low | UInt16(u8()) << 8
    }

    @inlinable mutating func i16() -> Int16 { Int16(bitPattern: u16()) }

    @inlinable mutating func u32() -> UInt32 {
        let low = UInt32(u16())
        return low | UInt32(u16()) << 16
    }

    @inlinable mutating func u64() -> UInt64 {
        let low = UInt64(u32())
        return low | UInt64(u32()) << 32
    }

    /// A count byte and that many u16s, which must fill exactly the rest of the
    /// payload; nil when the count exceeds `n` or the lengths disagree.
    #if hasFeature(Embedded)
    @inlinable mutating func listToEnd<let n: Int>(_ type: FixedList<n, UInt16>.Type) -> FixedList<n, UInt16>? {
        readListToEnd(type)
    }
    #else
    // Inlined on hosts: the list then goes straight into the message instead of being
    // copied out of a call (about 35 instructions a SetOutputs). Not on microcontrollers,
    // where three inlined copies cost some 800 bytes of flash.
    @inlinable @inline(__always)
    mutating func listToEnd<let n: Int>(_ type: FixedList<n, UInt16>.Type) -> FixedList<n, UInt16>? {
        readListToEnd(type)
    }
    #endif

    @inlinable @inline(__always)
    mutating func readListToEnd<let n: Int>(_: FixedList<n, UInt16>.Type) -> FixedList<n, UInt16>? {
        guard remaining >= 1 else { return nil }
        let count = Int(u8())
        guard count <= n, remaining == 2 * count else { return nil }
        #if _endian(little)
        // The payload is little-endian like this machine: load all n slots in one
        // fixed-size copy (see `ByteWriter.list`). The slots past `count` take whatever
        // bytes follow (the CRC, say); a FixedList never shows them. Room: checked here,
        // and true of every message (the largest list ends at byte 58 of 64).
        precondition(offset + 2 * n <= bytes.count, "ByteReader.listToEnd: no room for the whole storage")
        let storage = bytes.span.bytes.unsafeLoadUnaligned(fromUncheckedByteOffset: offset, as: InlineArray<n, UInt16>.self)
        offset &+= 2 &* count
        #else
        var storage = InlineArray<n, UInt16>(repeating: 0)
        // Unchecked: i < count ≤ n.
        for i in 0..<count { storage[unchecked: i] = u16() }
        #endif
        return FixedList(storage: storage, count: count)
    }

    /// A length byte and that many bytes of UTF-8; nil when too long, past the end, or
    /// not valid UTF-8.
    @inlinable mutating func text() -> ShortText? {
        guard remaining >= 1 else { return nil }
        let length = Int(u8())
        guard length <= WireLimits.maxTextLength, remaining >= length else { return nil }
        var text = ShortText()
        for _ in 0..<length { text.append(u8()) }
        return text.isValidUTF8 ? text : nil
    }
}

/// A bounds check in front of an unchecked store or load: `precondition` on hosts, so it
/// holds in release builds too (one compare and a branch that is never taken), and
/// `assert` in Embedded builds (debug only), where code size is the budget.
@usableFromInline @inline(__always)
func wireBoundsCheck(_ condition: @autoclosure () -> Bool, _ message: StaticString) {
    #if hasFeature(Embedded)
    assert(condition(), message)
    #else
    precondition(condition(), "\(message)")
    #endif
}
