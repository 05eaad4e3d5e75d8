import Glibc
import MassageKit
import MassageSimulator
import MassageWire
import Testing

/// Opening `serial:PATH`: the terminal settings it makes, and the ways it fails. The
/// contract itself (frames both ways, hang-up, close) is in TransportContractTests, run
/// on this transport too, against the simulator's pseudo-terminal.
@Suite struct SerialTransportTests {
    @Test func aMissingDeviceIsNotFound() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("ttyACM9")
        #expect {
            _ = try SerialTransport(path: path)
        } throws: { error in
            guard case TransportError.notFound(let what, let hint) = error else { return false }
            return what.contains(path) && hint.contains("ls /dev/ttyACM*") && hint.contains("massagectl simulate --pty")
        }
    }

    @Test(arguments: ["/dev/null", "regular file", "directory"])
    func somethingThatIsNotATerminalIsRefused(what: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path: String
        switch what {
        case "regular file":
            path = directory.file("notes.txt")
            #expect(FileManagerShim.write("not a tty\n", to: path))
        case "directory":
            path = directory.path
        default:
            path = what
        }
        #expect {
            _ = try SerialTransport(path: path)
        } throws: { error in
            guard case TransportError.unsupported(let message, let hint) = error else { return false }
            return message.contains("\(path) is not a terminal") && hint.contains("/dev/ttyACM0")
        }
    }

    @Test func noPermissionNamesTheGroupAndTheUdevRule() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("ttyLocked")
        #expect(FileManagerShim.write("", to: path))
        #expect(chmod(path, 0o000) == 0)
        let outcome: Result<String, TransportError>
        do {
            outcome = try asOrdinaryUser { Self.open(path) }
        } catch {
            try Test.cancel("cannot test as an ordinary user here: \(error)")
        }
        guard case .failure(.permissionDenied(let deniedPath, let hint)) = outcome else {
            Issue.record("expected permission denied, got \(outcome)")
            return
        }
        #expect(deniedPath == path)
        #expect(hint.contains("dialout"))
        #expect(hint.contains(TransportError.udevRuleHint))
    }

    @Test func aDeviceHeldByAnotherTransportIsBusyUntilItIsClosed() throws {
        let terminal = try PseudoTerminal()
        defer { terminal.close() }
        let first = try SerialTransport(path: terminal.slavePath)
        let path = terminal.slavePath
        let second: Result<String, TransportError>
        do {
            second = try asOrdinaryUser { Self.open(path) }
        } catch {
            first.close()
            try Test.cancel("cannot test as an ordinary user here: \(error)")
        }
        guard case .failure(.busy(let what, let hint)) = second else {
            Issue.record("expected busy, got \(second)")
            first.close()
            return
        }
        #expect(what == "serial:\(path)")
        #expect(hint.contains("close that program"))

        // Closing gives up exclusive mode, though the pty's owner keeps the terminal open.
        first.close()
        let third = try asOrdinaryUser { Self.open(path) }
        #expect(third == .success("opened"))
    }

    @Test func theTerminalIsRawEightNOneWithoutFlowControlAndReadsNeverWait() throws {
        let pair = try PseudoTerminalPair()
        defer { pair.close() }
        // Start from settings a login terminal would have.
        var cooked = termios()
        #expect(tcgetattr(pair.master, &cooked) == 0)
        cooked.c_lflag |= tcflag_t(ICANON | ECHO | ISIG)
        cooked.c_iflag |= tcflag_t(IXON | IXOFF | ICRNL)
        cooked.c_cflag |= tcflag_t(PARENB | CSTOPB) | tcflag_t(CRTSCTS)
        #expect(tcsetattr(pair.master, TCSANOW, &cooked) == 0)

        let transport = try SerialTransport(path: pair.slavePath)
        defer { transport.close() }
        // On a pty, the master reports the slave's settings.
        var settings = termios()
        #expect(tcgetattr(pair.master, &settings) == 0)
        #expect(settings.c_lflag & tcflag_t(ICANON | ECHO | ISIG | IEXTEN) == 0)
        #expect(settings.c_iflag & tcflag_t(IXON | IXOFF | IXANY | ICRNL | INLCR | ISTRIP) == 0)
        #expect(settings.c_oflag & tcflag_t(OPOST) == 0)
        #expect(settings.c_cflag & tcflag_t(CSIZE) == tcflag_t(CS8))
        #expect(settings.c_cflag & (tcflag_t(PARENB | CSTOPB) | tcflag_t(CRTSCTS)) == 0)
        #expect(settings.c_cflag & tcflag_t(CLOCAL | CREAD) == tcflag_t(CLOCAL | CREAD))
        let controls = withUnsafeBytes(of: settings.c_cc) { (vmin: $0[Int(VMIN)], vtime: $0[Int(VTIME)]) }
        #expect(controls.vmin == 0 && controls.vtime == 0)
        #expect(cfgetospeed(&settings) == speed_t(B115200))
        #expect(cfgetispeed(&settings) == speed_t(B115200))

        // Every byte value passes unchanged.
        let everyByte = (0...255).map { UInt8($0) }
        try pair.writeToSlave(everyByte)
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + .seconds(5)
        while received.count < everyByte.count, ContinuousClock.now < deadline {
            received += try transport.receive(timeout: .seconds(1))
        }
        #expect(received == everyByte)
    }

    @Test func bytesLeftFromBeforeTheOpenAreFlushed() throws {
        let pair = try PseudoTerminalPair()
        defer { pair.close() }
        try pair.writeToSlave(Array("left by an earlier program".utf8))
        usleep(20_000)
        let transport = try SerialTransport(path: pair.slavePath)
        defer { transport.close() }
        #expect(try transport.receive(timeout: .milliseconds(100)).isEmpty)
        let frame = Array(Frame(sequence: 3, message: .ack(ackedType: 3)).encoded())
        try pair.writeToSlave(frame)
        var reader = FrameReader(transport)
        #expect(try reader.frames(count: 1, within: .seconds(5)) == [Frame(sequence: 3, message: .ack(ackedType: 3))])
    }

    @Test func theOtherEndClosingIsAHangUp() throws {
        let pair = try PseudoTerminalPair(keepSlaveOpen: false)
        let transport = try SerialTransport(path: pair.slavePath)
        defer { transport.close() }
        pair.close()
        #expect(isDisconnected { _ = try transport.receive(timeout: .seconds(5)) })
        #expect(isDisconnected { try transport.send([0]) })
    }

    @Test func theEndpointIsTheDeviceURI() throws {
        let pair = try PseudoTerminalPair()
        defer { pair.close() }
        let transport = try SerialTransport(path: pair.slavePath)
        defer { transport.close() }
        #expect(transport.endpoint == "serial:\(pair.slavePath)")
        #expect(try DeviceURI(parsing: transport.endpoint) == .serial(path: pair.slavePath))
    }

    /// Opens and closes `path`, as a Result (for `asOrdinaryUser`).
    static func open(_ path: String) -> Result<String, TransportError> {
        do throws(TransportError) {
            let transport = try SerialTransport(path: path)
            transport.close()
            return .success("opened")
        } catch {
            return .failure(error)
        }
    }
}

enum FileManagerShim {
    /// Writes `text` to a new file at `path`; false on failure.
    static func write(_ text: String, to path: String) -> Bool {
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        defer { Glibc.close(descriptor) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) } == bytes.count
    }
}

/// A bare pseudo-terminal pair, for looking at what the transport does to the terminal:
/// the master (the test's side) and the slave's path (the transport's side).
final class PseudoTerminalPair: Sendable {
    let master: Int32
    let slavePath: String
    /// A slave descriptor of the test's own, so the terminal outlives the transport's
    /// descriptor (as with a real device's driver); -1 if not kept.
    private let slave: Int32

    private typealias DescriptorCall = @convention(c) (Int32) -> Int32
    private typealias NameCall = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32

    init(keepSlaveOpen: Bool = true) throws {
        guard let program = dlopen(nil, RTLD_NOW) else { throw TestFailure("dlopen failed") }
        defer { dlclose(program) }
        guard let openSymbol = dlsym(program, "posix_openpt"), let unlockSymbol = dlsym(program, "unlockpt"),
              let nameSymbol = dlsym(program, "ptsname_r")
        else { throw TestFailure("this C library has no posix_openpt/unlockpt/ptsname_r") }
        let master = unsafeBitCast(openSymbol, to: DescriptorCall.self)(O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { throw TestFailure("posix_openpt: \(String(cString: strerror(errno)))") }
        var name = [CChar](repeating: 0, count: 128)
        let named = name.withUnsafeMutableBufferPointer {
            unsafeBitCast(nameSymbol, to: NameCall.self)(master, $0.baseAddress, $0.count)
        }
        guard unsafeBitCast(unlockSymbol, to: DescriptorCall.self)(master) == 0, named == 0 else {
            Glibc.close(master)
            throw TestFailure("unlockpt/ptsname_r failed")
        }
        let path = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var slave: Int32 = -1
        if keepSlaveOpen {
            slave = Glibc.open(path, O_RDWR | O_NOCTTY | O_CLOEXEC)
            guard slave >= 0 else {
                Glibc.close(master)
                throw TestFailure("open \(path): \(String(cString: strerror(errno)))")
            }
        }
        self.master = master
        self.slave = slave
        slavePath = path
    }

    /// Writes `bytes` from the master: they arrive at the slave's input.
    func writeToSlave(_ bytes: [UInt8]) throws {
        let written = bytes.withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw TestFailure("write to the master: \(String(cString: strerror(errno)))") }
    }

    func close() {
        if slave >= 0 { Glibc.close(slave) }
        Glibc.close(master)
    }
}
