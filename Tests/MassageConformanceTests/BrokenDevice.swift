import Foundation
import MassageConformance
import MassageKit
import Synchronization

/// A deliberately broken device: the in-process simulator behind a link that breaks one
/// promise, so the suite can be shown to fail.
final class BrokenDevice: Transport, @unchecked Sendable {
    // @unchecked: `inner` is itself Sendable, `state` is a Mutex, `beat` is set once in
    // init and only read after.
    enum Breakage: Sendable {
        /// Drops a SetOutputs that comes within 5 ms of the last one it let through: the
        /// protocol-1 rate limit that kept motors at 1000 after an all-zero frame.
        case dropNewestSetOutputs
        /// Never trips its watchdog: the link feeds it a Heartbeat every 50 ms of its own.
        case ignoresWatchdog
    }

    let inner: any Transport
    let breakage: Breakage
    final class State: Sendable {
        let value = Mutex<(lastOutputs: ContinuousClock.Instant?, pending: [UInt8], closed: Bool)>((nil, [], false))
        func withLock<R>(_ body: (inout (lastOutputs: ContinuousClock.Instant?, pending: [UInt8], closed: Bool)) -> R) -> R {
            value.withLock { body(&$0) }
        }
    }
    let state = State()
    var beat: Thread?

    init(_ inner: any Transport, _ breakage: Breakage) {
        self.inner = inner
        self.breakage = breakage
        if breakage == .ignoresWatchdog {
            let thread = Thread { [inner, state] in
                var seq: UInt8 = 200
                while !state.withLock({ $0.closed }) {
                    seq &+= 1
                    try? inner.send(RawFrame(version: 2, type: WireType.heartbeat, sequence: seq).wire)
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
            thread.start()
            beat = thread
        }
    }

    var endpoint: String { "broken(\(inner.endpoint))" }

    func send(_ bytes: [UInt8]) throws(TransportError) {
        guard breakage == .dropNewestSetOutputs else { return try inner.send(bytes) }
        // Split into frames; forward all but the SetOutputs that come too soon.
        let frames: [[UInt8]] = state.withLock { s in
            var out: [[UInt8]] = []
            for byte in bytes {
                s.pending.append(byte)
                if byte == 0 {
                    out.append(s.pending)
                    s.pending.removeAll()
                }
            }
            return out
        }
        for frame in frames {
            if let raw = RawFrame.parse(encoded: Array(frame.dropLast())), raw.type == WireType.setOutputs {
                let now = ContinuousClock.now
                let tooSoon = state.withLock { s in
                    if let last = s.lastOutputs, now - last < .milliseconds(5) { return true }
                    s.lastOutputs = now
                    return false
                }
                if tooSoon { continue }
            }
            try inner.send(frame)
        }
    }

    func receive(timeout: Duration) throws(TransportError) -> [UInt8] { try inner.receive(timeout: timeout) }
    func wakeReceive() { inner.wakeReceive() }

    func close() {
        state.withLock { $0.closed = true }
        inner.close()
    }
}
