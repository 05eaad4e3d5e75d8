// link: request → answer round trips from a host transport to a simulated device in this
// process, against a raw kernel ping-pong of the same bytes, all in one run.
//
// The request is a Stop frame, answered by an Ack with its sequence number (a command
// every device answers at once, session or not; no Hello is sent, so the device sends
// nothing else). A round trip is timed from before `send` to the moment the Ack is
// decoded (MassageWire's FrameDecoder, whatever the chunking).
//
//   a  UnixSocketTransport → the simulator's UnixSocketServer
//   b  SerialTransport     → the simulator's PseudoTerminal
//      each (1) with the simulator's DeviceServer (the loop `massagectl simulate` runs:
//      it wakes every 1 ms, so a request waits up to a tick for it), and (2) with a device
//      loop blocked in poll() on the same kind of descriptor that steps the same
//      simulated device one tick as soon as bytes arrive: the transport's own cost.
//   c  a socketpair: one thread writes the Stop bytes and blocks in read() for the Ack
//      bytes, an echo thread blocks in read() and writes the Ack bytes back: the
//      kernel's floor for a thread-to-thread round trip over a UNIX socket.
//   a.paced: as a(1), with a random 0–1 ms pause (not timed) before each request: the
//      back-to-back rows meet the loop just after its read, so they wait a whole tick.
//   c' the same ping-pong over a raw pseudo-terminal (master and slave), the floor for b.
//
// `--iterations N` sets the round trips per link (default 2000, after 200 of warm-up);
// `--seconds` does not apply. Percentiles are nearest-rank over the sorted times.

import Foundation
import Glibc
import MassageKit
import MassageSimulator
import MassageWire

enum LinkBenchmark {
    static let benchmark = Benchmark(
        name: "link",
        summary: "Stop→Ack round trips over the UNIX socket and pty transports vs a raw socketpair echo",
        run: run
    )

    static let defaultRoundTrips = 2000
    static let warmUpRoundTrips = 200

    /// The 256 requests (one per sequence number) and their answers, encoded once.
    struct Wire {
        let requests: [[UInt8]]
        let answers: [[UInt8]]

        init() {
            requests = (0...255).map { Array(Frame(sequence: UInt8($0), message: .stop).encoded()) }
            answers = (0...255).map {
                Array(Frame(sequence: UInt8($0), message: .ack(ackedType: MessageType.stop.rawValue)).encoded())
            }
        }
    }

    struct Measurement {
        let key: String
        let what: String
        /// Round-trip times, ns, sorted.
        let sorted: [Int64]

        func percentile(_ fraction: Double) -> Double {
            guard !sorted.isEmpty else { return .nan }
            let rank = Int((fraction * Double(sorted.count)).rounded(.up))
            return Double(sorted[min(sorted.count - 1, Swift.max(0, rank - 1))])
        }

        var p50: Double { percentile(0.50) }
        var p99: Double { percentile(0.99) }
        var max: Double { Double(sorted.last ?? 0) }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func run(_ options: BenchmarkOptions) -> Bool {
        let count = options.iterations ?? defaultRoundTrips
        guard count > 0 else {
            print("link: --iterations must be at least 1")
            return false
        }
        let wire = Wire()
        print("link.setup: Stop (\(wire.requests[1].count) bytes) answered by Ack (\(wire.answers[1].count) bytes);"
              + " \(count) round trips per link after \(warmUpRoundTrips) of warm-up; one process, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        var results: [Measurement] = []
        let plans: [(String, String, (Wire, Int) throws -> [Int64])] = [
            ("a.unix+server", "UnixSocketTransport → UnixSocketServer, DeviceServer loop (1 kHz tick)", unixWithDeviceServer),
            ("b.pty+server", "SerialTransport → PseudoTerminal, DeviceServer loop (1 kHz tick)", ptyWithDeviceServer),
            ("a.unix+server,paced", "as a.unix+server, but a random 0–1 ms pause before each request (a host on its own period)",
             unixWithDeviceServerPaced),
            ("a.unix+blocking", "UnixSocketTransport → device loop blocked in poll(), one tick per arrival", unixWithBlockingDevice),
            ("b.pty+blocking", "SerialTransport → pty master, device loop blocked in poll(), one tick per arrival", ptyWithBlockingDevice),
            ("c.raw-socketpair", "socketpair, blocking write/read, echo thread (kernel floor)", rawSocketPair),
            ("c'.raw-pty", "raw pty master/slave, blocking write/read, echo thread (floor for b)", rawPseudoTerminal),
        ]
        for (key, what, body) in plans {
            do {
                var times = try body(wire, warmUpRoundTrips + count)
                times.removeFirst(warmUpRoundTrips)
                times.sort()
                results.append(Measurement(key: key, what: what, sorted: times))
            } catch {
                print("link.\(key): FAILED: \(error)")
                return false
            }
        }

        for m in results {
            print("link.\(m.key): p50 \(micro(m.p50)) µs, p99 \(micro(m.p99)) µs, max \(micro(m.max)) µs  (\(m.what))")
        }
        guard let floor = results.first(where: { $0.key == "c.raw-socketpair" }) else { return false }
        for m in results where m.key.hasPrefix("a.") || m.key.hasPrefix("b.") {
            print("link.ratio.\(m.key)/c: p50 \(ratio(m.p50, floor.p50)), p99 \(ratio(m.p99, floor.p99))")
        }
        if let ptyFloor = results.first(where: { $0.key == "c'.raw-pty" }) {
            for m in results where m.key.hasPrefix("b.") {
                print("link.ratio.\(m.key)/c': p50 \(ratio(m.p50, ptyFloor.p50)), p99 \(ratio(m.p99, ptyFloor.p99))")
            }
        }
        if let server = results.first(where: { $0.key == "a.unix+server" }),
           let blocking = results.first(where: { $0.key == "a.unix+blocking" }) {
            print("link.tick: the DeviceServer loop reads its port once per 1 ms tick: \(micro(server.p50 - blocking.p50)) µs"
                  + " of the socket's p50. A request sent as soon as the last answer arrived reaches the loop just after"
                  + " its read, so it waits nearly a whole tick (a.unix+server,paced: requests at any phase);"
                  + " the +blocking rows show the transports' own cost")
        }
        return true
    }

    // MARK: - Over the transports

    /// `total` round trips on `transport`; ns each. With `paced`, a pause drawn uniformly
    /// from 0–999 µs (fixed seed) comes before each request, so requests meet the device
    /// loop at any phase of its tick; the pause is not timed.
    static func roundTrips(_ transport: any Transport, wire: Wire, total: Int, paced: Bool = false) throws -> [Int64] {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        var decoder = FrameDecoder()
        var times: [Int64] = []
        times.reserveCapacity(total)
        let stop = MessageType.stop.rawValue
        for i in 0..<total {
            let sequence = UInt8(truncatingIfNeeded: i)
            if paced {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                usleep(UInt32((seed >> 33) % 1000))
            }
            let start = monotonicNanoseconds()
            try transport.send(wire.requests[Int(sequence)])
            var answered = false
            var unexpected: DecodeEvent?
            while !answered {
                let bytes = try transport.receive(timeout: .seconds(2))
                guard !bytes.isEmpty else { throw Failure("no Ack to Stop #\(i) within 2 s") }
                decoder.feed(bytes) { event in
                    if case .frame(let frame) = event, frame.sequence == sequence, frame.message == .ack(ackedType: stop) {
                        answered = true
                    } else {
                        unexpected = event
                    }
                }
                if let unexpected { throw Failure("unexpected \(unexpected) while waiting for Ack #\(i)") }
            }
            times.append(monotonicNanoseconds() - start)
        }
        return times
    }

    static func unixWithDeviceServer(_ wire: Wire, _ total: Int) throws -> [Int64] {
        try unixWithDeviceServer(wire, total, paced: false)
    }

    static func unixWithDeviceServerPaced(_ wire: Wire, _ total: Int) throws -> [Int64] {
        try unixWithDeviceServer(wire, total, paced: true)
    }

    static func unixWithDeviceServer(_ wire: Wire, _ total: Int, paced: Bool) throws -> [Int64] {
        let path = "/tmp/massage-bench-\(getpid()).sock"
        let port = try UnixSocketServer(path: path)
        defer { port.close() }
        return try withDeviceServer(port) {
            let transport = try UnixSocketTransport(path: path)
            defer { transport.close() }
            return try roundTrips(transport, wire: wire, total: total, paced: paced)
        }
    }

    static func ptyWithDeviceServer(_ wire: Wire, _ total: Int) throws -> [Int64] {
        let port = try PseudoTerminal()
        defer { port.close() }
        return try withDeviceServer(port) {
            let transport = try SerialTransport(path: port.slavePath)
            defer { transport.close() }
            return try roundTrips(transport, wire: wire, total: total)
        }
    }

    /// Runs a handheld on `port` with a DeviceServer on its own thread while `body` runs.
    static func withDeviceServer<Result>(_ port: any DevicePort, _ body: () throws -> Result) throws -> Result {
        let server = DeviceServer(port: port) { _ in }
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            _ = try? server.run(SimulatedDevice(profile: .handheldRing4, seed: 1))
            done.signal()
        }
        thread.qualityOfService = .userInteractive
        thread.start()
        defer {
            server.stop()
            done.wait()
        }
        return try body()
    }

    static func unixWithBlockingDevice(_ wire: Wire, _ total: Int) throws -> [Int64] {
        let path = "/tmp/massage-bench-\(getpid())-blocking.sock"
        let listener = try RawDescriptors.listen(at: path)
        defer {
            close(listener)
            unlink(path)
        }
        let transport = try UnixSocketTransport(path: path)
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else {
            transport.close()
            throw Failure("accept: \(RawDescriptors.errorText())")
        }
        let device = BlockingDevice(descriptor: connection)
        defer {
            transport.close()  // the device loop sees the end of file and leaves
            device.join()
        }
        return try roundTrips(transport, wire: wire, total: total)
    }

    static func ptyWithBlockingDevice(_ wire: Wire, _ total: Int) throws -> [Int64] {
        let pair = try RawDescriptors.pseudoTerminal()
        // The device loop starts once the slave is open: before that the master reports
        // a hang-up.
        let transport: SerialTransport
        do {
            transport = try SerialTransport(path: pair.slavePath)
        } catch {
            close(pair.master)
            throw error
        }
        let device = BlockingDevice(descriptor: pair.master)
        defer {
            transport.close()  // the device loop sees the hang-up and leaves
            device.join()
        }
        return try roundTrips(transport, wire: wire, total: total)
    }

    /// A simulated handheld behind `descriptor`, served by a thread that blocks in poll()
    /// and steps the device one tick whenever bytes arrive (simulated time then runs
    /// ahead of the wall clock: one tick per request). Ends, closing `descriptor`, when
    /// the host goes (end of file, EIO, hang-up).
    final class BlockingDevice: Sendable {
        private let done = DispatchSemaphore(value: 0)

        init(descriptor: Int32) {
            let done = self.done
            let thread = Thread {
                BlockingDevice.serve(descriptor)
                close(descriptor)
                done.signal()
            }
            thread.qualityOfService = .userInteractive
            thread.start()
        }

        func join() { done.wait() }

        private static func serve(_ descriptor: Int32) {
            var device = SimulatedDevice(profile: .handheldRing4, seed: 1)
            var buffer = [UInt8](repeating: 0, count: 4096)
            var outgoing: [UInt8] = []
            outgoing.reserveCapacity(4096)
            while true {
                var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let ready = poll(&entry, 1, -1)
                if ready < 0 { if errno == EINTR { continue } else { return } }
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                guard count > 0 else { return }
                device.hostSend(buffer[..<count])
                device.step()
                outgoing.removeAll(keepingCapacity: true)
                device.hostReceive(into: &outgoing)
                guard RawDescriptors.writeAll(descriptor, outgoing) else { return }
            }
        }
    }

    // MARK: - Raw floors

    static func rawSocketPair(_ wire: Wire, _ total: Int) throws -> [Int64] {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw Failure("socketpair: \(RawDescriptors.errorText())")
        }
        return try pingPong(host: pair[0], echo: pair[1], wire: wire, total: total)
    }

    static func rawPseudoTerminal(_ wire: Wire, _ total: Int) throws -> [Int64] {
        let pair = try RawDescriptors.pseudoTerminal()
        let slave = open(pair.slavePath, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard slave >= 0 else {
            close(pair.master)
            throw Failure("open \(pair.slavePath): \(RawDescriptors.errorText())")
        }
        var settings = termios()
        tcgetattr(slave, &settings)
        cfmakeraw(&settings)
        tcsetattr(slave, TCSANOW, &settings)
        return try pingPong(host: slave, echo: pair.master, wire: wire, total: total)
    }

    /// The host writes each request to blocking `host` and reads until the answer's
    /// delimiter; a thread on blocking `echo` reads each request whole and writes the
    /// answer back. Closes both.
    static func pingPong(host: Int32, echo: Int32, wire: Wire, total: Int) throws -> [Int64] {
        let answers = wire.answers
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 256)
            var sequence = 0
            echoing: while true {
                var delimited = false
                while !delimited {
                    let count = buffer.withUnsafeMutableBytes { read(echo, $0.baseAddress, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else { break echoing }
                    delimited = buffer[..<count].contains(0)
                }
                guard RawDescriptors.writeAll(echo, answers[sequence & 255]) else { break }
                sequence += 1
            }
            close(echo)
            done.signal()
        }
        thread.qualityOfService = .userInteractive
        thread.start()
        defer {
            close(host)  // the echo thread reads its end of file and leaves
            done.wait()
        }

        var times: [Int64] = []
        times.reserveCapacity(total)
        var buffer = [UInt8](repeating: 0, count: 256)
        for i in 0..<total {
            let start = monotonicNanoseconds()
            guard RawDescriptors.writeAll(host, wire.requests[i & 255]) else { throw Failure("write: \(RawDescriptors.errorText())") }
            var received = 0
            var delimited = false
            while !delimited {
                let count = buffer.withUnsafeMutableBytes { read(host, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { throw Failure("read: \(count == 0 ? "end of file" : RawDescriptors.errorText())") }
                received += count
                delimited = buffer[count - 1] == 0
            }
            times.append(monotonicNanoseconds() - start)
            guard received == wire.answers[i & 255].count else {
                throw Failure("round trip \(i): \(received) bytes back, expected \(wire.answers[i & 255].count)")
            }
        }
        return times
    }

    // MARK: - Helpers

    static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    static func micro(_ nanoseconds: Double) -> String { fixed(nanoseconds / 1000, 1) }

    /// "3.2x"; two decimals below 1.
    static func ratio(_ value: Double, _ floor: Double) -> String {
        let x = value / floor
        return fixed(x, x < 1 ? 2 : 1) + "x"
    }
}

/// Descriptor plumbing for the raw links and the blocking device loops.
enum RawDescriptors {
    static func errorText() -> String { String(cString: strerror(errno)) }

    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }

    /// A listening UNIX stream socket at `path` (replacing a stale file).
    static func listen(at path: String) throws -> Int32 {
        unlink(path)
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw LinkBenchmark.Failure("socket: \(errorText())") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(descriptor)
            throw LinkBenchmark.Failure("socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, Glibc.listen(descriptor, 1) == 0 else {
            let text = errorText()
            close(descriptor)
            throw LinkBenchmark.Failure("bind/listen \(path): \(text)")
        }
        return descriptor
    }

    private typealias DescriptorCall = @convention(c) (Int32) -> Int32
    private typealias NameCall = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32

    /// A new pseudo-terminal: its master (blocking, close-on-exec) and the slave's path.
    /// posix_openpt, unlockpt and ptsname_r are looked up in the C library: the Glibc
    /// module does not declare them.
    static func pseudoTerminal() throws -> (master: Int32, slavePath: String) {
        guard let program = dlopen(nil, RTLD_NOW) else { throw LinkBenchmark.Failure("dlopen failed") }
        defer { dlclose(program) }
        guard let openSymbol = dlsym(program, "posix_openpt"), let unlockSymbol = dlsym(program, "unlockpt"),
              let nameSymbol = dlsym(program, "ptsname_r")
        else { throw LinkBenchmark.Failure("this C library has no posix_openpt/unlockpt/ptsname_r") }
        let master = unsafeBitCast(openSymbol, to: DescriptorCall.self)(O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { throw LinkBenchmark.Failure("posix_openpt: \(errorText())") }
        var name = [CChar](repeating: 0, count: 128)
        let named = name.withUnsafeMutableBufferPointer {
            unsafeBitCast(nameSymbol, to: NameCall.self)(master, $0.baseAddress, $0.count)
        }
        guard unsafeBitCast(unlockSymbol, to: DescriptorCall.self)(master) == 0, named == 0 else {
            close(master)
            throw LinkBenchmark.Failure("unlockpt/ptsname_r failed")
        }
        return (master, String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}
