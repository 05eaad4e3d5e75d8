import Glibc
import MassageKit
import MassageSimulator
import MassageWire
import Testing

/// Opening `unix:PATH`, and the ways it fails. The contract itself (frames both ways,
/// disconnection, close) is in TransportContractTests, run on this transport too.
@Suite struct UnixSocketTransportTests {
    @Test func aMissingSocketIsNotFoundAndSaysHowToStartASimulator() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("nobody.sock")
        #expect {
            _ = try UnixSocketTransport(path: path)
        } throws: { error in
            guard case TransportError.notFound(let what, let hint) = error else { return false }
            return what.contains(path) && hint.contains("massagectl simulate --listen unix:\(path)")
        }
    }

    @Test func aSocketNobodyListensOnIsNotFound() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("stale.sock")
        try bindWithoutListening(at: path)  // as a simulator that crashed leaves it
        #expect {
            _ = try UnixSocketTransport(path: path)
        } throws: { error in
            guard case TransportError.notFound(let what, let hint) = error else { return false }
            return what.contains("nothing listens on \(path)") && hint.contains("massagectl simulate --listen unix:")
        }
    }

    @Test func aPathTooLongForSunPathIsRefusedWithTheLimit() {
        let path = "/tmp/" + String(repeating: "x", count: UnixSocketTransport.maximumPathLength)
        #expect(UnixSocketTransport.maximumPathLength == 107)
        #expect {
            _ = try UnixSocketTransport(path: path)
        } throws: { error in
            guard case TransportError.unsupported(let what, let hint) = error else { return false }
            return what.contains("\(path.utf8.count) bytes long") && what.contains("at most 107") && hint.contains("shorter path")
        }
    }

    @Test func anEmptyPathIsRefused() {
        #expect {
            _ = try UnixSocketTransport(path: "")
        } throws: { error in
            if case TransportError.unsupported = error { true } else { false }
        }
    }

    @Test func anotherUsersSocketIsPermissionDenied() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("sim.sock")
        let server = try UnixSocketServer(path: path)
        defer { server.close() }
        // Connecting needs write permission on the socket file: take it away (the
        // server's socket is 0600, which lets its owner in).
        #expect(chmod(path, 0o000) == 0)
        let outcome: Result<String, TransportError>
        do {
            outcome = try asOrdinaryUser {
                do throws(TransportError) {
                    let transport = try UnixSocketTransport(path: path)
                    transport.close()
                    return .success("connected")
                } catch {
                    return .failure(error)
                }
            }
        } catch {
            try Test.cancel("cannot test as an ordinary user here: \(error)")
        }
        guard case .failure(.permissionDenied(let deniedPath, let hint)) = outcome else {
            Issue.record("expected permission denied, got \(outcome)")
            return
        }
        #expect(deniedPath == path)
        #expect(hint.contains("owner-only"))
    }

    @Test func aSecondHostIsTurnedAwayAndSeesADisconnection() throws {
        let link = try SimulatorLink(.unixSocket)
        defer { link.tearDown() }
        guard let path = link.directory?.file("sim.sock") else { throw TestFailure("no socket path") }
        // Make sure the first host is the one attached before the second knocks.
        var first = FrameReader(link.transport)
        try first.send(sequence: 1, .hello(Hello()))
        _ = try first.next(within: .seconds(5)) { if case .info = $0.message { true } else { false } }

        let second = try UnixSocketTransport(path: path)
        defer { second.close() }
        #expect(isDisconnected {
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline { _ = try second.receive(timeout: .seconds(5)) }
        })
        // The first host is still served.
        try first.send(sequence: 2, .stop)
        let ack = try first.next(within: .seconds(5)) { if case .ack = $0.message { true } else { false } }
        #expect(ack.sequence == 2)
    }

    @Test func theEndpointIsTheDeviceURI() throws {
        let link = try SimulatorLink(.unixSocket)
        defer { link.tearDown() }
        guard let path = link.directory?.file("sim.sock") else { throw TestFailure("no socket path") }
        #expect(link.transport.endpoint == "unix:\(path)")
        #expect(try DeviceURI(parsing: link.transport.endpoint) == .unix(path: path))
    }
}

/// A socket file at `path` that nobody listens on.
func bindWithoutListening(at path: String) throws {
    let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw TestFailure("socket: \(String(cString: strerror(errno)))") }
    defer { close(descriptor) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    guard result == 0 else { throw TestFailure("bind \(path): \(String(cString: strerror(errno)))") }
}
