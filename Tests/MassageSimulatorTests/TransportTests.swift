import Foundation
import Glibc
import MassageSimulator
import Synchronization
import Testing

// Real descriptors throughout: sockets are connected with socket(2)/connect(2), the
// pseudo-terminal's slave is opened with open(2), as a host program would.

// MARK: - Helpers

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
    static func errno(_ what: String) -> TestFailure {
        TestFailure("\(what): \(String(cString: strerror(Glibc.errno)))")
    }
}

/// A fresh directory under /tmp (short, for socket paths); `remove()` deletes it and
/// everything in it.
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/massage-sim-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        guard made else { throw TestFailure.errno("mkdtemp") }
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Every byte value, once, in order.
let allByteValues: [UInt8] = (0...255).map { UInt8($0) }

/// Polls a port the way the simulator's loop does, collecting its events and bytes.
struct Pump {
    let port: any DevicePort
    var events: [PortEvent] = []
    var received: [UInt8] = []
    /// For each of `events`, how many bytes had been received when it was reported.
    var receivedBeforeEvent: [Int] = []

    init(_ port: any DevicePort) { self.port = port }

    mutating func step() throws {
        while let event = port.poll() {
            events.append(event)
            receivedBeforeEvent.append(received.count)
        }
        _ = try port.readAvailable(into: &received)
    }

    /// Steps every millisecond until `condition` holds; false if `timeout` ran out first.
    @discardableResult
    mutating func run(timeout: Duration = .seconds(5), until condition: (Pump) -> Bool) throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            try step()
            if condition(self) { return true }
            if ContinuousClock.now >= deadline { return false }
            usleep(1000)
        }
    }

    func saw(_ predicate: (PortEvent) -> Bool) -> Bool { events.contains(where: predicate) }
}

func isConnected(_ event: PortEvent) -> Bool { if case .connected = event { true } else { false } }
func isDisconnected(_ event: PortEvent) -> Bool { if case .disconnected = event { true } else { false } }
func isRefused(_ event: PortEvent) -> Bool { if case .refused = event { true } else { false } }
func isStalled(_ event: PortEvent) -> Bool { if case .stalled = event { true } else { false } }

func count(_ predicate: (PortEvent) -> Bool, in events: [PortEvent]) -> Int {
    events.filter(predicate).count
}

/// A client socket connected to `path`.
func connectClient(to path: String) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure.errno("socket") }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    guard result == 0 else {
        let failure = TestFailure.errno("connect \(path)")
        close(fd)
        throw failure
    }
    return fd
}

/// Makes a socket file at `path` that nobody listens on, as a crashed simulator leaves.
func makeStaleSocket(at path: String) throws {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure.errno("socket") }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    guard result == 0 else { throw TestFailure.errno("bind \(path)") }
}

/// Writes all of `bytes` to `fd`.
func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR || errno == EAGAIN { usleep(100); continue }
            throw TestFailure.errno("write")
        }
        offset += n
    }
}

/// Reads from `fd` until `count` bytes, end of file, or `timeout`.
func readUpTo(_ fd: Int32, count: Int, timeout: Duration = .seconds(5)) throws -> (bytes: [UInt8], endOfFile: Bool) {
    let deadline = ContinuousClock.now + timeout
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while bytes.count < count {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { break }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
        guard Glibc.poll(&entry, 1, milliseconds) > 0 else { continue }
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, count - bytes.count)) }
        if n == 0 { return (bytes, true) }
        if n < 0 {
            if errno == EINTR || errno == EAGAIN { continue }
            throw TestFailure.errno("read")
        }
        bytes += chunk[..<n]
    }
    return (bytes, false)
}

/// File status of `path`, or nil if it does not exist.
func status(_ path: String) -> stat? {
    var result = stat()
    return lstat(path, &result) == 0 ? result : nil
}

func setRaw(_ fd: Int32) throws {
    var attributes = termios()
    guard tcgetattr(fd, &attributes) == 0 else { throw TestFailure.errno("tcgetattr") }
    cfmakeraw(&attributes)
    guard tcsetattr(fd, TCSANOW, &attributes) == 0 else { throw TestFailure.errno("tcsetattr") }
}

/// Runs `body` on a thread of its own; `join` waits for it.
final class TestThread: Sendable {
    private let finished = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Void) {
        let finished = self.finished
        let thread = Thread {
            body()
            finished.signal()
        }
        thread.start()
    }

    /// False if the thread has not finished within `timeout`.
    func join(timeout: Duration = .seconds(10)) -> Bool {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        return finished.wait(timeout: .now() + seconds) == .success
    }
}

/// A value set by one thread and read by another.
final class Box<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func set(_ newValue: Value) { value.withLock { $0 = newValue } }
    func get() -> Value { value.withLock { $0 } }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

// MARK: - In-memory link

@Suite("In-memory link")
struct InMemoryLinkTests {
    @Test("bytes go both ways, in order, between threads")
    func bothWaysAcrossThreads() throws {
        let link = InMemoryLink()
        let payload: [UInt8] = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 ^ ($0 >> 8)) }

        // The device: echoes what it reads until the host leaves.
        let device = link.device
        let echoFailure = Box<String?>(nil)
        let echo = TestThread {
            var buffer: [UInt8] = []
            var wasConnected = false
            while true {
                while device.poll() != nil {}
                if device.isConnected { wasConnected = true } else if wasConnected { break }
                buffer.removeAll(keepingCapacity: true)
                do {
                    if try device.readAvailable(into: &buffer) > 0 { try device.write(buffer) } else { usleep(100) }
                } catch {
                    echoFailure.set("\(error)")
                    return
                }
            }
        }
        // The host writes from one thread and reads on this one.
        let host = link.host
        let writeFailure = Box<String?>(nil)
        let writer = TestThread {
            var offset = 0
            var size = 1
            while offset < payload.count {
                let end = min(payload.count, offset + size)
                do { try host.write(Array(payload[offset..<end])) } catch {
                    writeFailure.set("\(error)")
                    return
                }
                offset = end
                size = size % 97 + 1
            }
        }

        var received: [UInt8] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while received.count < payload.count, ContinuousClock.now < deadline {
            received += try host.read(timeout: .milliseconds(100))
        }
        #expect(writer.join())
        host.disconnect()
        #expect(echo.join())
        #expect(writeFailure.get() == nil)
        #expect(echoFailure.get() == nil)
        #expect(received.count == payload.count)
        #expect(received == payload)
        #expect(device.droppedByteCount == 0)
    }

    @Test("the device sees the host disconnect; queued bytes still arrive")
    func hostDisconnects() throws {
        let link = InMemoryLink()
        #expect(link.device.isConnected)
        try link.host.write([1, 2, 3])
        link.host.disconnect()

        #expect(!link.device.isConnected)
        #expect(!link.host.isConnected)
        #expect(link.device.poll().map(isConnected) == true)
        #expect(link.device.poll() == .disconnected("the in-memory host disconnected"))
        #expect(link.device.poll() == nil)

        var buffer: [UInt8] = []
        #expect(try link.device.readAvailable(into: &buffer) == 3)
        #expect(buffer == [1, 2, 3])
        #expect(try link.device.readAvailable(into: &buffer) == 0)
        try link.device.write([9, 9])  // discarded, as with no cable
        #expect(link.device.droppedByteCount == 0)

        #expect(throws: PortError.closed(port: "host end of in-memory link")) { try link.host.write([1]) }
        #expect(throws: PortError.closed(port: "host end of in-memory link")) {
            try link.host.read(timeout: .milliseconds(10))
        }
    }

    @Test("the host sees the device disconnect, and a blocked read wakes")
    func deviceDisconnects() throws {
        let link = InMemoryLink()
        try link.device.write([4, 5])
        link.device.disconnect()
        #expect(!link.host.isConnected)
        #expect(try link.host.read(timeout: .seconds(1)) == [4, 5])

        let start = ContinuousClock.now
        #expect(throws: PortError.self) { try link.host.read(timeout: .seconds(5)) }
        #expect(ContinuousClock.now - start < .seconds(1))
        do {
            _ = try link.host.read(timeout: .seconds(5))
            Issue.record("read after the device left did not throw")
        } catch {
            guard case .disconnected = error else { Issue.record("wrong error: \(error)"); return }
            #expect(error.description.contains("disconnected"))
        }
        #expect(throws: PortError.self) { try link.host.write([1]) }
        var buffer: [UInt8] = []
        #expect(throws: PortError.closed(port: "device end of in-memory link")) {
            try link.device.readAvailable(into: &buffer)
        }

        // A reader already blocked is woken by the disconnect, not by its timeout.
        let second = InMemoryLink()
        let host = second.host
        let outcome = Box<(error: PortError?, waited: Duration)>((nil, .zero))
        let reader = TestThread {
            let began = ContinuousClock.now
            do throws(PortError) {
                _ = try host.read(timeout: .seconds(10))
                outcome.set((nil, ContinuousClock.now - began))
            } catch {
                outcome.set((error, ContinuousClock.now - began))
            }
        }
        usleep(50_000)
        second.device.disconnect()
        #expect(reader.join(timeout: .seconds(5)))
        let (error, waited) = outcome.get()
        #expect(error.map { if case .disconnected = $0 { true } else { false } } == true)
        #expect(waited < .seconds(2))
    }

    @Test("a read times out promptly, and returns as soon as bytes arrive")
    func readTimeout() throws {
        let link = InMemoryLink()
        let start = ContinuousClock.now
        #expect(try link.host.read(timeout: .milliseconds(50)) == [])
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(45))
        #expect(waited < .milliseconds(500))

        let device = link.device
        let writer = TestThread {
            usleep(30_000)
            try? device.write([42])
        }
        let began = ContinuousClock.now
        let bytes = try link.host.read(timeout: .seconds(10))
        #expect(bytes == [42])
        #expect(ContinuousClock.now - began < .seconds(2))
        #expect(writer.join())
    }

    @Test("capacity: host writes are refused whole, device writes are dropped and counted")
    func capacity() throws {
        let link = InMemoryLink(capacity: 8)
        try link.host.write([UInt8](repeating: 1, count: 8))
        #expect(throws: PortError.bufferFull(port: "host end of in-memory link", capacity: 8)) {
            try link.host.write([2])
        }
        var buffer: [UInt8] = []
        #expect(try link.device.readAvailable(into: &buffer) == 8)

        try link.device.write([UInt8](0..<20))
        #expect(link.device.droppedByteCount == 12)
        #expect(try link.host.read(timeout: .seconds(1)) == [UInt8](0..<8))
        var pump = Pump(link.device)
        try pump.step()
        #expect(count(isStalled, in: pump.events) == 1)
    }
}

// MARK: - UNIX socket

@Suite("UNIX socket server")
struct UnixSocketServerTests {
    @Test("all 256 byte values both ways; the socket file is 0600 and goes away on close")
    func allBytesAndMode() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("sim.sock")
        let server = try UnixSocketServer(path: path)

        let file = try #require(status(path))
        #expect(file.st_mode & S_IFMT == S_IFSOCK)
        #expect(file.st_mode & 0o7777 == 0o600, "mode is \(String(file.st_mode & 0o7777, radix: 8))")
        #expect(file.st_uid == geteuid())
        #expect(!server.isConnected)

        let client = try connectClient(to: path)
        defer { close(client) }
        var pump = Pump(server)
        #expect(try pump.run { $0.saw(isConnected) })
        #expect(server.isConnected)

        try writeAll(client, allByteValues)
        #expect(try pump.run { $0.received.count >= 256 })
        #expect(pump.received == allByteValues)

        try server.write(allByteValues.reversed())
        let reply = try readUpTo(client, count: 256)
        #expect(reply.bytes == allByteValues.reversed())
        #expect(server.droppedByteCount == 0)

        server.close()
        #expect(status(path) == nil, "the socket file is still there after close()")
        // The client sees the end of the connection.
        #expect(try readUpTo(client, count: 1, timeout: .seconds(2)).endOfFile)
        var buffer: [UInt8] = []
        #expect(throws: PortError.closed(port: "UNIX socket \(path)")) { try server.readAvailable(into: &buffer) }
        #expect(throws: PortError.closed(port: "UNIX socket \(path)")) { try server.write([1]) }
        server.close()  // idempotent
    }

    @Test("a second client is turned away while one is attached; after it leaves, a new one is served")
    func oneClientAtATime() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("sim.sock")
        let server = try UnixSocketServer(path: path)
        defer { server.close() }
        var pump = Pump(server)

        let first = try connectClient(to: path)
        var firstOpen = true
        defer { if firstOpen { close(first) } }
        #expect(try pump.run { $0.saw(isConnected) })

        let second = try connectClient(to: path)
        defer { close(second) }
        #expect(try pump.run { $0.saw(isRefused) })
        let refused = try readUpTo(second, count: 1, timeout: .seconds(2))
        #expect(refused.bytes.isEmpty, "the refused client was sent bytes")
        #expect(refused.endOfFile, "the refused client was not closed")

        // The first is still served.
        try writeAll(first, [0xAA, 0x00, 0x55])
        #expect(try pump.run { $0.received.count >= 3 })
        #expect(pump.received == [0xAA, 0x00, 0x55])
        try server.write([7, 8, 9])
        #expect(try readUpTo(first, count: 3).bytes == [7, 8, 9])

        // It leaves; the next client gets the port.
        close(first)
        firstOpen = false
        #expect(try pump.run { $0.saw(isDisconnected) })
        #expect(!server.isConnected)
        let third = try connectClient(to: path)
        defer { close(third) }
        #expect(try pump.run { count(isConnected, in: $0.events) == 2 })
        #expect(count(isRefused, in: pump.events) == 1)
        pump.received = []
        try writeAll(third, allByteValues)
        #expect(try pump.run { $0.received.count >= 256 })
        #expect(pump.received == allByteValues)
        try server.write(allByteValues)
        #expect(try readUpTo(third, count: 256).bytes == allByteValues)
    }

    @Test("a client that leaves while another waits: the waiting one is served, not refused")
    func leaveAndArriveBetweenPolls() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("sim.sock")
        let server = try UnixSocketServer(path: path)
        defer { server.close() }
        var pump = Pump(server)
        let first = try connectClient(to: path)
        #expect(try pump.run { $0.saw(isConnected) })
        try writeAll(first, [1, 2])
        close(first)
        let second = try connectClient(to: path)
        defer { close(second) }
        try writeAll(second, [3])
        #expect(try pump.run { $0.received.count >= 3 && count(isConnected, in: $0.events) == 2 })
        #expect(pump.received == [1, 2, 3])
        #expect(count(isRefused, in: pump.events) == 0)
        #expect(count(isDisconnected, in: pump.events) == 1)
        // Reported after the leaving client's bytes (the next client's may come first:
        // one read can take both).
        let departure = try #require(pump.events.firstIndex(where: isDisconnected))
        #expect(pump.receivedBeforeEvent[departure] >= 2, "the departure was reported before the bytes sent before it")
    }

    @Test("a stale socket file is replaced")
    func staleSocketReplaced() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("sim.sock")
        try makeStaleSocket(at: path)
        #expect(chmod(path, 0o751) == 0)
        let stale = try #require(status(path))
        #expect(stale.st_mode & S_IFMT == S_IFSOCK)

        let server = try UnixSocketServer(path: path)
        defer { server.close() }
        // A new file (the inode number may be reused, the mode is not).
        let fresh = try #require(status(path))
        #expect(fresh.st_mode & S_IFMT == S_IFSOCK)
        #expect(fresh.st_mode & 0o7777 == 0o600)
        let client = try connectClient(to: path)
        defer { close(client) }
        var pump = Pump(server)
        #expect(try pump.run { $0.saw(isConnected) })
    }

    @Test("a live socket (another simulator) is an error, and is left alone")
    func liveSocketIsAnError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("sim.sock")
        let first = try UnixSocketServer(path: path)
        defer { first.close() }
        let before = try #require(status(path))
        #expect(throws: PortError.socketInUse(path: path)) { try UnixSocketServer(path: path) }
        #expect(status(path)?.st_ino == before.st_ino)
        #expect(PortError.socketInUse(path: path).description.contains(path))

        // The first still serves clients.
        let client = try connectClient(to: path)
        defer { close(client) }
        var pump = Pump(first)
        try writeAll(client, [5])
        #expect(try pump.run { $0.received == [5] })
    }

    @Test("a regular file at the path is an error that names the path, and is left alone")
    func regularFileIsAnError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("not-a-socket")
        #expect(FileManager.default.createFile(atPath: path, contents: Data("keep me".utf8)))
        do {
            _ = try UnixSocketServer(path: path)
            Issue.record("a regular file was accepted as a socket path")
        } catch {
            #expect(error == .notASocket(path: path))
            #expect(error.description == "\(path) exists and is not a socket: remove it or choose another path")
        }
        #expect(FileManager.default.contents(atPath: path) == Data("keep me".utf8))
    }

    @Test("a path longer than sun_path is a clear error; the longest that fits works")
    func pathLength() throws {
        #expect(UnixSocketServer.maximumPathLength == 107)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let prefix = directory.path + "/"
        let longest = prefix + String(repeating: "s", count: 107 - prefix.utf8.count)
        let tooLong = longest + "s"
        #expect(longest.utf8.count == 107)

        do {
            _ = try UnixSocketServer(path: tooLong)
            Issue.record("a 108-byte socket path was accepted")
        } catch {
            #expect(error == .pathTooLong(path: tooLong, byteCount: 108, limit: 107))
            #expect(error.description.contains("at most 107 bytes"))
            #expect(error.description.contains("choose a shorter path"))
        }
        #expect(status(tooLong) == nil)

        let server = try UnixSocketServer(path: longest)
        let client = try connectClient(to: longest)
        defer { close(client) }
        var pump = Pump(server)
        #expect(try pump.run { $0.saw(isConnected) })
        server.close()
        #expect(status(longest) == nil)

        #expect(throws: PortError.invalidPath(path: "", reason: "the path is empty")) {
            try UnixSocketServer(path: "")
        }
    }

    @Test("a missing directory is an error with the errno text")
    func missingDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("no/such/dir.sock")
        do {
            _ = try UnixSocketServer(path: path)
            Issue.record("bind in a missing directory succeeded")
        } catch {
            #expect(error == .system(operation: "bind", path: path, errno: ENOENT))
            #expect(error.description.contains("No such file or directory"))
            #expect(error.description.contains(path))
        }
    }

    @Test("a client that does not read: one write waits ~100 ms, later ones drop without waiting")
    func backPressure() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("sim.sock")
        let server = try UnixSocketServer(path: path)
        defer { server.close() }
        let client = try connectClient(to: path)
        defer { close(client) }
        var pump = Pump(server)
        #expect(try pump.run { $0.saw(isConnected) })

        let chunk = [UInt8](repeating: 0x5A, count: 1024)
        var slowest: Duration = .zero
        var stallWrite: Duration?
        var afterStall: [Duration] = []
        let start = ContinuousClock.now
        var written = 0
        while afterStall.count < 50, written < 64 << 20 {
            let began = ContinuousClock.now
            try server.write(chunk)
            let took = ContinuousClock.now - began
            written += chunk.count
            if stallWrite == nil {
                if server.droppedByteCount > 0 { stallWrite = took } else { slowest = max(slowest, took) }
            } else {
                afterStall.append(took)
            }
        }
        let stalled = try #require(stallWrite, "nothing was ever dropped")
        #expect(stalled >= .milliseconds(90), "gave up after \(stalled)")
        #expect(stalled < .milliseconds(600), "waited \(stalled)")
        // Behaviour, not one write's timing (a loaded shared pool can delay any single
        // write by more than 90 ms): 50 writes that each waited the 100 ms patience would
        // take 5 s; together they must take well under that.
        let total = afterStall.reduce(Duration.zero, +)
        #expect(total < .seconds(2), "50 writes to a stalled client took \(total): they waited")
        #expect(ContinuousClock.now - start < .seconds(5))
        try pump.step()
        #expect(count(isStalled, in: pump.events) == 1)
        #expect(server.isConnected)

        // The client catches up: writes go through whole again.
        let dropped = server.droppedByteCount
        while try readUpTo(client, count: 1 << 20, timeout: .milliseconds(100)).bytes.count > 0 {}
        try server.write([1, 2, 3, 4])
        #expect(server.droppedByteCount == dropped)
        #expect(try readUpTo(client, count: 4).bytes == [1, 2, 3, 4])
    }

    @Test("a client that vanishes mid-write is a disconnection, not a crash or SIGPIPE")
    func peerGoneDuringWrite() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("sim.sock")
        let server = try UnixSocketServer(path: path)
        defer { server.close() }
        let client = try connectClient(to: path)
        var pump = Pump(server)
        #expect(try pump.run { $0.saw(isConnected) })
        close(client)
        try server.write(allByteValues)  // EPIPE here would raise SIGPIPE without MSG_NOSIGNAL
        try server.write(allByteValues)
        #expect(try pump.run { $0.saw(isDisconnected) })
        #expect(!server.isConnected)
    }
}

// MARK: - Pseudo-terminal

@Suite("Pseudo-terminal")
struct PseudoTerminalTests {
    @Test("all 256 byte values both ways through the slave, opened with open(2)", arguments: [true, false])
    func allBytes(clientSetsRawMode: Bool) throws {
        let terminal = try PseudoTerminal()
        defer { terminal.close() }
        #expect(terminal.slavePath.hasPrefix("/dev/pts/"))
        let node = try #require(status(terminal.slavePath), "\(terminal.slavePath) does not exist")
        #expect(node.st_mode & S_IFMT == S_IFCHR)
        #expect(terminal.detectsClientsExactly)
        #expect(!terminal.isConnected)

        let client = open(terminal.slavePath, O_RDWR | O_NOCTTY)
        guard client >= 0 else { throw TestFailure.errno("open \(terminal.slavePath)") }
        defer { close(client) }
        // Without the client's own raw mode, the port's must do.
        if clientSetsRawMode { try setRaw(client) }
        var pump = Pump(terminal)
        #expect(try pump.run { $0.saw(isConnected) })
        #expect(terminal.isConnected)

        try writeAll(client, allByteValues)
        #expect(try pump.run { $0.received.count >= 256 })
        #expect(pump.received == allByteValues)

        try terminal.write(allByteValues)
        let reply = try readUpTo(client, count: 256)
        #expect(reply.bytes == allByteValues)

        // Control characters, each alone, so no line discipline could hide in a batch.
        pump.received = []
        let special: [UInt8] = [0x00, 0x03, 0x11, 0x13, 0x0A, 0x0D, 0x7F, 0x04, 0x1A, 0xFF]
        for byte in special {
            try writeAll(client, [byte])
            try terminal.write([byte])
        }
        #expect(try pump.run { $0.received.count >= special.count })
        #expect(pump.received == special)
        #expect(try readUpTo(client, count: special.count).bytes == special)
        #expect(terminal.droppedByteCount == 0)
    }

    @Test("clients come and go: connected and disconnected, stale output not delivered")
    func connectionDetection() throws {
        let terminal = try PseudoTerminal()
        defer { terminal.close() }
        var pump = Pump(terminal)
        try pump.step()
        #expect(pump.events.isEmpty)
        #expect(!terminal.isConnected)
        try terminal.write([1, 2, 3])  // no client: discarded

        let first = open(terminal.slavePath, O_RDWR | O_NOCTTY)
        guard first >= 0 else { throw TestFailure.errno("open") }
        #expect(try pump.run { $0.saw(isConnected) })
        #expect(try readUpTo(first, count: 1, timeout: .milliseconds(100)).bytes.isEmpty,
                "output written before the client came was delivered to it")

        // Written and not read by the first client: not for the next one.
        try terminal.write([4, 5, 6])
        // Bytes sent just before leaving are read before the departure is reported.
        try writeAll(first, [7, 8])
        close(first)
        #expect(try pump.run { $0.saw(isDisconnected) })
        let departure = try #require(pump.events.firstIndex(where: isDisconnected))
        #expect(pump.receivedBeforeEvent[departure] == 2, "the departure was reported before the bytes sent before it")
        #expect(pump.received == [7, 8])
        #expect(!terminal.isConnected)

        // Another client, which leaves the terminal cooked: the next one still gets raw.
        let second = open(terminal.slavePath, O_RDWR | O_NOCTTY)
        guard second >= 0 else { throw TestFailure.errno("open") }
        #expect(try pump.run { count(isConnected, in: $0.events) == 2 })
        #expect(try readUpTo(second, count: 1, timeout: .milliseconds(100)).bytes.isEmpty)
        var cooked = termios()
        tcgetattr(second, &cooked)
        cooked.c_lflag |= tcflag_t(ICANON | ECHO | ISIG)
        cooked.c_iflag |= tcflag_t(ICRNL | IXON)
        #expect(tcsetattr(second, TCSANOW, &cooked) == 0)
        close(second)
        #expect(try pump.run { count(isDisconnected, in: $0.events) == 2 })

        let third = open(terminal.slavePath, O_RDWR | O_NOCTTY)
        guard third >= 0 else { throw TestFailure.errno("open") }
        defer { close(third) }
        #expect(try pump.run { count(isConnected, in: $0.events) == 3 })
        var attributes = termios()
        tcgetattr(third, &attributes)
        #expect(attributes.c_lflag & tcflag_t(ICANON | ECHO | ISIG) == 0)
        #expect(attributes.c_iflag & tcflag_t(ICRNL | IXON) == 0)
        pump.received = []
        try writeAll(third, [0x0D, 0x03, 0x13])
        #expect(try pump.run { $0.received.count >= 3 })
        #expect(pump.received == [0x0D, 0x03, 0x13])
    }

    @Test("two clients at once: the port stays connected until both have left")
    func twoClients() throws {
        let terminal = try PseudoTerminal()
        defer { terminal.close() }
        // Opened back to back, before the port looks: inotify merges the two opens.
        let first = open(terminal.slavePath, O_RDWR | O_NOCTTY)
        let second = open(terminal.slavePath, O_RDWR | O_NOCTTY)
        guard first >= 0, second >= 0 else { throw TestFailure.errno("open") }
        var pump = Pump(terminal)
        #expect(try pump.run { $0.saw(isConnected) })
        close(first)
        try pump.run(timeout: .milliseconds(100)) { _ in false }
        #expect(terminal.isConnected, "one client left, but the other is still there")
        #expect(!pump.saw(isDisconnected))
        close(second)
        #expect(try pump.run { $0.saw(isDisconnected) })
        #expect(!terminal.isConnected)
    }

    @Test("link(at:) makes a symlink clients can open, replaces a dangling one, and close() removes it")
    func symlink() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let linkPath = directory.file("massage-sim-tty")
        // Left by an earlier run: dangling.
        #expect(Glibc.symlink("/dev/pts/no-such-terminal", linkPath) == 0)

        let terminal = try PseudoTerminal()
        try terminal.link(at: linkPath)
        #expect(terminal.linkPath == linkPath)
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: linkPath)
        #expect(target == terminal.slavePath)

        let client = open(linkPath, O_RDWR | O_NOCTTY)
        guard client >= 0 else { throw TestFailure.errno("open \(linkPath)") }
        defer { close(client) }
        var pump = Pump(terminal)
        #expect(try pump.run { $0.saw(isConnected) })
        try terminal.write([0x11, 0x13])
        #expect(try readUpTo(client, count: 2).bytes == [0x11, 0x13])

        // Something that is not a dangling symlink is left alone.
        let regular = directory.file("regular")
        #expect(FileManager.default.createFile(atPath: regular, contents: Data()))
        do {
            try terminal.link(at: regular)
            Issue.record("a regular file was replaced by a symlink")
        } catch {
            #expect(error == .pathInUse(path: regular, detail: "it is not a symlink"))
            #expect(error.description.contains(regular))
        }
        #expect(status(regular).map { $0.st_mode & S_IFMT == S_IFREG } == true)

        #expect(status(terminal.slavePath) != nil, "the slave went away while the port is open")
        terminal.close()
        #expect(status(linkPath) == nil, "the symlink outlived close()")
        var buffer: [UInt8] = []
        #expect(throws: PortError.self) { try terminal.readAvailable(into: &buffer) }
    }
}
