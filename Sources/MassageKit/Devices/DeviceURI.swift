import Foundation

/// Where a device is, in the one syntax every command takes (`--device`):
///
/// | URI | means |
/// |---|---|
/// | `usb` | the only USB device of a model in the device table |
/// | `usb:1209:0001` | the only USB device with that vendor and product ID (hex) |
/// | `usb:serial=ABC123` | the USB device of a known model with that serial number |
/// | `serial:/dev/ttyACM0` | a CDC-ACM device or a UART, by its tty |
/// | `unix:/path/to.sock` | a simulator listening on a UNIX socket (`massagectl simulate --listen`) |
/// | `sim`, `sim:PROFILE` | a simulator inside this process (default profile `handheld-ring4`) |
public enum DeviceURI: Sendable, Hashable, CustomStringConvertible {
    case usb(USBDeviceMatch)
    case serial(path: String)
    case unix(path: String)
    case sim(profile: String?)

    /// The forms `init(parsing:)` accepts, for help and error text.
    public static let syntaxHelp =
        "usb, usb:VID:PID (hex, e.g. usb:1209:0001), usb:serial=SERIAL, serial:/dev/ttyACM0,"
        + " unix:/path/to.sock, sim or sim:PROFILE"

    public init(parsing text: String) throws(DeviceURIError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw DeviceURIError(text: text, problem: "it is empty") }
        let scheme: Substring
        let rest: Substring?
        if let colon = trimmed.firstIndex(of: ":") {
            scheme = trimmed[..<colon]
            rest = trimmed[trimmed.index(after: colon)...]
        } else {
            scheme = trimmed[...]
            rest = nil
        }
        switch scheme.lowercased() {
        case "usb":
            self = .usb(try USBDeviceMatch(parsing: rest, in: text))
        case "serial":
            self = .serial(path: try Self.path(rest, in: text, example: "serial:/dev/ttyACM0"))
        case "unix":
            self = .unix(path: try Self.path(rest, in: text, example: "unix:/run/user/1000/massage-sim.sock"))
        case "sim":
            guard let rest else { self = .sim(profile: nil); break }
            guard !rest.isEmpty, rest.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw DeviceURIError(text: text, problem: "\"\(rest)\" is not a simulator profile name")
            }
            self = .sim(profile: String(rest))
        default:
            throw DeviceURIError(text: text, problem: "\"\(scheme)\" is not a device kind")
        }
    }

    private static func path(_ rest: Substring?, in text: String, example: String) throws(DeviceURIError) -> String {
        guard let rest, !rest.isEmpty else {
            throw DeviceURIError(text: text, problem: "it names no path (e.g. \(example))")
        }
        guard !rest.contains("\0") else { throw DeviceURIError(text: text, problem: "the path holds a NUL byte") }
        return String(rest)
    }

    /// `sim` or `sim:PROFILE`: a simulator inside this process.
    public var isSimulator: Bool {
        if case .sim = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .usb(let match): return match.description
        case .serial(let path): return "serial:\(path)"
        case .unix(let path): return "unix:\(path)"
        case .sim(let profile): return profile.map { "sim:\($0)" } ?? "sim"
        }
    }
}

/// Which USB device a `usb…` URI means.
public struct USBDeviceMatch: Sendable, Hashable, CustomStringConvertible {
    /// Both or neither: `usb:VID:PID`.
    public var vendorID: UInt16?
    public var productID: UInt16?
    /// `usb:serial=…`: the device's serial number, as its Info (Identity) and its USB
    /// string descriptor give it.
    public var serial: String?

    public init(vendorID: UInt16? = nil, productID: UInt16? = nil, serial: String? = nil) {
        self.vendorID = vendorID
        self.productID = productID
        self.serial = serial
    }

    init(parsing rest: Substring?, in text: String) throws(DeviceURIError) {
        guard let rest else { return }
        if rest.lowercased().hasPrefix("serial=") {
            let value = rest.dropFirst("serial=".count)
            guard !value.isEmpty, value.utf8.count <= 126, value.allSatisfy({ !$0.isWhitespace && $0 != "\0" }) else {
                throw DeviceURIError(text: text, problem: "the serial number must be 1–126 characters without spaces")
            }
            serial = String(value)
            return
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let vendor = Self.hexID(parts[0]), let product = Self.hexID(parts[1]) else {
            throw DeviceURIError(text: text, problem: "\"\(rest)\" is neither VID:PID in hex (1209:0001) nor serial=SERIAL")
        }
        vendorID = vendor
        productID = product
    }

    private static func hexID(_ text: Substring) -> UInt16? {
        guard (1...4).contains(text.count), text.allSatisfy(\.isHexDigit) else { return nil }
        return UInt16(text, radix: 16)
    }

    /// Whether a device with these IDs and serial number is the one meant. A bare `usb`
    /// or `usb:serial=…` leaves the IDs to the device table.
    public func matches(vendorID: UInt16, productID: UInt16, serial: String?) -> Bool {
        if let wanted = self.vendorID, wanted != vendorID { return false }
        if let wanted = self.productID, wanted != productID { return false }
        if let wanted = self.serial, wanted != serial { return false }
        return true
    }

    public var description: String {
        if let serial { return "usb:serial=\(serial)" }
        if let vendorID, let productID { return "usb:\(USBID.hex(vendorID)):\(USBID.hex(productID))" }
        return "usb"
    }
}

/// Formatting for USB IDs: four lowercase hex digits, as lsusb prints them.
public enum USBID {
    public static func hex(_ id: UInt16) -> String {
        let digits = String(id, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    public static func pair(_ vendorID: UInt16, _ productID: UInt16) -> String {
        "\(hex(vendorID)):\(hex(productID))"
    }
}

/// A `--device` value that is not a device URI.
public struct DeviceURIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var problem: String

    public var description: String {
        "\"\(text)\" is not a device URI: \(problem). Use one of: \(DeviceURI.syntaxHelp)"
    }
}
