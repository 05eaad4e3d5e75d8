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
/// | `sim:mat-16?body=gets-up&seed=3` | the simulated mat with a body scenario and its seed |
/// | `gpio:CHIP?lines=5,6,13,19` | a mat's contact lines on a GPIO chip, zone `i` on the `i`th line |
///
/// A `gpio:` URI takes `&active-low` (the default) or `&active-high`, and `&bias=pull-up`
/// (the default) or `&bias=as-is`; CHIP is what `gpiodetect` lists (a name such as
/// `gpiochip0`, a number, a path or a label).
public enum DeviceURI: Sendable, Hashable, CustomStringConvertible {
    case usb(USBDeviceMatch)
    case serial(path: String)
    case unix(path: String)
    /// `profile` is the profile's name, with the simulator's parameters when the URI gives
    /// them (`mat-16?body=gets-up&seed=3`): MassageSimulator's `SimulatorProfile.parse`
    /// reads and checks them.
    case sim(profile: String?)
    /// A mat's contact lines: zone `i` is line `lines[i]` of `chip`.
    case gpio(chip: String, lines: [UInt32], options: GPIOContactWiring)

    /// The forms `init(parsing:)` accepts, for help and error text.
    public static let syntaxHelp =
        "usb, usb:VID:PID (hex, e.g. usb:1209:0001), usb:serial=SERIAL, serial:/dev/ttyACM0,"
        + " unix:/path/to.sock, sim, sim:PROFILE[?body=SCENARIO&seed=N] or gpio:CHIP?lines=5,6,13,19[&active-high][&bias=as-is]"

    /// The most contact lines a `gpio:` URI may name: a mat has at most 64 zones.
    public static let maxGPIOLines = 64

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
            let name = rest.prefix { $0 != "?" }
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw DeviceURIError(text: text, problem: "\"\(name)\" is not a simulator profile name")
            }
            // Parameters: KEY=VALUE pairs joined by &, in the same plain characters.
            guard rest.dropFirst(name.count).dropFirst().allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_=&".contains($0)) }) else {
                throw DeviceURIError(text: text, problem: "the simulator's parameters are KEY=VALUE joined by & (e.g. sim:mat-16?body=gets-up&seed=3)")
            }
            self = .sim(profile: String(rest))
        case "gpio":
            self = try Self.gpio(rest, in: text)
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

    /// `CHIP?lines=…[&…]`: the chip, the line offsets in zone order, the wiring.
    private static func gpio(_ rest: Substring?, in text: String) throws(DeviceURIError) -> DeviceURI {
        let example = "gpio:gpiochip0?lines=5,6,13,19"
        guard let rest, !rest.isEmpty else { throw DeviceURIError(text: text, problem: "it names no GPIO chip (e.g. \(example))") }
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let chip = parts[0]
        guard !chip.isEmpty else { throw DeviceURIError(text: text, problem: "it names no GPIO chip (e.g. \(example))") }
        guard !chip.contains("\0"), !chip.contains("&"), !chip.contains(where: \.isWhitespace) else {
            throw DeviceURIError(text: text, problem: "\"\(chip)\" is not a GPIO chip name (gpiodetect lists them)")
        }
        guard parts.count == 2, !parts[1].isEmpty else {
            throw DeviceURIError(text: text, problem: "it names no contact lines: add ?lines=OFFSET,… in zone order (e.g. \(example))")
        }
        var lines: [UInt32]?
        var wiring = GPIOContactWiring()
        var seen: Set<String> = []
        for parameter in parts[1].split(separator: "&", omittingEmptySubsequences: false) {
            let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = pair[0].lowercased()
            let value = pair.count == 2 ? pair[1] : nil
            // active-low and active-high set one thing: either may appear once.
            let slot = key == "active-high" ? "active-low" : key
            guard seen.insert(slot).inserted else {
                throw DeviceURIError(text: text, problem: "\"\(key)\" is given twice (or with its opposite)")
            }
            switch (key, value) {
            case ("lines", let value?):
                lines = try Self.lineOffsets(value, in: text)
            case ("active-low", nil):
                wiring.activeLow = true
            case ("active-high", nil):
                wiring.activeLow = false
            case ("bias", let value?):
                switch value.lowercased() {
                case "pull-up": wiring.pullUp = true
                case "as-is": wiring.pullUp = false
                default:
                    throw DeviceURIError(text: text, problem: "bias \"\(value)\" is not supported: use bias=pull-up or bias=as-is")
                }
            case ("lines", nil), ("bias", nil):
                throw DeviceURIError(text: text, problem: "\"\(key)\" needs a value (lines=5,6,13,19; bias=pull-up or as-is)")
            case ("active-low", _?), ("active-high", _?):
                throw DeviceURIError(text: text, problem: "\"\(key)\" takes no value: write &\(key)")
            default:
                throw DeviceURIError(text: text, problem: "\"\(parameter)\" is not a GPIO option: use lines=…, active-low, active-high or bias=pull-up|as-is")
            }
        }
        guard let lines else {
            throw DeviceURIError(text: text, problem: "it names no contact lines: add lines=OFFSET,… in zone order (e.g. \(example))")
        }
        return .gpio(chip: String(chip), lines: lines, options: wiring)
    }

    /// `5,6,13,19`: 1–64 distinct decimal line offsets.
    private static func lineOffsets(_ list: Substring, in text: String) throws(DeviceURIError) -> [UInt32] {
        var offsets: [UInt32] = []
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty, item.count <= 10, item.allSatisfy({ $0.isASCII && $0.isNumber }), let offset = UInt32(item) else {
                throw DeviceURIError(text: text, problem: "\"\(item)\" is not a line offset: give numbers as gpioinfo shows them, e.g. lines=5,6,13,19")
            }
            guard !offsets.contains(offset) else {
                throw DeviceURIError(text: text, problem: "line \(offset) is listed twice: each zone needs its own line")
            }
            offsets.append(offset)
        }
        guard offsets.count <= maxGPIOLines else {
            throw DeviceURIError(text: text, problem: "\(offsets.count) lines is too many: a mat has at most \(maxGPIOLines) zones")
        }
        return offsets
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
        case .gpio(let chip, let lines, let wiring):
            return "gpio:\(chip)?lines=" + lines.map(String.init).joined(separator: ",")
                + (wiring.activeLow ? "" : "&active-high") + (wiring.pullUp ? "" : "&bias=as-is")
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
