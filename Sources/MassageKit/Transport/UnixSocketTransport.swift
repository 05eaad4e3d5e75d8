import Glibc

/// A ``Transport`` over a UNIX stream socket: what the `unix:PATH` device URI opens, to
/// reach a simulator started with `massagectl simulate --listen unix:PATH`.
///
/// - The socket is close-on-exec and non-blocking; ``receive(timeout:)`` waits in poll(2).
/// - Sends never raise SIGPIPE (MSG_NOSIGNAL): a peer that closed shows as
///   ``TransportError/disconnected(endpoint:reason:)``, as does the peer's end of file
///   once the bytes sent before it have been received.
/// - A simulator serves one host at a time: a second host is accepted and closed at
///   once, which this transport reports as disconnected on its first receive.
public final class UnixSocketTransport: Transport {
    /// The longest path a socket can have: `sun_path` less its terminating NUL (107 bytes
    /// on Linux).
    public static let maximumPathLength = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// How long opening waits for a simulator whose queue of connections is full.
    static let connectPatience: Duration = .seconds(1)

    /// The socket's path, as given.
    public let path: String

    /// "unix:PATH".
    public var endpoint: String { channel.endpoint }

    private let channel: DescriptorChannel

    /// Connects to the socket at `path`.
    ///
    /// - Throws: ``TransportError/notFound(what:hint:)`` when no socket is there or
    ///   nothing listens on it (the hint says how to start a simulator);
    ///   ``TransportError/permissionDenied(path:hint:)`` for a socket of another user;
    ///   ``TransportError/unsupported(what:hint:)`` for a path that cannot name a socket
    ///   (empty, with a NUL byte, or longer than ``maximumPathLength``);
    ///   ``TransportError/busy(what:hint:)`` when the simulator's queue stays full.
    public init(path: String) throws(TransportError) {
        self.path = path
        let endpoint = "unix:\(path)"
        var address = try Self.address(for: path)

        let flags = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let descriptor = socket(AF_UNIX, flags, 0)
        guard descriptor >= 0 else {
            throw .io(endpoint: endpoint, operation: "socket", detail: ErrnoText.describe(errno))
        }
        do throws(TransportError) {
            try Self.connect(descriptor, to: &address, path: path)
        } catch {
            Glibc.close(descriptor)
            throw error
        }
        channel = try DescriptorChannel(descriptor: descriptor, kind: .socket, endpoint: endpoint)
    }

    deinit { channel.close() }

    public func send(_ bytes: [UInt8]) throws(TransportError) { try channel.send(bytes) }

    public func receive(timeout: Duration) throws(TransportError) -> [UInt8] {
        try channel.receive(timeout: timeout)
    }

    public func wakeReceive() { channel.wakeReceive() }

    public func close() { channel.close() }

    // MARK: - Connecting

    private static func address(for path: String) throws(TransportError) -> sockaddr_un {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty else {
            throw .unsupported(what: "unix: names no socket path",
                               hint: "give the path a simulator listens on, e.g. unix:/tmp/massage.sock")
        }
        guard !bytes.contains(0) else {
            throw .unsupported(what: "the socket path \"\(path)\" contains a NUL byte", hint: "give a plain file path")
        }
        guard bytes.count <= maximumPathLength else {
            throw .unsupported(
                what: "the socket path \(path) is \(bytes.count) bytes long; a UNIX socket path can be at most \(maximumPathLength)",
                hint: "start the simulator on a shorter path (in /tmp or $XDG_RUNTIME_DIR) and connect there")
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }  // the rest stays NUL
        return address
    }

    private static func connect(_ descriptor: Int32, to address: inout sockaddr_un, path: String) throws(TransportError) {
        let deadline = ContinuousClock.now + connectPatience
        while true {
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            var code = result == 0 ? 0 : errno
            if code == EINPROGRESS || code == EINTR {
                // Finishing in the background: wait for it, then ask how it went.
                var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                _ = Glibc.poll(&entry, 1, DescriptorChannel.milliseconds(until: deadline))
                var failure: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                code = getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &failure, &length) == 0 ? failure : errno
                if entry.revents == 0 && code == 0 { code = EAGAIN }
            }
            if code == 0 { return }
            // EAGAIN: the listener's backlog is full (on a UNIX socket nothing is queued):
            // the simulator accepts once a tick, so try again for a while.
            if code == EAGAIN && ContinuousClock.now < deadline {
                usleep(2000)
                continue
            }
            throw connectError(code, path: path)
        }
    }

    /// The error for a failed connect(2) to `path`.
    static func connectError(_ code: Int32, path: String) -> TransportError {
        let start = "start one with `massagectl simulate --listen unix:\(path)`, or check the path"
        switch code {
        case ENOENT:
            return .notFound(what: "no simulator socket at \(path)", hint: start)
        case ECONNREFUSED:
            return .notFound(what: "nothing listens on \(path) (a socket left by a simulator that stopped?)", hint: start)
        case ENOTDIR:
            return .notFound(what: "\(path): part of the path is not a directory", hint: start)
        case EACCES, EPERM:
            return .permissionDenied(
                path: path,
                hint: "a simulator's socket is owner-only (mode 0600): connect as the user who started it,"
                    + " or start your own with `massagectl simulate --listen unix:PATH` on a path of yours")
        case EPROTOTYPE:
            return .unsupported(what: "\(path) is not a stream socket",
                                hint: "point unix: at a socket made by `massagectl simulate --listen`")
        case EAGAIN:
            return .busy(what: "the simulator on \(path)",
                         hint: "it has not accepted a connection for \(connectPatience): check that it is running, then try again")
        default:
            return .io(endpoint: "unix:\(path)", operation: "connect", detail: ErrnoText.describe(code))
        }
    }
}
