import Foundation
@testable import MassageKit
import MassageSimulator
import MassageWire
import PropertyBased
import Synchronization
import Testing

/// A simulator's link that can be told to fail: its sends, or its receives, with a given
/// error, from the moment it is armed. It records when the first failure happened and how
/// often it was called afterwards, and every frame the host sent.
final class FailingTransport: Transport {
    enum Failing: Sendable { case send(TransportError), receive(TransportError) }

    let inner: any Transport
    let failing = Mutex<Failing?>(nil)
    /// Monotonic µs of the first failure thrown.
    let failedAt = Mutex<UInt64?>(nil)
    let callsAfterFailure = Atomic<Int>(0)
    let sentFrames = Mutex<[Frame]>([])
    let decoder = Mutex(FrameDecoder())
    let closed = Atomic<Bool>(false)
    var isClosed: Bool { closed.load(ordering: .relaxed) }
    /// Milliseconds every send takes first (a device that is slow to take data).
    let sendDelay = Atomic<Int>(0)

    init(_ inner: any Transport) { self.inner = inner }

    var endpoint: String { "failing \(inner.endpoint)" }

    func arm(_ failure: Failing) { failing.withLock { $0 = failure } }

    private func fail(_ error: TransportError) throws(TransportError) -> Never {
        failedAt.withLock { if $0 == nil { $0 = Syscalls.monotonicMicroseconds() } }
        callsAfterFailure.add(1, ordering: .relaxed)
        throw error
    }

    func send(_ bytes: [UInt8]) throws(TransportError) {
        if case .send(let error) = failing.withLock({ $0 }) { try fail(error) }
        let delay = sendDelay.load(ordering: .relaxed)
        if delay > 0 { Thread.sleep(forTimeInterval: Double(delay) / 1000) }
        decoder.withLock { decoder in
            decoder.feed(bytes) { event in
                if case .frame(let frame) = event { sentFrames.withLock { $0.append(frame) } }
            }
        }
        try inner.send(bytes)
    }

    func receive(timeout: Duration) throws(TransportError) -> [UInt8] {
        if case .receive(let error) = failing.withLock({ $0 }) { try fail(error) }
        return try inner.receive(timeout: timeout)
    }

    func wakeReceive() { inner.wakeReceive() }

    func close() {
        closed.store(true, ordering: .relaxed)
        inner.close()
    }
}

/// Opens one simulator behind a ``FailingTransport``; later opens (reconnects) find no
/// device, as after an unplug.
final class FailingOpener: Sendable {
    let simulator = Mutex<LocalSimulator?>(nil)
    let transport = Mutex<FailingTransport?>(nil)
    let opens = Atomic<Int>(0)

    var opener: DeviceSession.Opener {
        { _ throws(TransportError) in
            guard self.opens.add(1, ordering: .relaxed).newValue == 1 else {
                throw .notFound(what: "no device", hint: "plug it in")
            }
            let simulator = try LocalSimulator(profile: "handheld-ring4")
            let transport = FailingTransport(simulator.transport)
            self.simulator.withLock { $0 = simulator }
            self.transport.withLock { $0 = transport }
            return transport
        }
    }

    func stop() { _ = simulator.withLock { $0 }?.stop() }
}

/// Collects the session's events with the monotonic time the owner thread emitted them.
final class EventLog: Sendable {
    let events = Mutex<[(at: UInt64, event: DeviceSession.Event)]>([])
    let arrived = DispatchSemaphore(value: 0)

    func record(_ event: DeviceSession.Event) {
        events.withLock { $0.append((Syscalls.monotonicMicroseconds(), event)) }
        arrived.signal()
    }

    /// The first connection event, waiting at most `bound`.
    func firstConnectionEvent(within bound: TimeInterval) -> (at: UInt64, event: DeviceSession.ConnectionEvent)? {
        let deadline = Date().addingTimeInterval(bound)
        while true {
            let found = events.withLock { events in
                events.lazy.compactMap { entry -> (UInt64, DeviceSession.ConnectionEvent)? in
                    if case .connection(let change) = entry.event { return (entry.at, change) }
                    return nil
                }.first
            }
            if let found { return (found.0, found.1) }
            guard arrived.wait(timeout: .now() + max(0, deadline.timeIntervalSinceNow)) == .success else { return nil }
        }
    }
}

/// The owner thread: failures reported as events at once, no spinning afterwards, a
/// dropped session that ends, and Stop that nothing overtakes.
@Suite(.serialized) struct SessionOwnerTests {
    static let failures: [(String, FailingTransport.Failing)] = [
        ("send io", .send(.io(endpoint: "test", operation: "write", detail: "Input/output error (errno 5)"))),
        ("send disconnected", .send(.disconnected(endpoint: "test", reason: "the peer closed the connection"))),
        ("receive io", .receive(.io(endpoint: "test", operation: "read", detail: "Input/output error (errno 5)"))),
        ("receive disconnected", .receive(.disconnected(endpoint: "test", reason: "the peer hung up"))),
    ]

    /// The end is reported within 50 ms of the failing call (timed on the owner thread
    /// itself, so the shared pool's delays do not count), and the thread then uses under
    /// 1 % of a CPU over a second while it looks for the device again.
    @Test(arguments: 0..<4) func aFailingTransportIsReportedAtOnceAndTheThreadThenRests(_ which: Int) throws {
        let (name, failure) = Self.failures[which]
        let opener = FailingOpener()
        defer { opener.stop() }
        let session = try DeviceSession.connectWaiting(open: opener.opener)
        defer { session.close() }
        let log = EventLog()
        session.addObserver { log.record($0) }
        var levels = OutputLevels.off(actuatorCount: 4)
        levels.intensities[0] = 300
        try session.setOutputs(levels)   // outputs flow, as in a run
        let transport = try #require(opener.transport.withLock { $0 })
        transport.arm(failure)
        if case .receive = failure { try? session.setOutputs(levels) } else { try session.setOutputs(levels) }

        let first = try #require(log.firstConnectionEvent(within: 5), "\(name): no connection event within 5 s")
        let failedAt = try #require(transport.failedAt.withLock { $0 })
        let latency = Double(first.at - min(first.at, failedAt)) / 1000
        print("\(name): \(first.event) \(latency) ms after the failure")
        guard case .linkLost(.transport) = first.event else {
            Issue.record("\(name): expected link loss from the transport, got \(first.event)")
            return
        }
        #expect(latency < 50, "\(name): the end came \(latency) ms after the failure")
        #expect(transport.isClosed, "\(name): the failed transport was not closed")

        let calls = transport.callsAfterFailure.load(ordering: .relaxed)
        let cpuBefore = session.ownerCPUTime
        Thread.sleep(forTimeInterval: 1)
        let cpu = session.ownerCPUTime - cpuBefore
        let callsLater = transport.callsAfterFailure.load(ordering: .relaxed)
        print("\(name): owner thread used \(cpu) of CPU in 1 s after the failure; \(callsLater) failing calls")
        #expect(cpu < .milliseconds(10), "\(name): the owner thread used \(cpu) of CPU in 1 s (over 1 %)")
        #expect(callsLater == calls, "\(name): the failed transport was called again (\(callsLater - calls) times)")
        #expect(opener.opens.load(ordering: .relaxed) >= 2, "\(name): the session did not look for the device again")
    }

    /// With reconnect off, the end is the last event, and it is `.ended`.
    @Test func withoutReconnectTheFailureEndsTheSession() throws {
        let opener = FailingOpener()
        defer { opener.stop() }
        var options = DeviceSession.Options()
        options.reconnect = false
        let session = try DeviceSession.connectWaiting(options: options, open: opener.opener)
        let log = EventLog()
        session.addObserver { log.record($0) }
        let transport = try #require(opener.transport.withLock { $0 })
        transport.arm(.send(.disconnected(endpoint: "test", reason: "unplugged")))
        let first = try #require(log.firstConnectionEvent(within: 5))
        #expect(first.event == .ended(.transport(.disconnected(endpoint: "test", reason: "unplugged"))))
        let failedAt = try #require(transport.failedAt.withLock { $0 })
        #expect(Double(first.at - min(first.at, failedAt)) / 1000 < 50)
        #expect(throws: SessionError.self) { try session.setOutputs(.off(actuatorCount: 4)) }
        session.close()
        #expect(log.events.withLock { $0.count { if case .connection(.ended) = $0.event { true } else { false } } } == 1,
                "`.ended` is reported exactly once")
    }

    /// A slow send holds up only the owner: other threads read the session, and Stop's
    /// bound is kept, while the owner is inside a 1.5 s send.
    @Test func aSlowSendDoesNotBlockOtherThreads() throws {
        let opener = FailingOpener()
        defer { opener.stop() }
        let session = try DeviceSession.connectWaiting(open: opener.opener)
        defer { session.close() }
        let transport = try #require(opener.transport.withLock { $0 })
        transport.sendDelay.store(1500, ordering: .relaxed)
        var levels = OutputLevels.off(actuatorCount: 4)
        levels.intensities[2] = 100
        try session.setOutputs(levels)
        Thread.sleep(forTimeInterval: 0.1)   // the owner is now inside the send
        let started = ContinuousClock.now
        for _ in 0..<100 { _ = session.latestStatus; _ = session.statistics }
        let outcome = session.stop(within: .milliseconds(200))
        let elapsed = ContinuousClock.now - started
        transport.sendDelay.store(0, ordering: .relaxed)
        print("reads and a bounded stop took \(elapsed) during a slow send: \(outcome)")
        #expect(elapsed < .seconds(1), "reads and stop(within: 200 ms) waited \(elapsed) behind a send")
    }

    /// A session dropped without `close()` sends one Stop, closes its transport, ends its
    /// thread, and sends nothing more.
    @Test func aDroppedSessionStopsItsThreadAndSendsNoMore() throws {
        let opener = FailingOpener()
        defer { opener.stop() }
        do {
            let session = try DeviceSession.connectWaiting(open: opener.opener)
            var levels = OutputLevels.off(actuatorCount: 4)
            levels.intensities[1] = 500
            try session.setOutputs(levels)
            Thread.sleep(forTimeInterval: 0.1)
        }
        // deinit has run and joined the owner thread.
        let transport = try #require(opener.transport.withLock { $0 })
        #expect(transport.isClosed, "the transport of a dropped session stays open")
        let sent = transport.sentFrames.withLock { $0 }
        #expect(sent.last?.message == .stop, "the last frame of a dropped session is \(String(describing: sent.last?.message))")
        Thread.sleep(forTimeInterval: 0.3)   // several heartbeat periods
        #expect(transport.sentFrames.withLock { $0.count } == sent.count, "a dropped session still sends frames")
    }

    /// For any interleaving of setOutputs, offers (the scheduler's), Stop, other commands
    /// and the device's answers, no SetOutputs made before a Stop goes out after it.
    @Test func noOutputsMadeBeforeAStopGoOutAfterIt() async {
        // 0 setOutputs, 1 offer, 2 stop, 3 GetStatus in the background, 4 a pause.
        let operations = Gen.int(in: 0...4).array(of: 1...30)
        await propertyCheck(count: 25, input: operations) { operations in
            let opener = FailingOpener()
            defer { opener.stop() }
            guard let session = try? DeviceSession.connectWaiting(open: opener.opener),
                  let transport = opener.transport.withLock({ $0 }) else {
                Issue.record("no session")
                return
            }
            // Each output carries its operation's number (1...) as its intensity.
            var stopsAfterTag: [UInt16] = []
            for (index, operation) in operations.enumerated() {
                let tag = UInt16(index + 1)
                var levels = OutputLevels.off(actuatorCount: 4)
                for i in 0..<4 { levels.intensities[i] = tag }
                switch operation {
                case 0: try? session.setOutputs(levels)
                case 1: session.offer(levels)
                case 2:
                    stopsAfterTag.append(tag)
                    _ = session.stop(within: .milliseconds(1))
                case 3: DispatchQueue.global().async { _ = try? session.sendWaiting(.getStatus) }
                default: usleep(UInt32(index % 4) * 1000)   // (Thread.sleep is not for async contexts)
                }
            }
            usleep(50_000)
            session.close()
            // Walk the wire: after the k-th Stop (by sequence number; retries repeat it),
            // a SetOutputs tagged before the k-th stop call is a violation.
            var stopsSeen = Set<UInt8>()
            var bound: UInt16 = 0
            for frame in transport.sentFrames.withLock({ $0 }) {
                switch frame.message {
                case .stop:
                    if stopsSeen.insert(frame.sequence).inserted, stopsSeen.count <= stopsAfterTag.count {
                        bound = stopsAfterTag[stopsSeen.count - 1]
                    }
                case .setOutputs(let outputs):
                    let tag = outputs.intensities.first.map { UInt16($0) } ?? 0
                    #expect(tag > bound, "SetOutputs from operation \(tag) went out after the Stop of operation \(bound): \(operations)")
                default: break
                }
            }
        }
    }
}
