import Glibc

// Non-blocking reads and patient-but-bounded writes on a file descriptor, shared by
// the socket and pseudo-terminal ports.

/// How a drain of a non-blocking descriptor ended.
enum ReadEnd: Equatable {
    /// Nothing more is waiting now (EAGAIN), or the per-call limit was reached.
    case drained
    /// The peer closed its side (read returned 0).
    case endOfFile
    /// read failed with this errno.
    case failed(Int32)
}

/// Reads from non-blocking `fd` until it would block, it ends, or `limit` bytes were
/// read, appending to `buffer`. Uses a stack buffer: no allocation beyond `buffer`'s.
func drainNonBlocking(_ fd: Int32, into buffer: inout [UInt8], limit: Int) -> (count: Int, end: ReadEnd) {
    withUnsafeTemporaryAllocation(byteCount: 4096, alignment: 16) { chunk in
        var total = 0
        while total < limit {
            let wanted = min(chunk.count, limit - total)
            guard let base = chunk.baseAddress else { return (total, .drained) }
            let n = Glibc.read(fd, base, wanted)
            if n > 0 {
                buffer.append(contentsOf: UnsafeRawBufferPointer(start: base, count: n))
                total += n
                continue
            }
            if n == 0 { return (total, .endOfFile) }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return (total, .drained) }
            return (total, .failed(code))
        }
        return (total, .drained)
    }
}

/// Waits up to `milliseconds` (0: just look) for `events` on `fd`; returns the revents,
/// 0 on timeout. A signal interrupting the wait ends it early, which callers tolerate.
func pollDescriptor(_ fd: Int32, events: Int16, milliseconds: Int32) -> Int16 {
    var entry = pollfd(fd: fd, events: events, revents: 0)
    let n = Glibc.poll(&entry, 1, milliseconds)
    return n > 0 ? entry.revents : 0
}

/// Bytes waiting to be read on `fd` (FIONREAD), 0 if it cannot tell.
func bytesWaiting(_ fd: Int32) -> Int {
    var count: Int32 = 0
    return ioctl(fd, UInt(FIONREAD), &count) == 0 ? Int(count) : 0
}

/// Sets O_NONBLOCK and FD_CLOEXEC on `fd`; returns the failing errno, or nil.
func makeNonBlockingCloseOnExec(_ fd: Int32) -> Int32? {
    let flags = fcntl(fd, F_GETFL)
    guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else { return errno }
    let descriptorFlags = fcntl(fd, F_GETFD)
    guard descriptorFlags >= 0, fcntl(fd, F_SETFD, descriptorFlags | FD_CLOEXEC) == 0 else { return errno }
    return nil
}

/// The write policy of every ``DevicePort``: send everything, retrying partial writes;
/// wait for a host that is not reading for at most ``patience``, then drop the rest
/// and count it, and become *stalled*: while stalled, writes do not wait at all (what
/// does not fit at once is dropped) until one write goes through whole.
///
/// So a host that stops reading costs the simulator's loop one wait of about 100 ms,
/// not 100 ms per write.
struct StallingWriter {
    static let patience: Duration = .milliseconds(100)

    enum Outcome: Equatable {
        /// Everything was sent.
        case sent
        /// This many bytes (at the end) were dropped; `stalledNow` is true when this
        /// write is the one that ran out of patience.
        case dropped(Int, stalledNow: Bool)
        /// The peer is gone (EPIPE, ECONNRESET, EIO...): the rest is discarded.
        case peerGone(Int32)
        /// Any other failure.
        case failed(Int32)
    }

    private(set) var isStalled = false

    mutating func reset() { isStalled = false }

    /// Writes `bytes` to non-blocking `fd` with `send(pointer, count)`, a write(2)-like
    /// call returning the count or -1 with errno set.
    mutating func write(
        _ bytes: UnsafeRawBufferPointer, to fd: Int32, using send: (UnsafeRawPointer, Int) -> Int
    ) -> Outcome {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .sent }
        var offset = 0
        var deadline: ContinuousClock.Instant? = nil
        while offset < bytes.count {
            let n = send(base + offset, bytes.count - offset)
            if n > 0 {
                offset += n
                continue
            }
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                if code != EAGAIN && code != EWOULDBLOCK {
                    switch code {
                    case EPIPE, ECONNRESET, ENOTCONN, EIO, ESHUTDOWN: return .peerGone(code)
                    default: return .failed(code)
                    }
                }
            }
            // The peer's buffer is full.
            if isStalled { return .dropped(bytes.count - offset, stalledNow: false) }
            let now = ContinuousClock.now
            let end = deadline ?? now + Self.patience
            deadline = end
            let remaining = end - now
            guard remaining > .zero else {
                isStalled = true
                return .dropped(bytes.count - offset, stalledNow: true)
            }
            let (seconds, attoseconds) = remaining.components
            let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
            _ = pollDescriptor(fd, events: Int16(POLLOUT), milliseconds: Int32(clamping: max(1, milliseconds)))
        }
        isStalled = false
        return .sent
    }
}
