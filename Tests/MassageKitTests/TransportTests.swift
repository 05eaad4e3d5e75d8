import Foundation
import Glibc
import MassageKit
import MassageSimulator
import MassageWire
import PropertyBased
import Synchronization
import Testing

// The Transport contract, kept by the UNIX socket and the serial (pty) transports alike,
// against the real simulator: MassageSimulator's ports with a DeviceServer on a thread of
// its own, as `massagectl simulate` runs them. Helpers shared with
// UnixSocketTransportTests and SerialTransportTests are at the end.

/// The two links under test, each to a simulator served by a DeviceServer.
enum LinkKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case unixSocket
    case serial

    var testDescription: String { rawValue }
}

@Suite("Transport contract over a socket and a pty")
struct TransportContractTests {
    @Test(arguments: LinkKind.allCases)
    func helloIsAnsweredWithTheDeviceInfo(kind: LinkKind) throws {
        let link = try SimulatorLink(kind)
        defer { link.tearDown() }
        var host = FrameReader(link.transport)
        try host.send(sequence: 7, .hello(Hello()))
        let answer = try host.next(within: .seconds(5)) { frame in
            if case .info = frame.message { true } else { false }
        }
        guard case .info(.device(let info)) = answer.message else {
            Issue.record("expected Info(Device), got \(answer.message)")
            return
        }
        #expect(answer.sequence == 7)
        #expect(Int(info.actuatorCount) == SimulatorProfile.handheldRing4.device.actuatorCount)
    }

    @Test(arguments: LinkKind.allCases)
    func setOutputsReachTheSimulatedDevice(kind: LinkKind) throws {
        let link = try SimulatorLink(kind)
        var host = FrameReader(link.transport)
        try host.send(sequence: 1, .hello(Hello()))
        _ = try host.next(within: .seconds(5)) { if case .info = $0.message { true } else { false } }

        // Refresh the outputs (as a session does) until the device reports them running.
        let wanted: [UInt16] = [300, 400, 500, 600]
        var sequence: UInt8 = 2
        let deadline = ContinuousClock.now + .seconds(5)
        var running: Status?
        while running == nil, ContinuousClock.now < deadline {
            try host.send(sequence: sequence, .setOutputs(SetOutputs(
                leaseMilliseconds: 500, heaterSetpoint: 0, intensities: Intensities(wanted) ?? Intensities())))
            sequence &+= 1
            running = try host.frames(for: .milliseconds(50)).lazy.compactMap { frame -> Status? in
                if case .statusReport(let status) = frame.message, status.state == .running,
                   status.outputs.count == wanted.count, (0..<wanted.count).allSatisfy({ status.outputs[$0] == wanted[$0] }) {
                    return status
                }
                return nil
            }.first
        }
        let device = link.stopDevice()
        link.tearDown()
        #expect(running != nil, "no Status reported the outputs \(wanted) running within 5 s")
        let ended = try #require(device)
        #expect(ended.core.state == .running)
        for i in wanted.indices { #expect(ended.outputs.motorDuties[i] == wanted[i], "motor \(i)") }
    }

    @Test(arguments: LinkKind.allCases)
    func theSimulatorGoingAwayIsADisconnection(kind: LinkKind) throws {
        let link = try SimulatorLink(kind)
        defer { link.tearDown() }
        var host = FrameReader(link.transport)
        try host.send(sequence: 1, .hello(Hello()))
        _ = try host.next(within: .seconds(5)) { if case .info = $0.message { true } else { false } }

        _ = link.stopDevice()
        link.port.close()
        let start = ContinuousClock.now
        let failure = Box<TransportError?>(nil)
        // Keep receiving (Status frames may still be queued) until the link reports an error.
        while ContinuousClock.now - start < .seconds(20) {
            do { _ = try link.transport.receive(timeout: .seconds(20)) } catch {
                failure.set(error)
                break
            }
        }
        let elapsed = ContinuousClock.now - start
        let error = try #require(failure.get(), "receive returned no error for 20 s after the simulator closed")
        guard case .disconnected(let endpoint, _) = error else {
            Issue.record("expected disconnected, got \(error)")
            return
        }
        #expect(endpoint == link.transport.endpoint)
        // A hang-up wakes the waiting receive: far sooner than its 20 s timeout.
        #expect(elapsed < .seconds(5), "the disconnection was seen after \(elapsed)")
        // From now on every call says so.
        #expect(isDisconnected { _ = try link.transport.receive(timeout: .zero) })
        #expect(isDisconnected { try link.transport.send([0]) })
    }

    @Test(arguments: LinkKind.allCases)
    func closeFromAnotherThreadWakesABlockedReceive(kind: LinkKind) throws {
        let link = try SimulatorLink(kind)
        defer { link.tearDown() }
        let transport = link.transport
        let outcome = Box<TransportError?>(nil)
        let blockedSince = Box<ContinuousClock.Instant?>(nil)
        // No Hello: the device stays silent, so the receive blocks for its whole timeout.
        let receiver = BackgroundThread {
            blockedSince.set(.now)
            while true {
                do throws(TransportError) { _ = try transport.receive(timeout: .seconds(30)) } catch {
                    outcome.set(error)
                    return
                }
            }
        }
        while blockedSince.get() == nil { usleep(1000) }
        usleep(100_000)
        transport.close()
        #expect(receiver.join(timeout: .seconds(5)), "receive still blocked 5 s after close()")
        #expect(outcome.get() == .closed(endpoint: transport.endpoint))
        #expect(throws: TransportError.closed(endpoint: transport.endpoint)) { try transport.send([0]) }
        #expect(throws: TransportError.closed(endpoint: transport.endpoint)) { _ = try transport.receive(timeout: .zero) }
        transport.close()  // idempotent
    }

    @Test(arguments: LinkKind.allCases)
    func receiveWaitsForItsTimeoutAndReturnsNothing(kind: LinkKind) throws {
        let link = try SimulatorLink(kind)
        defer { link.tearDown() }
        let start = ContinuousClock.now
        let bytes = try link.transport.receive(timeout: .milliseconds(50))
        #expect(bytes.isEmpty)
        #expect(ContinuousClock.now - start >= .milliseconds(50))
    }

    /// Bytes come in any chunking: whatever splits the peer writes, the receives decode to
    /// the frames it sent, in order.
    @Test(arguments: LinkKind.allCases)
    func framesWrittenInAnySplitDecodeWhole(kind: LinkKind) async {
        let sequences = Gen.uint8().array(of: 1...24)
        let splits = Gen.int(in: 1...23).array(of: 1...12)
        await propertyCheck(count: 25, input: sequences, splits) { sequences, splits in
            do {
                try checkChunking(kind, sequences: sequences, splits: splits)
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    /// Sends from two threads at once, while a third receives: every frame reaches the
    /// peer whole (sends never interleave), and what the peer sends is all received.
    @Test(arguments: LinkKind.allCases)
    func sendsFromTwoThreadsNeverInterleave(kind: LinkKind) throws {
        let (port, transport) = try RawPeer.open(kind)
        defer {
            transport.close()
            port.close()
        }
        try RawPeer.waitForHost(port)
        let perThread = 300
        let senders = (0..<2).map { thread in
            BackgroundThread {
                for i in 0..<perThread {
                    // A Hello's payload makes the frame long enough to be split if sends raced.
                    let frame = Frame(sequence: UInt8(truncatingIfNeeded: i), message: thread == 0 ? .stop : .hello(Hello()))
                    do { try transport.send(Array(frame.encoded())) } catch { return }
                }
            }
        }
        let echoes = Frame(sequence: 9, message: .ack(ackedType: 9))
        let echoCount = 100
        let received = Box<[Frame]>([])
        let receiver = BackgroundThread {
            var reader = FrameReader(transport)
            received.set((try? reader.frames(count: echoCount, within: .seconds(10))) ?? [])
        }
        var decoder = FrameDecoder()
        var stops = 0, hellos = 0, bad = 0
        var sink: [UInt8] = []
        var echoed = 0
        let deadline = ContinuousClock.now + .seconds(10)
        while stops + hellos < 2 * perThread, ContinuousClock.now < deadline {
            if echoed < echoCount {
                try port.write(Array(echoes.encoded()))
                echoed += 1
            }
            sink.removeAll(keepingCapacity: true)
            _ = try port.readAvailable(into: &sink)
            decoder.feed(sink) { event in
                switch event {
                case .frame(let frame):
                    if case .stop = frame.message { stops += 1 } else if case .hello = frame.message { hellos += 1 }
                case .error: bad += 1
                }
            }
            if sink.isEmpty { usleep(200) }
        }
        for sender in senders { #expect(sender.join(timeout: .seconds(10))) }
        while echoed < echoCount {
            try port.write(Array(echoes.encoded()))
            echoed += 1
        }
        #expect(receiver.join(timeout: .seconds(15)))
        #expect(stops == perThread)
        #expect(hellos == perThread)
        #expect(bad == 0)
        #expect(received.get() == Array(repeating: echoes, count: echoCount))
    }

    func checkChunking(_ kind: LinkKind, sequences: [UInt8], splits: [Int]) throws {
        let (port, transport) = try RawPeer.open(kind)
        defer {
            transport.close()
            port.close()
        }
        try RawPeer.waitForHost(port)
        let frames = sequences.map { Frame(sequence: $0, message: .ack(ackedType: $0)) }
        let bytes = frames.flatMap { Array($0.encoded()) }
        // The peer writes the stream cut at `splits` (cycled), pausing between pieces so
        // that the pieces reach the host separately.
        var offset = 0
        var piece = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + splits[piece % splits.count])
            try port.write(Array(bytes[offset..<end]))
            offset = end
            piece += 1
            if piece % 3 == 0 { usleep(300) }
        }
        var reader = FrameReader(transport)
        let received = try reader.frames(count: frames.count, within: .seconds(5))
        #expect(received == frames)
        #expect(reader.decoder.framesBad == 0)
    }
}

// MARK: - Shared helpers

/// A simulator (handheld-ring4) served by a DeviceServer on its own thread behind a real
/// port, and a transport connected to it.
final class SimulatorLink: Sendable {
    let port: any DevicePort
    let transport: any Transport
    private let server: DeviceServer
    private let thread: BackgroundThread
    private let ended = Box<SimulatedDevice?>(nil)
    let directory: TemporaryDirectory?

    init(_ kind: LinkKind) throws {
        switch kind {
        case .unixSocket:
            let directory = try TemporaryDirectory()
            let path = directory.file("sim.sock")
            let port = try UnixSocketServer(path: path)
            self.port = port
            self.directory = directory
            transport = try UnixSocketTransport(path: path)
        case .serial:
            let port = try PseudoTerminal()
            self.port = port
            directory = nil
            transport = try SerialTransport(path: port.slavePath)
        }
        let server = DeviceServer(port: port) { _ in }
        self.server = server
        let ended = self.ended
        thread = BackgroundThread {
            ended.set(try? server.run(SimulatedDevice(profile: .handheldRing4, seed: 1)))
        }
    }

    /// Stops the device's loop and returns the device as it ended.
    func stopDevice() -> SimulatedDevice? {
        server.stop()
        _ = thread.join(timeout: .seconds(10))
        return ended.get()
    }

    func tearDown() {
        transport.close()
        _ = stopDevice()
        port.close()
        directory?.remove()
    }
}

/// A bare port (no device) with a transport attached: the test writes the device's bytes.
enum RawPeer {
    static func open(_ kind: LinkKind) throws -> (port: any DevicePort, transport: any Transport) {
        switch kind {
        case .unixSocket:
            let directory = try TemporaryDirectory()
            let path = directory.file("peer.sock")
            let port = try UnixSocketServer(path: path)
            // The socket file can go at once: the connection outlives it.
            defer { directory.remove() }
            return (port, try UnixSocketTransport(path: path))
        case .serial:
            let port = try PseudoTerminal()
            return (port, try SerialTransport(path: port.slavePath))
        }
    }

    /// Polls `port` until it sees the host attached.
    static func waitForHost(_ port: any DevicePort) throws {
        let deadline = ContinuousClock.now + .seconds(5)
        var sink: [UInt8] = []
        while !port.isConnected {
            guard ContinuousClock.now < deadline else { throw TestFailure("\(port.name) never saw the host attach") }
            while port.poll() != nil {}
            _ = try port.readAvailable(into: &sink)
            usleep(500)
        }
    }
}

/// Sends frames on a transport and decodes what comes back, whatever the chunking.
struct FrameReader {
    let transport: any Transport
    var decoder = FrameDecoder()
    var pending: [Frame] = []

    init(_ transport: any Transport) { self.transport = transport }

    func send(sequence: UInt8, _ message: Message) throws {
        try transport.send(Array(Frame(sequence: sequence, message: message).encoded()))
    }

    /// The first frame (received from now on, or already pending) that `matches`.
    mutating func next(within timeout: Duration, where matches: (Frame) -> Bool) throws -> Frame {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let index = pending.firstIndex(where: matches) {
                let frame = pending[index]
                pending.removeSubrange(...index)
                return frame
            }
            pending.removeAll()
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw TestFailure("no matching frame within \(timeout)") }
            receive(try transport.receive(timeout: remaining))
        }
    }

    /// Every frame that arrives within `duration`.
    mutating func frames(for duration: Duration) throws -> [Frame] {
        let deadline = ContinuousClock.now + duration
        while case let remaining = deadline - ContinuousClock.now, remaining > .zero {
            receive(try transport.receive(timeout: remaining))
        }
        defer { pending.removeAll() }
        return pending
    }

    /// The next `count` frames, or fewer if `timeout` runs out.
    mutating func frames(count: Int, within timeout: Duration) throws -> [Frame] {
        let deadline = ContinuousClock.now + timeout
        while pending.count < count, case let remaining = deadline - ContinuousClock.now, remaining > .zero {
            receive(try transport.receive(timeout: remaining))
        }
        defer { pending.removeAll() }
        return pending
    }

    private mutating func receive(_ bytes: [UInt8]) {
        var frames: [Frame] = []
        decoder.feed(bytes) { event in
            if case .frame(let frame) = event { frames.append(frame) }
        }
        pending += frames
    }
}

/// Whether `body` throws ``TransportError/disconnected(endpoint:reason:)``.
func isDisconnected(_ body: () throws -> Void) -> Bool {
    do {
        try body()
        return false
    } catch {
        if case TransportError.disconnected = error { return true }
        return false
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A fresh directory under /tmp (short enough for socket paths).
struct TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        var template = Array("/tmp/massage-kit-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        guard made else { throw TestFailure("mkdtemp: \(String(cString: strerror(errno)))") }
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs `body` on a thread of its own; `join` waits for it.
final class BackgroundThread: Sendable {
    private let finished = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Void) {
        let finished = self.finished
        Thread {
            body()
            finished.signal()
        }.start()
    }

    /// False if the thread has not finished within `timeout`.
    func join(timeout: Duration) -> Bool {
        let (seconds, attoseconds) = timeout.components
        guard finished.wait(timeout: .now() + Double(seconds) + Double(attoseconds) / 1e18) == .success else { return false }
        finished.signal()  // for the next join
        return true
    }
}

/// A value set by one thread and read by another.
final class Box<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func set(_ newValue: Value) { value.withLock { $0 = newValue } }
    func get() -> Value { value.withLock { $0 } }
}

/// Runs `body` on a new thread that meets the checks an ordinary user meets: when this
/// process is root, the thread first drops CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and
/// CAP_SYS_ADMIN from its effective capabilities (Linux keeps them per thread; the
/// thread ends afterwards), so file modes and a terminal's exclusive mode apply to it.
/// Throws a reason when that cannot be done.
func asOrdinaryUser<Result: Sendable>(_ body: @escaping @Sendable () -> Result) throws -> Result {
    let outcome = Box<Swift.Result<Result, TestFailure>?>(nil)
    let thread = BackgroundThread {
        if geteuid() == 0 {
            if let failure = Capabilities.dropPrivilegedOnThisThread() {
                outcome.set(.failure(failure))
                return
            }
        }
        outcome.set(.success(body()))
    }
    guard thread.join(timeout: .seconds(30)), let result = outcome.get() else {
        throw TestFailure("the unprivileged thread did not finish")
    }
    return try result.get()
}

/// capget(2)/capset(2), looked up in the C library (the Glibc module does not declare them).
enum Capabilities {
    private typealias Call = @convention(c) (UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> Int32
    private static let version3: UInt32 = 0x2008_0522
    private static let dropped: [UInt32] = [1, 2, 21]  // CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_SYS_ADMIN

    /// nil on success, else why not.
    static func dropPrivilegedOnThisThread() -> TestFailure? {
        guard let program = dlopen(nil, RTLD_NOW) else { return TestFailure("dlopen failed") }
        defer { dlclose(program) }
        guard let get = dlsym(program, "capget"), let set = dlsym(program, "capset") else {
            return TestFailure("this C library has no capget/capset")
        }
        let capget = unsafeBitCast(get, to: Call.self)
        let capset = unsafeBitCast(set, to: Call.self)
        // struct __user_cap_header_struct { u32 version; int pid; } (pid 0: this thread)
        var header: (UInt32, Int32) = (version3, 0)
        // two struct __user_cap_data_struct { u32 effective, permitted, inheritable; }
        var data: [UInt32] = Array(repeating: 0, count: 6)
        func call(_ function: Call) -> Int32 {
            withUnsafeMutableBytes(of: &header) { headerBytes in
                data.withUnsafeMutableBytes { dataBytes in
                    guard let h = headerBytes.baseAddress, let d = dataBytes.baseAddress else { return -1 }
                    return function(h, d)
                }
            }
        }
        let got = call(capget)
        guard got == 0 else { return TestFailure("capget: \(String(cString: strerror(errno)))") }
        for capability in dropped { data[Int(capability / 32) * 3] &= ~(UInt32(1) << (capability % 32)) }
        header = (version3, 0)
        let result = call(capset)
        guard result == 0 else { return TestFailure("capset: \(String(cString: strerror(errno)))") }
        return nil
    }
}
