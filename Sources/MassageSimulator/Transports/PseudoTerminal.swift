import Glibc
import Synchronization

/// A ``DevicePort`` on a pseudo-terminal: any serial client (`picocom`, pyserial,
/// `massagectl` pointed at a tty) opens ``slavePath`` (`/dev/pts/N`) as if it were the
/// device's USB serial port.
///
/// - The slave is in raw mode (cfmakeraw: no echo, no line editing, no CR/NL
///   translation, no XON/XOFF, no signals), so every byte value passes unchanged both
///   ways. The master is non-blocking.
/// - The port keeps a slave descriptor of its own open, so the master never reads EIO
///   between clients and the terminal settings survive from one client to the next.
///   When the last client leaves, raw mode is put back (a client may have changed it).
///
/// Connection detection: with its own slave descriptor open, Linux gives the master no
/// sign of clients coming and going (no EIO, no POLLHUP, and TIOCPKT reports only flow
/// control). So the port watches the slave's device node with inotify for IN_OPEN and
/// IN_CLOSE: a client is attached while the opens outnumber the closes (its own
/// descriptor was opened before the watch, so it is not counted). That follows
/// open(2)/close(2) exactly, and descriptors shared by dup or fork (one open, one close
/// per open file description). inotify merges identical events queued back to back, so
/// two clients opening between two polls count as one; before reporting that the last
/// client left, the port therefore checks /proc/PID/fd for anyone else holding the
/// slave (processes this user may inspect). It cannot tell who the client is, and it
/// counts any program that opens the node (a probing modem manager, say). Output written
/// while no client is attached is discarded, and the slave's input queue is flushed
/// when a client attaches, so a client never reads bytes meant for an earlier one.
/// If inotify is unavailable (its per-user limit, for instance), the port falls back to
/// treating itself as connected from the first byte a client sends, and never
/// disconnected; writes before then are discarded.
public final class PseudoTerminal: DevicePort {
    /// The slave device a client opens, e.g. `/dev/pts/3`.
    public let slavePath: String

    public var name: String { "pseudo-terminal \(slavePath)" }

    /// Whether clients are detected with inotify (true) or by the first-byte fallback.
    public let detectsClientsExactly: Bool

    /// The symlink made by ``link(at:)``, if any.
    public var linkPath: String? { state.withLock { $0.linkPath } }

    private struct State {
        var master: Int32
        var slave: Int32
        var watch: Int32
        var clients = 0
        var connected = false
        var writer = StallingWriter()
        var events = PortEventQueue()
        var linkPath: String?
        var raw: termios
        /// Bytes read from the master by poll() (see lastClientLeft), handed out first by
        /// the next read.
        var pending: [UInt8] = []
    }

    private let state: Mutex<State>
    private let dropped = Atomic<Int>(0)

    /// Opens a new pseudo-terminal pair.
    public init() throws(PortError) {
        guard let posixOpenpt = GNULibC.posixOpenpt(), let grantpt = GNULibC.grantpt(),
              let unlockpt = GNULibC.unlockpt(), let ptsnameR = GNULibC.ptsnameR()
        else {
            throw .system(operation: "finding posix_openpt/grantpt/unlockpt/ptsname_r in the C library",
                          path: nil, errno: ENOSYS)
        }
        let master = posixOpenpt(O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { throw .system(operation: "posix_openpt", path: nil, errno: errno) }
        var slave: Int32 = -1
        do throws(PortError) {
            guard grantpt(master) == 0 else { throw .system(operation: "grantpt", path: nil, errno: errno) }
            guard unlockpt(master) == 0 else { throw .system(operation: "unlockpt", path: nil, errno: errno) }
            var nameBuffer = [CChar](repeating: 0, count: 128)
            let nameResult = nameBuffer.withUnsafeMutableBufferPointer { ptsnameR(master, $0.baseAddress, $0.count) }
            // ptsname_r returns the error number itself.
            guard nameResult == 0 else { throw .system(operation: "ptsname_r", path: nil, errno: nameResult) }
            let path = String(decoding: nameBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let code = makeNonBlockingCloseOnExec(master) {
                throw .system(operation: "fcntl O_NONBLOCK on the master of", path: path, errno: code)
            }

            slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK)
            guard slave >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
            var raw = termios()
            guard tcgetattr(slave, &raw) == 0 else { throw .system(operation: "tcgetattr", path: path, errno: errno) }
            cfmakeraw(&raw)
            guard tcsetattr(slave, TCSANOW, &raw) == 0 else {
                throw .system(operation: "tcsetattr raw", path: path, errno: errno)
            }

            var watch = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            if watch >= 0,
               inotify_add_watch(watch, path, UInt32(IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE)) < 0 {
                Glibc.close(watch)
                watch = -1
            }
            slavePath = path
            detectsClientsExactly = watch >= 0
            state = Mutex(State(master: master, slave: slave, watch: watch, raw: raw))
        } catch {
            if slave >= 0 { Glibc.close(slave) }
            Glibc.close(master)
            throw error
        }
    }

    deinit { close() }

    public var isConnected: Bool { state.withLock { $0.connected } }

    public var droppedByteCount: Int { dropped.load(ordering: .relaxed) }

    public func readAvailable(into buffer: inout [UInt8]) throws(PortError) -> Int {
        let name = self.name
        return try state.withLock { (state) throws(PortError) -> Int in
            guard state.master >= 0 else { throw .closed(port: name) }
            watchClients(&state)
            let earlier = state.pending.count
            if earlier > 0 {
                buffer.append(contentsOf: state.pending)
                state.pending.removeAll()
            }
            let (drained, end) = drainNonBlocking(state.master, into: &buffer, limit: readLimitPerCall - earlier)
            let count = earlier + drained
            // EIO would mean no slave is open, which our own descriptor prevents; any
            // other failure is unexpected.
            if case .failed(let code) = end, code != EIO {
                throw .system(operation: "read", path: "the master of \(slavePath)", errno: code)
            }
            if count > 0, state.watch < 0, !state.connected {
                state.connected = true
                state.events.append(.connected("a client wrote to \(slavePath)"))
            }
            return count
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(PortError) {
        let name = self.name
        let dropped = try state.withLock { (state) throws(PortError) -> Int in
            guard state.master >= 0 else { throw .closed(port: name) }
            guard state.connected else { return 0 }
            let master = state.master
            let outcome = state.writer.write(bytes, to: master) { pointer, count in
                Glibc.write(master, pointer, count)
            }
            switch outcome {
            case .sent:
                return 0
            case .dropped(let count, let stalledNow):
                if stalledNow {
                    state.events.append(.stalled(
                        "the client of \(slavePath) has not read for \(StallingWriter.patience); dropping output until it reads"
                    ))
                }
                return count
            case .peerGone(let code), .failed(let code):
                throw .system(operation: "write", path: "the master of \(slavePath)", errno: code)
            }
        }
        if dropped > 0 { self.dropped.add(dropped, ordering: .relaxed) }
    }

    public func poll() -> PortEvent? {
        state.withLock { state in
            guard state.master >= 0 else { return state.events.pop() }
            watchClients(&state)
            // Report a departure only after the bytes the client sent before leaving
            // have been read, as a socket's end of file would be.
            if case .disconnected = state.events.first,
               !state.pending.isEmpty || bytesWaiting(state.master) > 0 {
                return nil
            }
            return state.events.pop()
        }
    }

    /// Makes a symlink at `path` to ``slavePath`` (e.g. `/tmp/massage-sim-tty`), removed
    /// again by ``close()``. A dangling symlink at `path` (left by an earlier run) is
    /// replaced; anything else there is an error. A second call moves the link.
    public func link(at path: String) throws(PortError) {
        guard !path.isEmpty else { throw .invalidPath(path: path, reason: "the path is empty") }
        guard !path.utf8.contains(0) else { throw .invalidPath(path: path, reason: "it contains a NUL byte") }
        let name = self.name
        let slavePath = self.slavePath
        try state.withLock { (state) throws(PortError) in
            guard state.master >= 0 else { throw .closed(port: name) }
            var status = stat()
            if lstat(path, &status) == 0 {
                guard status.st_mode & S_IFMT == S_IFLNK else {
                    throw .pathInUse(path: path, detail: "it is not a symlink")
                }
                let target = Self.symlinkTarget(path)
                if target != slavePath {
                    var targetStatus = stat()
                    guard stat(path, &targetStatus) != 0, errno == ENOENT else {
                        throw .pathInUse(path: path, detail: "a symlink to \(target ?? "?"), which exists")
                    }
                    guard unlink(path) == 0 || errno == ENOENT else {
                        throw .system(operation: "unlink dangling symlink", path: path, errno: errno)
                    }
                }
            } else if errno != ENOENT {
                throw .system(operation: "lstat", path: path, errno: errno)
            }
            if Self.symlinkTarget(path) != slavePath {
                guard symlink(slavePath, path) == 0 else {
                    let code = errno
                    if code == EEXIST { throw .pathInUse(path: path, detail: "created meanwhile by another process") }
                    throw .system(operation: "symlink", path: path, errno: code)
                }
            }
            if let old = state.linkPath, old != path { Self.removeLink(old, to: slavePath) }
            state.linkPath = path
        }
    }

    public func close() {
        state.withLock { state in
            guard state.master >= 0 else { return }
            if let linkPath = state.linkPath { Self.removeLink(linkPath, to: slavePath) }
            state.linkPath = nil
            if state.connected {
                state.connected = false
                state.events.append(.disconnected("\(slavePath) was closed"))
            }
            if state.watch >= 0 { Glibc.close(state.watch) }
            Glibc.close(state.slave)
            Glibc.close(state.master)
            state.watch = -1
            state.slave = -1
            state.master = -1
        }
    }

    // MARK: - Clients

    /// Applies the client opens and closes inotify reported since last time, one by one,
    /// so that a client that came and went between two calls is still reported.
    private func watchClients(_ state: inout State) {
        guard state.watch >= 0 else { return }
        withUnsafeTemporaryAllocation(byteCount: 4096, alignment: MemoryLayout<inotify_event>.alignment) { buffer in
            guard let base = buffer.baseAddress else { return }
            while true {
                let n = Glibc.read(state.watch, base, buffer.count)
                guard n > 0 else { return }  // EAGAIN: no more events
                var offset = 0
                let header = MemoryLayout<inotify_event>.size
                while offset + header <= n {
                    let event = (base + offset).loadUnaligned(as: inotify_event.self)
                    offset += header + Int(event.len)
                    if event.mask & UInt32(IN_OPEN) != 0 {
                        state.clients += 1
                        if state.clients == 1 { clientArrived(&state) }
                    }
                    if event.mask & UInt32(IN_CLOSE_WRITE | IN_CLOSE_NOWRITE) != 0, state.clients > 0 {
                        state.clients -= 1
                        if state.clients == 0 {
                            // inotify merges identical events that are queued back to
                            // back, so two opens close together count as one: check
                            // before saying the last client left.
                            if Self.openedElsewhere(slavePath, except: state.slave) {
                                state.clients = 1
                            } else {
                                lastClientLeft(&state)
                            }
                        }
                    }
                    // IN_Q_OVERFLOW (events lost) leaves the count as it was: closer to
                    // the truth than any guess, and it needs 16384 unread events.
                }
            }
        }
    }

    private func clientArrived(_ state: inout State) {
        // Bytes written for an earlier client and never read are not for this one.
        tcflush(state.slave, TCIFLUSH)
        state.connected = true
        state.writer.reset()
        state.events.append(.connected("a client opened \(slavePath)"))
    }

    private func lastClientLeft(_ state: inout State) {
        // What the client wrote just before closing may still be on its way to the
        // master (the tty layer moves it in a work item). A read on the master waits
        // for that work when nothing is readable, so read now: the departure is then
        // reported after those bytes, as a socket's end of file would be.
        _ = drainNonBlocking(state.master, into: &state.pending, limit: readLimitPerCall)
        state.connected = false
        tcflush(state.slave, TCIFLUSH)
        // A client may have left the terminal cooked; the next one gets it raw.
        tcsetattr(state.slave, TCSANOW, &state.raw)
        state.events.append(.disconnected("the last client closed \(slavePath)"))
    }

    /// Whether any process (that this user may inspect) has `path` open, apart from this
    /// process's descriptor `ownDescriptor`. Reads /proc/PID/fd; used only when the
    /// count of clients drops to zero.
    private static func openedElsewhere(_ path: String, except ownDescriptor: Int32) -> Bool {
        guard let processes = opendir("/proc") else { return false }
        defer { closedir(processes) }
        let ownProcess = getpid()
        while let process = readdir(processes) {
            let pidName = entryName(process)
            guard let pid = Int32(pidName) else { continue }
            let directory = "/proc/\(pidName)/fd"
            guard let descriptors = opendir(directory) else { continue }
            defer { closedir(descriptors) }
            while let descriptor = readdir(descriptors) {
                let fdName = entryName(descriptor)
                guard let fd = Int32(fdName), !(pid == ownProcess && fd == ownDescriptor) else { continue }
                if symlinkTarget("\(directory)/\(fdName)") == path { return true }
            }
        }
        return false
    }

    private static func entryName(_ entry: UnsafeMutablePointer<dirent>) -> String {
        withUnsafeBytes(of: &entry.pointee.d_name) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private static func symlinkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBufferPointer { chars -> Int in
            guard let base = chars.baseAddress else { return -1 }
            return readlink(path, base, chars.count)
        }
        guard n > 0, n < buffer.count else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Removes `path` if it is still a symlink to `target`.
    private static func removeLink(_ path: String, to target: String) {
        if symlinkTarget(path) == target { unlink(path) }
    }
}
