import Foundation
import Synchronization

/// Standard output for a command that drives a device: every write happens on this
/// writer's own thread, so a terminal that does not read (Ctrl-S, a frozen window, a
/// pager not scrolled), a full disk or a closed pipe never holds up the thread that
/// stops the device.
///
/// - ``line(_:)`` queues a line, in order; ``progress(_:)`` replaces the progress line
///   not yet written (only the newest matters).
/// - A write that fails (EPIPE: the reader left; ENOSPC, EIO, EBADF) calls `onFailure`
///   once, on the writer's thread; everything after it is dropped.
/// - ``drain(within:)`` waits until all is written, at most a bound.
final class OutputWriter: Sendable {
    enum Failure: Sendable, Equatable, CustomStringConvertible {
        /// EPIPE: whoever read the output has gone (`| head`).
        case readerGone
        /// Any other write error (errno).
        case failed(Int32)

        var description: String {
            switch self {
            case .readerGone: "the reader of standard output has gone (a closed pipe)"
            case .failed(let code): "standard output cannot be written (\(String(cString: strerror(code))))"
            }
        }
    }

    private struct State {
        var lines: [String] = []
        var progress: String?
        /// Bytes of a batch being written (to know when all is out).
        var writing = false
        var failure: Failure?
    }

    private let descriptor: Int32
    private let state = Mutex(State())
    private let work = DispatchSemaphore(value: 0)
    private let idle = NSCondition()
    private let onFailure: @Sendable (Failure) -> Void

    init(descriptor: Int32 = STDOUT_FILENO, onFailure: @escaping @Sendable (Failure) -> Void) {
        self.descriptor = descriptor
        self.onFailure = onFailure
        let thread = Thread { [self] in self.loop() }
        thread.name = "massagectl output"
        thread.start()
    }

    /// The write error met so far, if any.
    var failure: Failure? { state.withLock { $0.failure } }

    /// Queues `text` and a newline.
    func line(_ text: String) {
        let queued = state.withLock { state -> Bool in
            guard state.failure == nil else { return false }
            state.lines.append(text + "\n")
            return true
        }
        if queued { work.signal() }
    }

    /// Replaces the progress text not yet written (written as it is: the caller adds
    /// `\r` and the erase to end of line).
    func progress(_ text: String) {
        let queued = state.withLock { state -> Bool in
            guard state.failure == nil else { return false }
            let wasEmpty = state.progress == nil
            state.progress = text
            return wasEmpty
        }
        if queued { work.signal() }
    }

    /// Waits until everything queued is written or has failed, at most `bound` (nil:
    /// without a bound). True when nothing is left.
    @discardableResult
    func drain(within bound: Duration?) -> Bool {
        let deadline = bound.map { Date().addingTimeInterval(Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18) }
        idle.lock()
        defer { idle.unlock() }
        while !isDrained {
            if let deadline {
                if !idle.wait(until: deadline) { return isDrained }
            } else {
                idle.wait()
            }
        }
        return true
    }

    private var isDrained: Bool {
        state.withLock { $0.failure != nil || ($0.lines.isEmpty && $0.progress == nil && !$0.writing) }
    }

    private func loop() {
        while true {
            // Between writes, look every 100 ms whether the reader has gone (a pipe whose
            // reader closed reports an error before anything is written): the run stops
            // then, not at its next line, which may be 10 s away.
            if work.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
                if let gone = readerGone() {
                    report(gone)
                }
                continue
            }
            while let batch = takeBatch() {
                let error = write(batch)
                state.withLock { $0.writing = false }
                if let error { report(error) }
                idle.lock()
                idle.broadcast()
                idle.unlock()
            }
        }
    }

    /// Records the first failure, drops what waits, and tells the owner once.
    private func report(_ failure: Failure) {
        let first = state.withLock { state -> Bool in
            state.lines.removeAll()
            state.progress = nil
            guard state.failure == nil else { return false }
            state.failure = failure
            return true
        }
        if first { onFailure(failure) }
        idle.lock()
        idle.broadcast()
        idle.unlock()
    }

    /// A failure the descriptor shows without a write: the reading end of a pipe or
    /// socket closed (POLLERR, POLLHUP). Nil while it can be written, or only blocks.
    private func readerGone() -> Failure? {
        guard state.withLock({ $0.failure == nil }) else { return nil }
        var check = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        guard poll(&check, 1, 0) == 1 else { return nil }
        if check.revents & Int16(POLLNVAL) != 0 { return .failed(EBADF) }
        if check.revents & Int16(POLLERR | POLLHUP) != 0 { return .readerGone }
        return nil
    }

    private func takeBatch() -> [UInt8]? {
        state.withLock { state -> [UInt8]? in
            guard state.failure == nil, !state.lines.isEmpty || state.progress != nil else { return nil }
            var text = state.lines.joined()
            if let progress = state.progress { text += progress }
            state.lines.removeAll()
            state.progress = nil
            state.writing = true
            return Array(text.utf8)
        }
    }

    /// Writes all of `bytes`, blocking; the error, if the descriptor refuses them.
    private func write(_ bytes: [UInt8]) -> Failure? {
        let code = writeUnbuffered(bytes: bytes, to: descriptor)
        return code == 0 ? nil : code == EPIPE ? .readerGone : .failed(code)
    }
}
