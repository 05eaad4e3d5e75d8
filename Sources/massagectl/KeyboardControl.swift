import Foundation
import Synchronization

/// Keys while `run` plays in a terminal: space pauses and resumes, + and − change the
/// intensity by 10 %, q stops. Only when standard input and output are a terminal and
/// this process is in the foreground (a background process changing the terminal's
/// mode would be stopped by SIGTTOU). The terminal is put in non-canonical mode without
/// echo, signals kept (Ctrl-C still stops the device), and restored on ``restore()``
/// and around a Ctrl-Z (``suspended(_:)``).
final class KeyboardControl: Sendable {
    enum Key: Sendable, Equatable {
        case pauseOrResume, louder, softer, quit

        init?(_ byte: UInt8) {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "p"): self = .pauseOrResume
            case UInt8(ascii: "+"), UInt8(ascii: "="): self = .louder
            case UInt8(ascii: "-"), UInt8(ascii: "_"): self = .softer
            case UInt8(ascii: "q"), UInt8(ascii: "Q"): self = .quit
            default: return nil
            }
        }
    }

    /// The keys, for the line under the run's header.
    static let legend = "keys: space pause/resume · + − intensity · q stop"

    private let saved: termios
    private let ended = Atomic<Bool>(false)
    private let action: @Sendable (Key) -> Void

    /// Nil where keys cannot be read (not a terminal, not the foreground).
    init?(action: @escaping @Sendable (Key) -> Void) {
        guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0, tcgetpgrp(STDIN_FILENO) == getpgrp() else { return nil }
        var attributes = termios()
        guard tcgetattr(STDIN_FILENO, &attributes) == 0 else { return nil }
        saved = attributes
        self.action = action
        guard Self.enterKeyMode(from: attributes) else { return nil }
        let thread = Thread { [self] in self.read() }
        thread.name = "massagectl keys"
        thread.start()
    }

    /// The terminal as it was; no more keys.
    func restore() {
        guard !ended.exchange(true, ordering: .relaxed) else { return }
        var attributes = saved
        tcsetattr(STDIN_FILENO, TCSANOW, &attributes)
    }

    /// Runs `body` (the Ctrl-Z: stop the device, stop the process) with the terminal as
    /// it was, then takes keys again.
    func suspended(_ body: () -> Void) {
        var attributes = saved
        tcsetattr(STDIN_FILENO, TCSANOW, &attributes)
        body()
        if !ended.load(ordering: .relaxed), tcgetpgrp(STDIN_FILENO) == getpgrp() { _ = Self.enterKeyMode(from: saved) }
    }

    private static func enterKeyMode(from attributes: termios) -> Bool {
        var raw = attributes
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        return tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0
    }

    private func read() {
        var byte: UInt8 = 0
        while !ended.load(ordering: .relaxed) {
            var ready = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 100) == 1 else { continue }
            guard Glibc.read(STDIN_FILENO, &byte, 1) == 1 else { return }   // end of input
            if !ended.load(ordering: .relaxed), let key = Key(byte) { action(key) }
        }
    }
}
