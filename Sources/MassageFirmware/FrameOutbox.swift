import MassageWire

/// The frames the core has to send, oldest first: a fixed ring, so the core never
/// allocates. When it is full a new frame is dropped and counted (the transport is not
/// draining; periodic reports will carry the state again).
///
/// On a microcontroller (Embedded Swift) it holds 8 frames, on a host 16. A firmware's
/// main loop sends the queue after every frame it receives and after every step, and
/// neither queues more than 5 (a Nak and an answer; a StatusReport, 3 MatReports for 64
/// zones and a Fault), so 8 never overflows there; the 8 frames it saves are 544 bytes of
/// a 16 KB part's RAM, and about twice that again of start-up stack, where the ring is
/// built before it is copied (issue 14). The simulator may feed many frames between
/// drains, so it keeps 16.
struct FrameOutbox: Sendable {
    #if hasFeature(Embedded)
    static let capacity = 8
    private var frames: InlineArray<8, WireFrame>
    #else
    static let capacity = 16
    private var frames: InlineArray<16, WireFrame>
    #endif
    private var head = 0
    private(set) var count = 0
    /// Frames dropped because the ring was full.
    private(set) var overflows = 0

    init() {
        frames = InlineArray(repeating: WireFrame())
    }

    @inline(never) // the encoding buffer lives in one frame, not in every caller's (stack, issue 14)
    mutating func push(_ frame: Frame) { pushEncoded(frame.encoded()) }

    mutating func pushEncoded(_ frame: WireFrame) {
        guard count < Self.capacity else {
            overflows &+= 1
            return
        }
        frames[(head + count) % Self.capacity] = frame
        count += 1
    }

    mutating func pop() -> WireFrame? {
        guard count > 0 else { return nil }
        let frame = frames[head]
        head = (head + 1) % Self.capacity
        count -= 1
        return frame
    }
}
