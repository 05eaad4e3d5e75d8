import MassageWire

/// The frames the core has to send, oldest first: a fixed ring, so the core never
/// allocates. When it is full a new frame is dropped and counted (the transport is not
/// draining; periodic reports will carry the state again).
struct FrameOutbox: Sendable {
    static let capacity = 16
    private var frames: InlineArray<16, WireFrame>
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
