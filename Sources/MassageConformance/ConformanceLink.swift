import Foundation
import MassageKit

/// A frame the device sent, with when this host read it.
public struct Received: Sendable {
    public var frame: RawFrame
    public var at: ContinuousClock.Instant
}

/// What a device answered a request with.
public enum Answer: Sendable, CustomStringConvertible {
    case frame(RawFrame)
    /// No answer within the time (every try).
    case silence

    public var frame: RawFrame? { if case .frame(let f) = self { f } else { nil } }

    /// The Nak reason, if the answer is a Nak.
    public var nakReason: UInt8? {
        guard let f = frame, f.type == WireType.nak, f.payload.count == 2 else { return nil }
        return f.payload[1]
    }

    public var isAck: Bool { frame?.type == WireType.ack }

    public var description: String {
        guard let f = frame else { return "no answer" }
        switch f.type {
        case WireType.ack: return "Ack"
        case WireType.nak: return "Nak(\(nakReason.map(NakCode.name) ?? "?"))"
        case WireType.info: return "Info"
        case WireType.config: return "Config"
        case WireType.status: return "Status"
        default: return "type 0x\(String(f.type, radix: 16))"
        }
    }
}

/// Why the suite could not go on with a device.
public struct ConformanceError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The suite's own end of the link: raw frames out, raw frames in, timestamped. It keeps
/// every unsolicited frame (StatusReport, MatReport, Fault) in `unsolicited` so that a
/// check can look at what the device sent on its own while it waited for an answer.
/// One thread uses it at a time (the suite runs checks one after another).
public final class ConformanceLink {
    let open: () throws -> any Transport
    private(set) var transport: any Transport
    private var pending: [UInt8] = []
    private var inbox: [Received] = []
    /// Unsolicited frames in arrival order, since the last `clearUnsolicited()`.
    public private(set) var unsolicited: [Received] = []
    /// Byte runs that were not a good frame (COBS, length or CRC wrong): a device must
    /// never send one.
    public private(set) var garbledFromDevice = 0
    /// The longest wire frame the device sent, delimiter included (at most 64: PROTOCOL 2.3).
    public private(set) var longestFromDevice = 0
    /// Frames (good or not) read from the device.
    public private(set) var framesFromDevice = 0
    private var seq: UInt8 = 0
    /// The header version frames are sent with after the handshake.
    public var version: UInt8 = 2
    let clock = ContinuousClock()

    init(open: @escaping () throws -> any Transport) throws {
        self.open = open
        transport = try open()
        // PROTOCOL 2.3: a sender writes a 0x00 first, flushing a partial frame.
        try send(bytes: [0])
    }

    /// Closes the link and opens it again (a device that went away, or a check that needs
    /// a fresh connection).
    func reopen() throws {
        transport.close()
        pending.removeAll()
        inbox.removeAll()
        transport = try open()
        try send(bytes: [0])
    }

    func close() { transport.close() }

    /// The next sequence number (PROTOCOL 5: previous + 1 mod 256).
    public func nextSequence() -> UInt8 {
        seq &+= 1
        return seq
    }

    public func send(bytes: [UInt8]) throws {
        do {
            try transport.send(bytes)
        } catch {
            throw ConformanceError("sending to \(transport.endpoint) failed: \(error)")
        }
    }

    public func send(_ frame: RawFrame) throws { try send(bytes: frame.wire) }

    /// Sends a frame of `type` with the next sequence number; returns the frame.
    @discardableResult
    public func send(type: UInt8, payload: [UInt8] = [], version: UInt8? = nil) throws -> RawFrame {
        let frame = RawFrame(version: version ?? self.version, type: type, sequence: nextSequence(), payload: payload)
        try send(frame)
        return frame
    }

    /// Reads what arrived, waiting up to `timeout` for something.
    private func pump(timeout: Duration) throws {
        let bytes: [UInt8]
        do {
            bytes = try transport.receive(timeout: timeout)
        } catch {
            throw ConformanceError("receiving from \(transport.endpoint) failed: \(error)")
        }
        let now = clock.now
        for byte in bytes {
            if byte != 0 {
                pending.append(byte)
                if pending.count > 200 { pending.removeFirst(pending.count - 200) }
                continue
            }
            if pending.isEmpty { continue }
            longestFromDevice = max(longestFromDevice, pending.count + 1)
            framesFromDevice += 1
            if let frame = RawFrame.parse(encoded: pending) {
                let received = Received(frame: frame, at: now)
                if WireType.isUnsolicited(frame.type) { unsolicited.append(received) }
                inbox.append(received)
            } else {
                garbledFromDevice += 1
            }
            pending.removeAll(keepingCapacity: true)
        }
    }

    /// The first frame after now that `matches`, waiting up to `timeout`; frames that do
    /// not match are passed over (unsolicited ones stay in `unsolicited`).
    public func wait(for timeout: Duration, _ matches: (RawFrame) -> Bool) throws -> Received? {
        let deadline = clock.now + timeout
        while true {
            while !inbox.isEmpty {
                let next = inbox.removeFirst()
                if matches(next.frame) { return next }
            }
            let left = deadline - clock.now
            if left <= .zero { return nil }
            try pump(timeout: min(left, .milliseconds(20)))
        }
    }

    /// Reads and keeps whatever comes for `duration` (unsolicited frames go to
    /// `unsolicited`); returns every frame that came.
    @discardableResult
    public func listen(for duration: Duration) throws -> [Received] {
        var all: [Received] = []
        let deadline = clock.now + duration
        while clock.now < deadline {
            while !inbox.isEmpty { all.append(inbox.removeFirst()) }
            let left = deadline - clock.now
            if left <= .zero { break }
            try pump(timeout: min(left, .milliseconds(20)))
        }
        while !inbox.isEmpty { all.append(inbox.removeFirst()) }
        return all
    }

    /// Drops frames already read and not yet looked at, and what waits in the transport.
    public func drain() throws {
        try pump(timeout: .zero)
        inbox.removeAll()
    }

    public func clearUnsolicited() { unsolicited.removeAll() }

    /// Sends `frame` and waits for the answer that carries its sequence number (any
    /// answer type: Info, Config, Ack, Nak, Status). `tries` sends with the same
    /// sequence number (PROTOCOL 5), each waiting `timeout` (the suite's timeouts are
    /// generous: CI machines are loaded; timing checks measure on the device's clock).
    public func request(_ frame: RawFrame, timeout: Duration = .milliseconds(400), tries: Int = 3) throws -> Answer {
        for _ in 0..<max(1, tries) {
            try send(frame)
            if let got = try wait(for: timeout, { Self.isAnswer($0) && $0.sequence == frame.sequence }) {
                return .frame(got.frame)
            }
        }
        return .silence
    }

    /// `request` for a new frame of `type`.
    public func request(type: UInt8, payload: [UInt8] = [], version: UInt8? = nil,
                        timeout: Duration = .milliseconds(400), tries: Int = 3) throws -> Answer {
        let frame = RawFrame(version: version ?? self.version, type: type, sequence: nextSequence(), payload: payload)
        return try request(frame, timeout: timeout, tries: tries)
    }

    static func isAnswer(_ frame: RawFrame) -> Bool {
        switch frame.type {
        case WireType.info, WireType.config, WireType.ack, WireType.nak, WireType.status: true
        default: false
        }
    }
}
