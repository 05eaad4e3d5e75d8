import MassageKit
import Glibc
import Synchronization

/// A ``DevicePort`` on a UNIX stream socket: host processes connect to ``path``
/// (`socat - UNIX-CONNECT:path`, or any program) and talk to the device over the
/// connection, as they would over a serial port.
///
/// - The socket file is owner-only (0600) from the moment it exists: the socket's mode
///   is set with fchmod before bind (Linux creates the file with it, less the umask),
///   then checked, and fixed before listening if a umask made it stricter. It is never
///   group- or world-accessible.
/// - One client at a time. A second client while one is attached is accepted and closed
///   at once, with nothing written, and reported as ``PortEvent/refused(_:)``. When the
///   client leaves, the port accepts again.
/// - A client closing its sending side (end of file) counts as leaving.
/// - A stale socket file at the path (nobody listening: connect is refused) is removed
///   and replaced. A live one, or anything that is not a socket, is an error.
/// - ``close()`` removes the socket file, if it is still the one this port made.
/// - SIGPIPE is never raised: sends use MSG_NOSIGNAL.
public final class UnixSocketServer: DevicePort {
    /// The longest path a socket can have: `sun_path` less its terminating NUL (107 on Linux).
    public static let maximumPathLength: Int = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// The socket's path, as given.
    public let path: String

    public var name: String { "UNIX socket \(path)" }

    private struct State {
        var listener: Int32
        var client: Int32 = -1
        var clientName = ""
        var writer = StallingWriter()
        var events = PortEventQueue()
        /// The socket file this port made, so close() removes only that one.
        var device: dev_t
        var inode: ino_t
        /// The last accept failure reported, so a persistent one is logged once.
        var acceptFailure: Int32 = 0
    }

    private let state: Mutex<State>
    private let dropped = Atomic<Int>(0)
    private let accept4 = GNULibC.accept4()

    /// Creates the socket file at `path` and listens on it.
    public init(path: String, backlog: Int32 = 4) throws(PortError) {
        self.path = path
        var address = try Self.address(for: path)
        try Self.clearStaleSocket(at: path)

        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | GNULibC.acceptFlags, 0)
        guard fd >= 0 else { throw .system(operation: "socket", path: nil, errno: errno) }
        var bound = false
        do throws(PortError) {
            // The socket inode's mode, less the umask, becomes the file's mode at bind.
            _ = fchmod(fd, 0o600)
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard result == 0 else {
                let code = errno
                if code == EADDRINUSE { throw .socketInUse(path: path) }
                throw .system(operation: "bind", path: path, errno: code)
            }
            bound = true
            let identity = try Self.makeOwnerOnly(path)
            guard listen(fd, backlog) == 0 else {
                throw .system(operation: "listen", path: path, errno: errno)
            }
            state = Mutex(State(listener: fd, device: identity.device, inode: identity.inode))
        } catch {
            Glibc.close(fd)
            if bound { unlink(path) }
            throw error
        }
    }

    deinit { close() }

    public var isConnected: Bool { state.withLock { $0.client >= 0 } }

    public var droppedByteCount: Int { dropped.load(ordering: .relaxed) }

    public func readAvailable(into buffer: inout [UInt8]) throws(PortError) -> Int {
        let name = self.name
        return try state.withLock { (state) throws(PortError) -> Int in
            guard state.listener >= 0 else { throw .closed(port: name) }
            var total = 0
            // Read the attached client first: its end of file frees the port for a
            // client waiting to be accepted, which is then read in the same call.
            for _ in 0..<2 {
                if state.client >= 0 {
                    let (count, end) = drainNonBlocking(state.client, into: &buffer, limit: readLimitPerCall - total)
                    total += count
                    switch end {
                    case .drained: break
                    case .endOfFile: dropClient(&state, reason: "\(state.clientName) closed the connection")
                    case .failed(let code):
                        dropClient(&state, reason: "\(state.clientName): \(Errno(code).description)")
                    }
                }
                let hadClient = state.client >= 0
                service(&state)
                if hadClient || state.client < 0 || total >= readLimitPerCall { break }
            }
            return total
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(PortError) {
        let name = self.name
        let dropped = try state.withLock { (state) throws(PortError) -> Int in
            guard state.listener >= 0 else { throw .closed(port: name) }
            let client = state.client
            guard client >= 0 else { return 0 }
            let outcome = state.writer.write(bytes, to: client) { pointer, count in
                send(client, pointer, count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
            switch outcome {
            case .sent:
                return 0
            case .dropped(let count, let stalledNow):
                if stalledNow {
                    state.events.append(.stalled(
                        "\(state.clientName) has not read for \(StallingWriter.patience); dropping output until it reads"
                    ))
                }
                return count
            case .peerGone(let code), .failed(let code):
                dropClient(&state, reason: "\(state.clientName): \(Errno(code).description)")
                return 0
            }
        }
        if dropped > 0 { self.dropped.add(dropped, ordering: .relaxed) }
    }

    public func poll() -> PortEvent? {
        state.withLock { state in
            if state.listener >= 0 { service(&state) }
            return state.events.pop()
        }
    }

    public func close() {
        state.withLock { state in
            guard state.listener >= 0 else { return }
            if state.client >= 0 {
                Glibc.close(state.client)
                state.client = -1
                state.events.append(.disconnected("\(state.clientName): the port was closed"))
            }
            // Remove the file only if it is still the socket this port bound.
            var status = stat()
            if lstat(path, &status) == 0, status.st_dev == state.device, status.st_ino == state.inode {
                unlink(path)
            }
            Glibc.close(state.listener)
            state.listener = -1
        }
    }

    // MARK: - Clients

    /// Notices a client that hung up, and accepts or turns away new ones; one poll(2)
    /// when nothing is happening.
    private func service(_ state: inout State) {
        var descriptors = (
            pollfd(fd: state.listener, events: Int16(POLLIN), revents: 0),
            pollfd(fd: state.client, events: Int16(POLLIN), revents: 0)  // ignored while -1
        )
        let ready = withUnsafeMutablePointer(to: &descriptors) {
            $0.withMemoryRebound(to: pollfd.self, capacity: 2) { Glibc.poll($0, 2, 0) }
        }
        guard ready > 0 else { return }
        if descriptors.1.revents & Int16(POLLHUP | POLLERR) != 0, bytesWaiting(state.client) == 0 {
            dropClient(&state, reason: "\(state.clientName) closed the connection")
        }
        if descriptors.0.revents & Int16(POLLIN) != 0 { acceptPending(&state) }
    }

    /// Whether the attached client hung up but bytes it sent are still unread; a client
    /// that hung up with everything read is dropped here. While this is true a new
    /// client waits in the listen backlog instead of being turned away.
    private func clientLeavingWithUnreadBytes(_ state: inout State) -> Bool {
        guard state.client >= 0 else { return false }
        let revents = pollDescriptor(state.client, events: Int16(POLLIN), milliseconds: 0)
        guard revents & Int16(POLLHUP | POLLERR) != 0 else { return false }
        if bytesWaiting(state.client) > 0 { return true }
        dropClient(&state, reason: "\(state.clientName) closed the connection")
        return false
    }

    private func acceptPending(_ state: inout State) {
        // Bounded, so a connect storm cannot hold the loop.
        for _ in 0..<16 {
            // A client that has left (or is leaving) does not keep a new one out.
            if clientLeavingWithUnreadBytes(&state) { return }
            let fd: Int32
            if let accept4 {
                fd = accept4(state.listener, nil, nil, GNULibC.acceptFlags)
            } else {
                fd = accept(state.listener, nil, nil)
                if fd >= 0, makeNonBlockingCloseOnExec(fd) != nil {
                    Glibc.close(fd)
                    continue
                }
            }
            guard fd >= 0 else {
                let code = errno
                switch code {
                case EAGAIN, EWOULDBLOCK: state.acceptFailure = 0; return
                case EINTR, ECONNABORTED: continue
                default:
                    // Out of descriptors or memory: report once, try again next time.
                    if state.acceptFailure != code {
                        state.acceptFailure = code
                        state.events.append(.refused("could not accept a client on \(path): \(Errno(code).description)"))
                    }
                    return
                }
            }
            state.acceptFailure = 0
            let peer = Self.peerName(fd)
            if state.client >= 0 {
                Glibc.close(fd)
                state.events.append(.refused("\(peer) turned away: \(state.clientName) is attached"))
            } else {
                state.client = fd
                state.clientName = peer
                state.writer.reset()
                state.events.append(.connected("\(peer) on \(path)"))
            }
        }
    }

    private func dropClient(_ state: inout State, reason: String) {
        guard state.client >= 0 else { return }
        Glibc.close(state.client)
        state.client = -1
        state.writer.reset()
        state.events.append(.disconnected(reason))
    }

    /// "client pid 4242 uid 1000", from SO_PEERCRED; "client" if unavailable.
    private static func peerName(_ fd: Int32) -> String {
        // struct ucred (pid_t pid; uid_t uid; gid_t gid), which the Glibc module hides.
        var credentials = (pid: Int32(0), uid: UInt32(0), gid: UInt32(0))
        var length = socklen_t(MemoryLayout.size(ofValue: credentials))
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0,
              Int(length) == MemoryLayout.size(ofValue: credentials)
        else { return "client" }
        return "client pid \(credentials.pid) uid \(credentials.uid)"
    }

    // MARK: - Opening

    private static func address(for path: String) throws(PortError) -> sockaddr_un {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty else { throw .invalidPath(path: path, reason: "the path is empty") }
        guard !bytes.contains(0) else { throw .invalidPath(path: path, reason: "it contains a NUL byte") }
        guard bytes.count <= maximumPathLength else {
            throw .pathTooLong(path: path, byteCount: bytes.count, limit: maximumPathLength)
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { sunPath in
            sunPath.copyBytes(from: bytes)  // the rest stays zero: NUL-terminated
        }
        return address
    }

    /// Removes a socket file nobody listens on; throws if the path is taken otherwise.
    private static func clearStaleSocket(at path: String) throws(PortError) {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            let code = errno
            if code == ENOENT { return }
            throw .system(operation: "lstat", path: path, errno: code)
        }
        guard status.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path: path) }

        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | GNULibC.acceptFlags, 0)
        guard probe >= 0 else { throw .system(operation: "socket", path: nil, errno: errno) }
        defer { Glibc.close(probe) }
        var address = try address(for: path)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        let code = result == 0 ? 0 : errno
        switch code {
        case 0, EAGAIN, EINPROGRESS:
            // Accepted, or queued behind a full backlog: someone is listening.
            throw .socketInUse(path: path)
        case ECONNREFUSED:
            // Stale: left by a simulator that did not close it.
            guard unlink(path) == 0 || errno == ENOENT else {
                throw .system(operation: "unlink stale socket", path: path, errno: errno)
            }
        case ENOENT:
            return  // removed meanwhile
        default:
            throw .system(operation: "connect to the existing socket", path: path, errno: code)
        }
    }

    /// Checks the freshly bound socket file is ours, a socket, and mode 0600 (fixing a
    /// stricter mode that a umask produced); returns its identity.
    private static func makeOwnerOnly(_ path: String) throws(PortError) -> (device: dev_t, inode: ino_t) {
        var status = stat()
        guard lstat(path, &status) == 0 else { throw .system(operation: "lstat", path: path, errno: errno) }
        if status.st_mode & 0o7777 != 0o600 {
            guard chmod(path, 0o600) == 0 else { throw .system(operation: "chmod 0600", path: path, errno: errno) }
            guard lstat(path, &status) == 0 else { throw .system(operation: "lstat", path: path, errno: errno) }
        }
        guard status.st_mode & S_IFMT == S_IFSOCK, status.st_uid == geteuid(), status.st_mode & 0o7777 == 0o600 else {
            throw .insecureMode(path: path, mode: UInt32(status.st_mode))
        }
        return (status.st_dev, status.st_ino)
    }
}
