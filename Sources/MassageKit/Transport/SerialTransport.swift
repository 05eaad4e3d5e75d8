import Glibc

/// A ``Transport`` over a serial terminal: a device's USB CDC-ACM port (`/dev/ttyACM0`), a
/// USB–UART adapter (`/dev/ttyUSB0`), a board's UART, or a simulator's pseudo-terminal
/// (`massagectl simulate --pty`). What the `serial:PATH` device URI opens.
///
/// Opening sets the terminal up for the wire protocol's binary frames:
/// - O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC: it never becomes this process's
///   controlling terminal, never blocks on a modem line, and stays out of child processes.
/// - Exclusive mode (TIOCEXCL): another open of the device fails with EBUSY while this
///   transport holds it; ``close()`` clears it again (TIOCNXCL).
/// - Raw (cfmakeraw: every byte value passes, no echo, no line editing, no signals), 8N1,
///   CLOCAL | CREAD, no flow control (neither RTS/CTS nor XON/XOFF), 115200 baud (a
///   CDC-ACM device ignores the speed), VMIN = VTIME = 0: reads never wait, poll(2) does
///   the waiting with the receive's timeout.
/// - Both queues are flushed, so nothing left from an earlier program is read as ours.
///
/// A hang-up (the device unplugged, the simulator's pty closed: POLLHUP, or EIO / end of
/// file on read) is ``TransportError/disconnected(endpoint:reason:)``.
public final class SerialTransport: Transport {
    /// The line speed set on open. A CDC-ACM device ignores it; a UART at the other end
    /// must use it too.
    public static let baudRate = 115_200

    /// The terminal's path, as given.
    public let path: String

    /// "serial:PATH".
    public var endpoint: String { channel.endpoint }

    private let channel: DescriptorChannel

    /// Opens the terminal at `path` and sets it up (see the type's description).
    ///
    /// - Throws: ``TransportError/notFound(what:hint:)`` when nothing is at `path` or no
    ///   device answers there; ``TransportError/permissionDenied(path:hint:)`` (the hint
    ///   names the dialout group and the project's udev rule);
    ///   ``TransportError/busy(what:hint:)`` when another program holds it exclusively;
    ///   ``TransportError/unsupported(what:hint:)`` when `path` is not a terminal.
    public init(path: String) throws(TransportError) {
        self.path = path
        let endpoint = "serial:\(path)"
        guard !path.isEmpty, !path.utf8.contains(0) else {
            throw .unsupported(what: "\"\(path)\" is not a usable device path",
                               hint: "give a serial device such as serial:/dev/ttyACM0")
        }
        let descriptor = Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.openError(errno, path: path) }
        do throws(TransportError) {
            try Self.configure(descriptor, path: path)
        } catch {
            _ = ioctl(descriptor, UInt(TIOCNXCL))
            Glibc.close(descriptor)
            throw error
        }
        channel = try DescriptorChannel(descriptor: descriptor, kind: .terminal, endpoint: endpoint) { descriptor in
            // Exclusive mode belongs to the terminal, not to the descriptor: give it up,
            // or the next open fails while anyone else (a pty's owner) keeps it open.
            _ = ioctl(descriptor, UInt(TIOCNXCL))
        }
    }

    deinit { channel.close() }

    public func send(_ bytes: [UInt8]) throws(TransportError) { try channel.send(bytes) }

    public func receive(timeout: Duration) throws(TransportError) -> [UInt8] {
        try channel.receive(timeout: timeout)
    }

    public func wakeReceive() { channel.wakeReceive() }

    public func close() { channel.close() }

    // MARK: - Opening

    private static func configure(_ descriptor: Int32, path: String) throws(TransportError) {
        let endpoint = "serial:\(path)"
        guard isatty(descriptor) == 1 else {
            let code = errno
            guard code == ENOTTY || code == EINVAL else {
                throw .io(endpoint: endpoint, operation: "isatty", detail: ErrnoText.describe(code))
            }
            throw notATerminal(path)
        }
        guard ioctl(descriptor, UInt(TIOCEXCL)) == 0 else {
            throw .io(endpoint: endpoint, operation: "TIOCEXCL (exclusive mode)", detail: ErrnoText.describe(errno))
        }
        var settings = termios()
        guard tcgetattr(descriptor, &settings) == 0 else {
            throw .io(endpoint: endpoint, operation: "tcgetattr", detail: ErrnoText.describe(errno))
        }
        rawEightNOne(&settings)
        guard tcsetattr(descriptor, TCSANOW, &settings) == 0 else {
            throw .io(endpoint: endpoint, operation: "tcsetattr (raw 8N1)", detail: ErrnoText.describe(errno))
        }
        guard tcflush(descriptor, TCIOFLUSH) == 0 else {
            throw .io(endpoint: endpoint, operation: "tcflush", detail: ErrnoText.describe(errno))
        }
    }

    /// Raw mode, 8 data bits, no parity, 1 stop bit, local line, receiver on, no flow
    /// control, ``baudRate``, reads that never wait.
    static func rawEightNOne(_ settings: inout termios) {
        cfmakeraw(&settings)
        settings.c_cflag &= ~(tcflag_t(CSIZE | PARENB | CSTOPB) | tcflag_t(CRTSCTS))
        settings.c_cflag |= tcflag_t(CS8 | CLOCAL | CREAD)
        settings.c_iflag &= ~tcflag_t(IXON | IXOFF | IXANY)
        withUnsafeMutableBytes(of: &settings.c_cc) { controls in
            controls[Int(VMIN)] = 0
            controls[Int(VTIME)] = 0
        }
        _ = cfsetispeed(&settings, speed_t(B115200))
        _ = cfsetospeed(&settings, speed_t(B115200))
    }

    static func notATerminal(_ path: String) -> TransportError {
        .unsupported(what: "\(path) is not a terminal (serial device)",
                     hint: "serial: takes a serial device such as /dev/ttyACM0 or /dev/ttyUSB0, or a simulator's"
                        + " pty (massagectl simulate --pty); a simulator's socket is unix:PATH")
    }

    /// The error for a failed open(2) of `path`.
    static func openError(_ code: Int32, path: String) -> TransportError {
        switch code {
        case ENOENT, ENOTDIR:
            return .notFound(
                what: "no serial device at \(path)",
                hint: "plug the device in and look for it with `ls /dev/ttyACM* /dev/ttyUSB*` (or `dmesg`);"
                    + " for a simulator, start `massagectl simulate --pty --link \(path)`")
        case ENXIO, ENODEV:
            return .notFound(what: "no device answers at \(path) (unplugged, or its driver is gone)",
                             hint: "plug it in again and check `dmesg`")
        case EACCES, EPERM:
            return .permissionDenied(
                path: path,
                hint: "serial devices belong to the dialout group: add yourself"
                    + " (sudo usermod -aG dialout $USER, or plugdev for the project's rule) and log in again, or "
                    + TransportError.udevRuleHint)
        case EBUSY:
            return .busy(what: "serial:\(path)",
                         hint: "another program holds it exclusively (a terminal program, ModemManager, another"
                            + " massagectl): close that program, then try again")
        case EISDIR:
            return notATerminal(path)
        default:
            return .io(endpoint: "serial:\(path)", operation: "open", detail: ErrnoText.describe(code))
        }
    }
}
