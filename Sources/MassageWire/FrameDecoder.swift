/// What a `FrameDecoder` yields: a frame, or one counted bad frame.
public enum DecodeEvent: Equatable, Sendable {
    case frame(Frame)
    case error(FrameError)
}

/// A streaming receiver (PROTOCOL.md section 2.4): bytes in any chunking in, frames and
/// counted errors out. Fixed 63-byte buffer, no allocation, and it never traps on any
/// input: garbage costs at most one bad frame per 0x00, and a good frame glued to the
/// end of garbage is still recovered.
public struct FrameDecoder: Sendable {
    @usableFromInline var buffer: EncodedFrameBytes
    @usableFromInline var count: Int
    @usableFromInline var overflowed: Bool

    /// Frames decoded so far.
    public private(set) var framesDecoded: Int = 0
    /// Bad frames counted so far (every `.error` event).
    public private(set) var framesBad: Int = 0

    /// Bytes received since the last 0x00: a frame still in flight, or garbage.
    public var pendingByteCount: Int { count }

    public init() {
        buffer = InlineArray(repeating: 0)
        count = 0
        overflowed = false
    }

    /// Feeds bytes; `handle` is called for every frame or error they complete, in order.
    @inlinable
    public mutating func feed<Bytes: Sequence<UInt8>>(_ bytes: Bytes, _ handle: (DecodeEvent) -> Void) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            feed(contiguous: buffer.span, handle)
        }
        if done == nil {
            for byte in bytes { push(byte, handle) }
        }
    }

    /// `feed` for bytes in one piece: splits them at each 0x00 with a word-wide search,
    /// and decodes a frame that arrives whole (the usual case: one USB packet is one
    /// frame) where it lies, without copying it into `buffer` first. The events are
    /// exactly those of pushing the bytes one by one.
    @inlinable
    mutating func feed(contiguous bytes: Span<UInt8>, _ handle: (DecodeEvent) -> Void) {
        var start = 0
        while start < bytes.count {
            if count == 0 && !overflowed {
                // Unchecked: start < bytes.count.
                if bytes[unchecked: start] == 0 {
                    start &+= 1   // an empty frame: nothing to report
                    continue
                }
                // Copy out the next frame while looking for its end; when the 0x00 comes
                // within 63 bytes, the frame is whole and decodes from the copy.
                var reader = ByteReader()
                let limit = min(bytes.count, start &+ WireLimits.maxEncodedFrame &+ 1)
                let stop = COBS.copyFrame(bytes, from: start, to: limit, into: &reader.bytes)
                if stop < limit {
                    finishFrame(bytes, from: start, to: stop, copied: &reader, handle)
                    start = stop &+ 1
                    continue
                }
            }
            // A frame begun in an earlier piece, one too long, or one not finished in
            // this piece: through `buffer`, as `push` would.
            let zero = firstZero(in: bytes, from: start)
            append(bytes, from: start, to: zero)
            if zero == bytes.count { return }
            finishFrame(handle)
            start = zero &+ 1
        }
    }

    /// Feeds one byte.
    @inlinable @inline(__always)
    public mutating func push(_ byte: UInt8, _ handle: (DecodeEvent) -> Void) {
        if byte == 0 {
            finishFrame(handle)
        } else if count < WireLimits.maxEncodedFrame {
            buffer[count] = byte
            count += 1
        } else {
            keepNewest(byte)
        }
    }

    /// Forgets a partial frame (after a reconnect, say).
    public mutating func reset() {
        count = 0
        overflowed = false
    }

    /// A byte past the buffer: slide the window so the newest 63 bytes stay. Rare (only
    /// garbage gets here), so a plain shift is fine.
    @usableFromInline
    mutating func keepNewest(_ byte: UInt8) {
        overflowed = true
        for i in 1..<WireLimits.maxEncodedFrame { buffer[i - 1] = buffer[i] }
        buffer[WireLimits.maxEncodedFrame - 1] = byte
    }

    /// Pushes `bytes[start ..< end]`, none of them 0x00, as `push` would one by one.
    @inlinable
    mutating func append(_ bytes: Span<UInt8>, from start: Int, to end: Int) {
        precondition(start >= 0 && start <= end && end <= bytes.count)
        let fitting = min(end &- start, WireLimits.maxEncodedFrame &- count)
        // Unchecked: count + fitting ≤ 63 and start + fitting ≤ end ≤ bytes.count.
        for i in 0..<fitting { buffer[unchecked: count &+ i] = bytes[unchecked: start &+ i] }
        count &+= fitting
        for i in (start &+ fitting)..<end { keepNewest(bytes[unchecked: i]) }
    }

    /// Ends a frame that arrived whole, `bytes[start ..< end]`, with `buffer` empty, once
    /// `COBS.copyFrame` has copied it into `reader`.
    @inlinable
    mutating func finishFrame(
        _ bytes: Span<UInt8>, from start: Int, to end: Int, copied reader: inout ByteReader,
        _ handle: (DecodeEvent) -> Void
    ) {
        do throws(FrameError) {
            let frame = try Frame.decode(copied: bytes, from: start, to: end, into: &reader)
            report(.frame(frame), handle)
        } catch {
            // Bad frames are rare: take them through `buffer`, which the recovery rules
            // (suffix search, overflow) work on.
            append(bytes, from: start, to: end)
            finishFrame(handle)
        }
    }

    // Never inlined: once per frame, and its decode temporaries (Frame, FrameError,
    // DecodeEvent) would otherwise sit in the frame of every byte-feeding caller, under
    // whatever that caller then does with the event (firmware stack, issue 14).
    @inline(never)
    @usableFromInline
    mutating func finishFrame(_ handle: (DecodeEvent) -> Void) {
        defer { count = 0; overflowed = false }
        if count == 0 && !overflowed { return }
        if overflowed {
            report(.error(.tooLong), handle)
            if let frame = decodeWhole(from: 0).frame ?? searchSuffixes() { report(.frame(frame), handle) }
            return
        }
        let whole = decodeWhole(from: 0)
        if let frame = whole.frame {
            report(.frame(frame), handle)
            return
        }
        guard let error = whole.error else { return }
        report(.error(error), handle)
        // Only when nothing in the whole could be trusted (the CRC failed) can a good
        // frame hide at its end, glued to garbage with no 0x00 between them.
        if error.header == nil, let frame = searchSuffixes() { report(.frame(frame), handle) }
    }

    @inline(__always)
    @usableFromInline
    mutating func report(_ event: DecodeEvent, _ handle: (DecodeEvent) -> Void) {
        switch event {
        case .frame: framesDecoded += 1
        case .error: framesBad += 1
        }
        handle(event)
    }

    @usableFromInline
    func decodeWhole(from start: Int) -> (frame: Frame?, error: FrameError?) {
        Self.decode(buffer.span, from: start, to: count)
    }

    /// Decodes the encoded frame `bytes[start ..< end]` (no 0x00, at most 63 bytes).
    @inlinable
    static func decode(_ bytes: Span<UInt8>, from start: Int, to end: Int) -> (frame: Frame?, error: FrameError?) {
        do throws(FrameError) {
            return (try Frame.decode(encoded: bytes, from: start, to: end), nil)
        } catch {
            return (nil, error)
        }
    }

    /// The longest suffix of the buffer that is a whole, valid frame.
    @usableFromInline
    func searchSuffixes() -> Frame? {
        let shortest = WireLimits.minRawFrame + 1
        var start = 1
        while count - start >= shortest {
            if let frame = decodeWhole(from: start).frame { return frame }
            start += 1
        }
        return nil
    }
}

/// The index of the first 0x00 in `bytes[start...]`, or `bytes.count` when there is none.
@inlinable
func firstZero(in bytes: Span<UInt8>, from start: Int) -> Int {
    precondition(start >= 0 && start <= bytes.count)
    let end = bytes.count
    var i = start
    #if !hasFeature(Embedded)
    // Eight bytes per step; the loads stay inside the span (the last, partial word is the
    // eight bytes ending at `end`, those before `i` masked off).
    let raw = bytes.bytes
    while end &- i >= 8 {
        let mask = zeroByteMask(UInt64(littleEndian: raw.unsafeLoadUnaligned(fromUncheckedByteOffset: i, as: UInt64.self)))
        if mask != 0 { return i &+ mask.trailingZeroBitCount >> 3 }
        i &+= 8
    }
    if i < end && end >= 8 {
        let base = end &- 8
        let word = UInt64(littleEndian: raw.unsafeLoadUnaligned(fromUncheckedByteOffset: base, as: UInt64.self))
        let mask = zeroByteMask(word) & (~0 << (8 &* UInt64(i &- base)))
        return mask != 0 ? base &+ mask.trailingZeroBitCount >> 3 : end
    }
    #endif
    // Unchecked: start ≤ i < end = bytes.count.
    while i < end {
        if bytes[unchecked: i] == 0 { return i }
        i &+= 1
    }
    return end
}
