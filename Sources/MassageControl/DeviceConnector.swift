import Foundation
import MassageKit
import MassageSimulator
import MassageUSB
import Synchronization

/// Turns a device URI into what opens its transport, for every command that takes
/// `--device`. One place knows every kind of link.
public final class DeviceConnector: Sendable {
    public let uri: DeviceURI
    public let table: DeviceTable
    public let simulatorFaults: FaultPlan
    public let simulatorSpeed: Double
    /// In-process simulators' clocks wait for this process when the machine pauses it
    /// (``HostPacing``): set for program runs, whose host stalls are not the device's.
    public let pacesSimulator: Bool
    /// In-process simulators this connector started (`sim`), stopped by ``shutDown()``.
    public let simulators = Mutex<[LocalSimulator]>([])
    /// The USB serial string descriptor of the device first opened, to reopen that one.
    public let usbSerialSeen = Mutex<String?>(nil)

    public init(uri: DeviceURI, table: DeviceTable, simulatorFaults: FaultPlan = FaultPlan(), simulatorSpeed: Double = 1,
                pacesSimulator: Bool = false) {
        self.uri = uri
        self.table = table
        self.simulatorFaults = simulatorFaults
        self.simulatorSpeed = simulatorSpeed
        self.pacesSimulator = pacesSimulator
    }

    /// Parses `--device` and loads the device table; the errors are the user's to fix.
    /// A device table that cannot be read is an error only where the URI needs the table
    /// (`usb…`); elsewhere it is handed to `warning` (standard error by default) and the
    /// built-in table is used.
    public static func make(
        device: String, simulatorFaults: FaultPlan = FaultPlan(), simulatorSpeed: Double = 1, pacesSimulator: Bool = false,
        warning: (String) -> Void = DeviceConnector.warnOnStandardError
    ) throws -> DeviceConnector {
        let uri: DeviceURI
        do {
            uri = try DeviceURI(parsing: device)
        } catch {
            throw ValidationFailure(message: error.description)
        }
        let table: DeviceTable
        do {
            table = try DeviceTable.load(for: uri) { warning($0.description) }
        } catch {
            throw ValidationFailure(message: error.description)
        }
        return DeviceConnector(uri: uri, table: table, simulatorFaults: simulatorFaults, simulatorSpeed: simulatorSpeed,
                               pacesSimulator: pacesSimulator)
    }

    /// Writes `warning: TEXT` to standard error, control and bidi characters escaped.
    public static func warnOnStandardError(_ text: String) {
        let bytes = Array(("warning: " + TerminalText.escaped(text) + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }   // never traps (FileHandle's write does)
    }

    /// Opens the transport; `serial` is the device to find again after a link loss.
    public func open(serial: String?) throws(TransportError) -> any Transport {
        switch uri {
        case .sim(let profile):
            let simulator = try LocalSimulator(profile: profile, faults: simulatorFaults, speed: simulatorSpeed,
                                               pacing: pacesSimulator ? HostPacing() : nil)
            simulators.withLock { $0.append(simulator) }
            return simulator.transport
        case .usb(var match):
            // After a link loss, find the same device again by its USB serial number when
            // it has one (the session also checks the serial its Info gives).
            if serial != nil, match.serial == nil, let seen = usbSerialSeen.withLock({ $0 }) { match.serial = seen }
            let transport = try USBTransport.open(match, table: table)
            if let seen = transport.serial, !seen.isEmpty { usbSerialSeen.withLock { $0 = seen } }
            return transport
        case .serial(let path):
            return try SerialTransport(path: path)
        case .unix(let path):
            return try UnixSocketTransport(path: path)
        case .gpio:
            throw .unsupported(what: "\(uri) as a device link",
                               hint: "a gpio: URI is a mat's contact lines, not a device that speaks the protocol: use it with massagectl mat watch or mat session")
        }
    }

    public var opener: DeviceSession.Opener {
        { serial throws(TransportError) in try self.open(serial: serial) }
    }

    /// Connects a session (blocking), reporting failure as a `DeviceFailure`.
    /// `giveUp` is asked while the handshake runs (a stop signal's flag): see
    /// ``DeviceSession/connectWaiting(options:open:giveUp:)``.
    public func connect(options: DeviceSession.Options = DeviceSession.Options(), giveUp: (() -> Bool)? = nil) throws -> DeviceSession {
        do {
            return try DeviceSession.connectWaiting(options: options, open: opener, giveUp: giveUp)
        } catch {
            shutDown()
            throw DeviceFailure(message: "cannot connect to \(uri): \(error.description)")
        }
    }

    /// Stops the simulators this connector started, returning the last one as it ended.
    @discardableResult
    public func shutDown() -> SimulatedDevice? {
        let started = simulators.withLock { list in
            defer { list.removeAll() }
            return list
        }
        return started.map { $0.stop() }.last ?? nil
    }
}

/// A `--device` value or a device table the user must fix: exit 64.
public struct ValidationFailure: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// A device that could not be reached or used: exit 1.
public struct DeviceFailure: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
