/// One direction of a simulated link with the faults of a `FaultPlan`: bytes go in at a
/// time and come out when they are due, perhaps late, corrupted or never. Frames are
/// lost whole (the pipe finds them by their 0x00 delimiters); order is always kept.
struct FaultyPipe: Sendable {
    let faults: FaultPlan
    /// Bytes in flight with the time they arrive, oldest first, from `head` on.
    private var inFlight: [(time: UInt64, byte: UInt8)] = []
    private var head = 0
    /// When the frame being sent arrives (drawn at its first byte), while frames cannot
    /// be dropped.
    private var frameArrival: UInt64? = nil
    /// The frame being collected while frames can be dropped.
    private var frame: [UInt8] = []
    /// The latest arrival time handed out: nothing may arrive before it (no reordering).
    private var lastArrival: UInt64 = 0
    /// Bytes and frames lost to faults, for the simulator's log.
    private(set) var framesDropped = 0
    private(set) var bytesCorrupted = 0

    init(faults: FaultPlan) {
        self.faults = faults
        inFlight.reserveCapacity(4096)
        frame.reserveCapacity(64)
    }

    func isDisconnected(at now: UInt64) -> Bool {
        if let at = faults.disconnectAt { return now >= at }
        return false
    }

    /// True when nothing is in flight.
    var isEmpty: Bool { head == inFlight.count }

    /// Sends `bytes` at `now`.
    mutating func send<Bytes: Sequence<UInt8>, Random: RandomNumberGenerator>(
        _ bytes: Bytes, at now: UInt64, random: inout Random
    ) {
        guard !isDisconnected(at: now) else { return }
        if faults.dropProbability == 0 {
            // No frame can be lost, so bytes need not wait for their frame's end; the
            // frame's latency is drawn at its first byte and holds until its 0x00.
            for byte in bytes {
                let time = frameArrival ?? arrival(sentAt: now, random: &random)
                frameArrival = byte == 0 ? nil : time
                enqueue(byte, at: time, random: &random)
            }
            return
        }
        for byte in bytes {
            frame.append(byte)
            guard byte == 0 else { continue }
            if Double.random(in: 0..<1, using: &random) < faults.dropProbability {
                framesDropped += 1
            } else {
                let time = arrival(sentAt: now, random: &random)
                for b in frame { enqueue(b, at: time, random: &random) }
            }
            frame.removeAll(keepingCapacity: true)
        }
    }

    /// Appends to `output` every byte that has arrived by `now`.
    mutating func receive(upTo now: UInt64, into output: inout [UInt8]) {
        guard !isDisconnected(at: now) else { return }
        while head < inFlight.count, inFlight[head].time <= now {
            output.append(inFlight[head].byte)
            head += 1
        }
        if head == inFlight.count {
            inFlight.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 4096 {
            inFlight.removeFirst(head)
            head = 0
        }
    }

    private mutating func arrival<Random: RandomNumberGenerator>(sentAt now: UInt64, random: inout Random) -> UInt64 {
        var time = now + faults.delay
        if faults.jitter > 0 { time += UInt64.random(in: 0..<faults.jitter, using: &random) }
        if let stall = faults.stall, stall.contains(time) { time = stall.upperBound }
        time = max(time, lastArrival)
        lastArrival = time
        return time
    }

    private mutating func enqueue<Random: RandomNumberGenerator>(_ byte: UInt8, at time: UInt64, random: inout Random) {
        var byte = byte
        if faults.corruptProbability > 0, Double.random(in: 0..<1, using: &random) < faults.corruptProbability {
            byte ^= 1 << UInt8.random(in: 0..<8, using: &random)
            bytesCorrupted += 1
        }
        inFlight.append((time, byte))
    }
}
