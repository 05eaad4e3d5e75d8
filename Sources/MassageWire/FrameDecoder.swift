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
            for byte in buffer { push(byte, handle) }
        }
        if done == nil {
            for byte in bytes { push(byte, handle) }
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
        var raw = RawFrameBytes(repeating: 0)
        guard let length = COBS.decode(buffer, from: start, to: count, into: &raw) else {
            return (nil, .malformedCOBS)
        }
        do throws(FrameError) {
            return (try Frame.decode(raw: raw, count: length), nil)
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
