import Foundation
import MassageControl
import MassageKit
import MassageSimulator
import MassageWire
import Synchronization
import Testing

/// A simulator's link whose sends or receives fail once armed.
final class BreakableTransport: Transport {
    let inner: any Transport
    let failure = Mutex<(send: Bool, error: TransportError)?>(nil)

    init(_ inner: any Transport) { self.inner = inner }

    var endpoint: String { "breakable \(inner.endpoint)" }

    func send(_ bytes: [UInt8]) throws(TransportError) {
        if let armed = failure.withLock({ $0 }), armed.send { throw armed.error }
        try inner.send(bytes)
    }

    func receive(timeout: Duration) throws(TransportError) -> [UInt8] {
        if let armed = failure.withLock({ $0 }), !armed.send { throw armed.error }
        return try inner.receive(timeout: timeout)
    }

    func wakeReceive() { inner.wakeReceive() }
    func close() { inner.close() }
}

/// A real ``ProgramRun`` (scheduler thread, session owner thread) on an in-process
/// simulator whose link breaks: the run stops for the link, whichever call failed.
@Suite(.serialized) struct ProgramRunLinkTests {
    static let breaks: [(send: Bool, error: TransportError)] = [
        (true, .io(endpoint: "test", operation: "write", detail: "Input/output error (errno 5)")),
        (true, .disconnected(endpoint: "test", reason: "unplugged")),
        (false, .io(endpoint: "test", operation: "read", detail: "Input/output error (errno 5)")),
        (false, .disconnected(endpoint: "test", reason: "unplugged")),
    ]

    @Test(arguments: 0..<4) func aBrokenLinkStopsTheRunForTheLink(_ which: Int) throws {
        let simulator = try LocalSimulator(profile: "handheld-ring4")
        defer { _ = simulator.stop() }
        let transport = BreakableTransport(simulator.transport)
        var options = DeviceSession.Options()
        options.reconnect = false
        let session = try DeviceSession.connectWaiting(options: options) { _ throws(TransportError) in transport }
        defer { session.close() }
        var settings = PlaybackSettings()
        settings.rateHertz = 100
        let run = try ProgramRun(program: try steadyProgram(), session: session, settings: settings,
                                 realtime: try RealtimeOptions(fifoPriority: nil, lockMemory: false))
        try run.start()
        Thread.sleep(forTimeInterval: 0.2)
        transport.failure.withLock { $0 = Self.breaks[which] }
        let started = ContinuousClock.now
        let report = run.wait(every: .milliseconds(20))
        print("break \(which): \(report.outcome) after \(ContinuousClock.now - started); \(report.note)")
        #expect(report.outcome == .safetyStop(.linkLost))
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}
