import Foundation
import Synchronization

/// The signals that end a command, and a thread that acts on them at once.
///
/// SIGINT, SIGTERM, SIGHUP (the terminal closed) and SIGQUIT all mean "stop": the handler
/// keeps the first one for a loop to see (``received``) and writes its number into a pipe
/// (all a handler may safely do). A watcher thread reads the pipe and calls what the
/// command registered (``onSignal(_:)``), so stopping the device never waits on the
/// command's own loop, which may be blocked writing to a terminal nobody reads. SIGPIPE
/// is ignored: a write to a closed pipe fails with EPIPE, and the command stops the
/// device before it exits. With `jobControl`, SIGTSTP (Ctrl-Z) reaches the watcher too,
/// which must stop the device and then stop the process (``suspendProcess()``).
enum SignalFlag {
    private static let signal = Atomic<Int32>(0)
    private static let pipeWriteEnd = Atomic<Int32>(-1)
    private static let handler = Mutex<(@Sendable (Int32) -> Void)?>(nil)

    /// The signals that mean "stop".
    static let stopSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// The first stop signal received, 0 if none.
    static var received: Int32 { signal.load(ordering: .relaxed) }

    static func install(jobControl: Bool = false) {
        var ends: [Int32] = [-1, -1]
        if pipeWriteEnd.load(ordering: .relaxed) < 0, pipe(&ends) == 0 {
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            pipeWriteEnd.store(ends[1], ordering: .relaxed)
            let readEnd = ends[0]
            let watcher = Thread { watch(readEnd) }
            watcher.name = "massagectl signals"
            watcher.start()
        }
        for number in stopSignals {
            Glibc.signal(number) { caught in
                _ = SignalFlag.signal.compareExchange(expected: 0, desired: caught, ordering: .relaxed)
                SignalFlag.notifyWatcher(caught)
            }
        }
        Glibc.signal(SIGPIPE, SIG_IGN)
        if jobControl {
            Glibc.signal(SIGTSTP) { caught in SignalFlag.notifyWatcher(caught) }
        }
        // A process inherits its parent's signal mask: started from a thread that blocks
        // them (a thread pool's worker, as a test runner's may be), the signals would stay
        // pending and nothing could stop the device. This thread takes them.
        var wanted = sigset_t()
        sigemptyset(&wanted)
        for number in stopSignals + [SIGTSTP, SIGCONT] { sigaddset(&wanted, number) }
        pthread_sigmask(SIG_UNBLOCK, &wanted, nil)
    }

    /// What the watcher thread does with each signal from now on (a stop signal, or
    /// SIGTSTP); nil: only ``received`` records a stop, and SIGTSTP stops the process.
    static func onSignal(_ action: (@Sendable (Int32) -> Void)?) {
        handler.withLock { $0 = action }
    }

    /// Stops this process as Ctrl-Z would (the shell sees it stopped); returns once it is
    /// continued (`fg`, `bg`, SIGCONT).
    static func suspendProcess() {
        raise(SIGSTOP)
    }

    /// The exit status of a command ended by `number`: 128 + the signal.
    static func exitStatus(_ number: Int32) -> Int32 { 128 + number }

    /// How a person would name the signal.
    static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: "Ctrl-C"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP (the terminal closed)"
        case SIGQUIT: "SIGQUIT"
        case SIGTSTP: "Ctrl-Z"
        default: "signal \(number)"
        }
    }

    private static func notifyWatcher(_ number: Int32) {
        var byte = UInt8(truncatingIfNeeded: number)
        _ = write(pipeWriteEnd.load(ordering: .relaxed), &byte, 1)
    }

    private static func watch(_ readEnd: Int32) {
        var byte: UInt8 = 0
        while true {
            let count = read(readEnd, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            guard count == 1 else { return }
            let number = Int32(byte)
            if let action = handler.withLock({ $0 }) {
                action(number)
            } else if number == SIGTSTP {
                suspendProcess()
            }
        }
    }
}
