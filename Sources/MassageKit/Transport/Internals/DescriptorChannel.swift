import Glibc
import Synchronization

/// The ``Transport`` contract on one non-blocking file descriptor (a connected socket or
/// an open terminal), shared by ``UnixSocketTransport`` and ``SerialTransport``.
///
/// - `receive` waits in poll(2) on the descriptor and on a wake-up socket that `close`
///   makes readable, so a blocked receive (or a send waiting for room) returns at once
///   with ``TransportError/closed(endpoint:)``.
/// - The descriptor is closed only when no call is using it: `close` marks the channel
///   closed, wakes the calls in flight and waits for them to leave (they leave
///   promptly: every call that waits, waits in poll with the wake-up socket), so a
///   descriptor number is never closed under a call that may still use it.
/// - Once the peer is gone (end of file, hang-up, EPIPE, EIO...), every later call
///   throws ``TransportError/disconnected(endpoint:reason:)`` with the first reason seen.
/// - Sends are serialised, so the frames of two threads never interleave on the wire.
/// - `wakeReceive` writes a byte to a second socket pair that `receive` also polls (the
///   Glibc module has no eventfd): a receive that is waiting (or the next one) returns at
///   once with nothing, the way an event loop is woken from its selector.
final class DescriptorChannel: Sendable {
    /// How bytes are written: `send(2)` with MSG_NOSIGNAL on a socket (no SIGPIPE),
    /// `write(2)` on a terminal.
    enum Kind: Sendable {
        case socket
        case terminal
    }

    /// How long a send waits for the device to make room before giving up (the
    /// contract's "about 100 ms").
    static let sendPatience: Duration = .milliseconds(100)

    /// The most one receive returns.
    static let receiveLimit = 16 * 1024

    let endpoint: String
    private let kind: Kind
    private let state: Mutex<State>
    /// Held for a whole send, so concurrent sends never interleave their bytes.
    private let sendLock = Mutex<Void>(())
    /// Called with the descriptor just before it is closed (a terminal drops its
    /// exclusive mode there).
    private let beforeClose: @Sendable (Int32) -> Void

    private struct State {
        var descriptor: Int32
        /// Read end of the wake-up socket pair: readable once `close` has begun.
        var wakeReader: Int32
        var wakeWriter: Int32
        /// Read end of the nudge pair: readable once `wakeReceive` was called and until a
        /// receive consumed the wake-up.
        var nudge: Int32
        var nudgeWriter: Int32
        /// Calls between `enter` and `leave`.
        var callsInFlight = 0
        var isClosed = false
        var goneReason: String?
    }

    /// Takes ownership of `descriptor` (already non-blocking and close-on-exec); closes
    /// it if the wake-up socket cannot be made.
    init(descriptor: Int32, kind: Kind, endpoint: String,
         beforeClose: @escaping @Sendable (Int32) -> Void = { _ in }) throws(TransportError) {
        var pair: [Int32] = [-1, -1]
        let flags = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, flags, 0, &pair) == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw .io(endpoint: endpoint, operation: "socketpair (for close wake-ups)", detail: ErrnoText.describe(code))
        }
        var nudge: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, flags, 0, &nudge) == 0 else {
            let code = errno
            Glibc.close(descriptor)
            Glibc.close(pair[0])
            Glibc.close(pair[1])
            throw .io(endpoint: endpoint, operation: "socketpair (for receive wake-ups)", detail: ErrnoText.describe(code))
        }
        self.endpoint = endpoint
        self.kind = kind
        self.beforeClose = beforeClose
        state = Mutex(State(descriptor: descriptor, wakeReader: pair[0], wakeWriter: pair[1],
                            nudge: nudge[0], nudgeWriter: nudge[1]))
    }

    deinit { close() }

    // MARK: - Calls

    func send(_ bytes: [UInt8]) throws(TransportError) {
        let (descriptor, wake) = try enter()
        defer { leave() }
        try sendLock.withLock { (_: inout Void) throws(TransportError) in
            // (withUnsafeBytes rethrows untyped: carry the typed error out as a Result.)
            let outcome = bytes.withUnsafeBytes { raw -> Result<Void, TransportError> in
                do throws(TransportError) {
                    return .success(try sendAll(raw, descriptor: descriptor, wake: wake))
                } catch {
                    return .failure(error)
                }
            }
            try outcome.get()
        }
    }

    func receive(timeout: Duration) throws(TransportError) -> [UInt8] {
        let (descriptor, wake) = try enter()
        defer { leave() }
        let nudge = state.withLock { $0.nudge }
        let deadline = ContinuousClock.now + max(timeout, .zero)
        while true {
            var entries = [
                pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
                pollfd(fd: nudge, events: Int16(POLLIN), revents: 0),
            ]
            let ready = Glibc.poll(&entries, 3, Self.milliseconds(until: deadline))
            if ready < 0 {
                let code = errno
                if code == EINTR { continue }
                throw .io(endpoint: endpoint, operation: "poll", detail: ErrnoText.describe(code))
            }
            if entries[1].revents != 0 { throw .closed(endpoint: endpoint) }
            let events = entries[0].revents
            if entries[2].revents != 0 {
                // Consume every wake-up byte so far: one return answers them all.
                var sink = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
                _ = Glibc.read(nudge, &sink, MemoryLayout.size(ofValue: sink))
                if events == 0 { return [] }
            }
            if ready == 0 || events == 0 {
                if ContinuousClock.now >= deadline { return [] }
                continue
            }
            if let bytes = try readAvailable(descriptor, hungUp: events & Int16(POLLHUP) != 0) { return bytes }
            // Nothing to read after all (another thread took it): wait again.
        }
    }

    /// Makes the waiting (or next) receive return at once. Never blocks: the write is
    /// MSG_DONTWAIT, and a full pair already means a wake-up is pending.
    func wakeReceive() {
        guard (try? enter()) != nil else { return }
        defer { leave() }
        let writer = state.withLock { $0.nudgeWriter }
        var byte: UInt8 = 1
        _ = Glibc.send(writer, &byte, 1, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
    }

    /// Marks the channel closed, wakes the calls in flight, waits for them to leave and
    /// closes the descriptor. Idempotent.
    func close() {
        let first = state.withLock { state -> Bool in
            guard !state.isClosed else { return false }
            state.isClosed = true
            var byte: UInt8 = 1
            _ = Glibc.send(state.wakeWriter, &byte, 1, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            return true
        }
        guard first else { return }
        // Woken calls leave within one poll return; this waits microseconds.
        while state.withLock({ $0.callsInFlight }) > 0 { usleep(100) }
        let descriptors = state.withLock { state -> (Int32, Int32, Int32, Int32, Int32) in
            defer {
                state.descriptor = -1
                state.wakeReader = -1
                state.wakeWriter = -1
                state.nudge = -1
                state.nudgeWriter = -1
            }
            return (state.descriptor, state.wakeReader, state.wakeWriter, state.nudge, state.nudgeWriter)
        }
        beforeClose(descriptors.0)
        Glibc.close(descriptors.0)
        Glibc.close(descriptors.1)
        Glibc.close(descriptors.2)
        Glibc.close(descriptors.3)
        Glibc.close(descriptors.4)
    }

    // MARK: - Internals

    private func enter() throws(TransportError) -> (descriptor: Int32, wake: Int32) {
        let endpoint = self.endpoint
        return try state.withLock { (state) throws(TransportError) -> (Int32, Int32) in
            guard !state.isClosed else { throw .closed(endpoint: endpoint) }
            if let reason = state.goneReason { throw .disconnected(endpoint: endpoint, reason: reason) }
            state.callsInFlight += 1
            return (state.descriptor, state.wakeReader)
        }
    }

    private func leave() {
        state.withLock { $0.callsInFlight -= 1 }
    }

    /// Records that the peer is gone (the first reason wins) and returns the error.
    private func gone(_ reason: String) -> TransportError {
        let endpoint = self.endpoint
        return state.withLock { state in
            if state.goneReason == nil { state.goneReason = reason }
            return .disconnected(endpoint: endpoint, reason: state.goneReason ?? reason)
        }
    }

    /// One read of what is waiting; nil when nothing was (EAGAIN), unless the descriptor
    /// reported a hang-up, which then means the peer is gone.
    private func readAvailable(_ descriptor: Int32, hungUp: Bool) throws(TransportError) -> [UInt8]? {
        while true {
            // A stack buffer: a receive allocates only the array it returns.
            let (bytes, code) = withUnsafeTemporaryAllocation(byteCount: Self.receiveLimit, alignment: 16) {
                chunk -> ([UInt8], Int32) in
                guard let base = chunk.baseAddress else { return ([], EINVAL) }
                let count = Glibc.read(descriptor, base, chunk.count)
                if count > 0 { return (Array(UnsafeRawBufferPointer(start: base, count: count)), 0) }
                return ([], count == 0 ? 0 : errno)
            }
            if !bytes.isEmpty { return bytes }
            switch code {
            case 0:
                throw gone(kind == .socket ? "the peer closed the connection" : "the terminal hung up")
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                if hungUp { throw gone(kind == .socket ? "the peer hung up" : "the terminal hung up") }
                return nil
            case EIO, ECONNRESET, ENOTCONN, EPIPE, ENODEV, ENXIO, ESHUTDOWN:
                throw gone("read: \(ErrnoText.describe(code))")
            default:
                throw .io(endpoint: endpoint, operation: "read", detail: ErrnoText.describe(code))
            }
        }
    }

    private func sendAll(_ bytes: UnsafeRawBufferPointer, descriptor: Int32, wake: Int32) throws(TransportError) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        var deadline: ContinuousClock.Instant?
        while offset < bytes.count {
            let count: Int
            switch kind {
            case .socket:
                count = Glibc.send(descriptor, base + offset, bytes.count - offset,
                                   Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            case .terminal:
                count = Glibc.write(descriptor, base + offset, bytes.count - offset)
            }
            if count > 0 {
                offset += count
                continue
            }
            let code = count < 0 ? errno : EAGAIN
            switch code {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                break
            case EPIPE, ECONNRESET, ENOTCONN, EIO, ENODEV, ENXIO, ESHUTDOWN:
                throw gone("write: \(ErrnoText.describe(code))")
            default:
                throw .io(endpoint: endpoint, operation: "write", detail: ErrnoText.describe(code))
            }
            // No room: the device is not reading. Wait, but not for long.
            let end = deadline ?? ContinuousClock.now + Self.sendPatience
            deadline = end
            guard ContinuousClock.now < end else {
                throw .io(endpoint: endpoint, operation: "send",
                          detail: "the device has not read for \(Self.sendPatience); \(offset) of \(bytes.count) bytes went"
                              + " (the device drops the cut frame): check that it is still running")
            }
            var entries = [
                pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0),
                pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
            ]
            _ = Glibc.poll(&entries, 2, Self.milliseconds(until: end))
            if entries[1].revents != 0 { throw .closed(endpoint: endpoint) }
        }
    }

    /// The poll(2) timeout reaching `deadline`, rounded up to whole milliseconds (so a
    /// wait never ends just before its deadline); 0 when it has passed.
    static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        let whole = seconds.multipliedReportingOverflow(by: 1000)
        guard !whole.overflow else { return .max }
        let milliseconds = whole.partialValue.addingReportingOverflow((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
        guard !milliseconds.overflow else { return .max }
        return Int32(clamping: milliseconds.partialValue)
    }
}
