import Foundation

/// Which USB devices massage-control drives: VID:PID → model, the way buttplug keeps its
/// device configuration in a file. Built-in entries ship with the package; a user file
/// adds more without a rebuild:
///
/// `$XDG_CONFIG_HOME/massage-control/devices.json` (default `~/.config/…`):
/// ```json
/// { "devices": [ { "usb": "1209:0001", "model": "My massager", "kind": "handheld" } ] }
/// ```
/// `kind` is `handheld` or `mat`. A user entry with a built-in's ID replaces its name.
/// The file is untrusted input: at most 64 KiB and 256 entries, checked before use.
public struct DeviceTable: Sendable, Equatable {
    public struct Entry: Sendable, Equatable, Codable {
        public var vendorID: UInt16
        public var productID: UInt16
        public var model: String
        public var kind: Kind
        /// Where the entry came from: "built-in" or the user file's path.
        public var source: String

        public init(vendorID: UInt16, productID: UInt16, model: String, kind: Kind, source: String = "built-in") {
            self.vendorID = vendorID
            self.productID = productID
            self.model = model
            self.kind = kind
            self.source = source
        }

        public var id: String { USBID.pair(vendorID, productID) }
    }

    public enum Kind: String, Sendable, Codable, CaseIterable {
        case handheld
        case mat
    }

    /// Shipped with the package. 1209:0001 is pid.codes' test PID, which the simulator
    /// and the umockdev tests present; `udev/70-massage-control.rules` lists the same IDs
    /// (a test checks that they agree).
    public static let builtIn: [Entry] = [
        Entry(vendorID: 0x1209, productID: 0x0001, model: "massage-control test device (pid.codes test PID)",
              kind: .handheld),
    ]

    public static let maximumFileBytes = 64 * 1024
    public static let maximumUserEntries = 256

    public private(set) var entries: [Entry]

    public init(entries: [Entry] = DeviceTable.builtIn) {
        self.entries = entries
    }

    public func entry(vendorID: UInt16, productID: UInt16) -> Entry? {
        entries.last { $0.vendorID == vendorID && $0.productID == productID }
    }

    /// The built-in entries plus the user file's, if there is one.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(DeviceTableError) -> DeviceTable
    {
        var table = DeviceTable()
        guard let path = userFilePath(environment: environment),
              FileManager.default.fileExists(atPath: path)
        else { return table }
        try table.add(contentsOf: path)
        return table
    }

    /// The table for opening `uri`. Only a `usb` URI looks devices up in the table: for any
    /// other, a user file that cannot be read is passed to `warning` and the built-in
    /// table is used, so that a broken devices.json does not stop `--device sim`.
    public static func load(
        for uri: DeviceURI,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        warning: (DeviceTableError) -> Void
    ) throws(DeviceTableError) -> DeviceTable {
        do {
            return try load(environment: environment)
        } catch {
            if case .usb = uri { throw error }
            warning(error)
            return DeviceTable()
        }
    }

    /// `$XDG_CONFIG_HOME/massage-control/devices.json`, or `$HOME/.config/…`; nil with neither.
    public static func userFilePath(environment: [String: String]) -> String? {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
            return config + "/massage-control/devices.json"
        }
        if let home = environment["HOME"], !home.isEmpty {
            return home + "/.config/massage-control/devices.json"
        }
        return nil
    }

    /// Adds the entries of a user file.
    public mutating func add(contentsOf path: String) throws(DeviceTableError) {
        let data: Data
        do {
            data = try UntrustedFile.read(path: path, maximumBytes: Self.maximumFileBytes)
        } catch .tooLarge {
            throw DeviceTableError(path: path, problem: "it is larger than \(Self.maximumFileBytes) bytes, the most a device table may be")
        } catch {
            throw DeviceTableError(path: path, problem: "cannot read it: \(error)")
        }
        try add(json: data, source: path)
    }

    /// Adds entries from a user file's bytes; `source` names the file in errors.
    public mutating func add(json data: Data, source: String) throws(DeviceTableError) {
        guard data.count <= Self.maximumFileBytes else {
            throw DeviceTableError(path: source, problem: "it is \(data.count) bytes; a device table may be at most \(Self.maximumFileBytes)")
        }
        let file: UserFile
        do {
            file = try JSONDecoder().decode(UserFile.self, from: data)
        } catch {
            throw DeviceTableError(path: source, problem: "it is not a device table (\(Self.describe(error))); expected "
                + #"{ "devices": [ { "usb": "1209:0001", "model": "…", "kind": "handheld" } ] }"#)
        }
        guard file.devices.count <= Self.maximumUserEntries else {
            throw DeviceTableError(path: source, problem: "it has \(file.devices.count) entries; at most \(Self.maximumUserEntries) are read")
        }
        var added: [Entry] = []
        for (index, raw) in file.devices.enumerated() {
            let place = "devices[\(index)]"
            let parts = raw.usb.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2,
                  let vendor = parts[0].count == 4 ? UInt16(parts[0], radix: 16) : nil,
                  let product = parts[1].count == 4 ? UInt16(parts[1], radix: 16) : nil
            else {
                throw DeviceTableError(path: source, problem: "\(place).usb: \"\(raw.usb)\" is not VID:PID as four hex digits each (1209:0001)")
            }
            guard vendor != 0 else {
                throw DeviceTableError(path: source, problem: "\(place).usb: vendor ID 0000 is not a real vendor")
            }
            let model = raw.model.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...64).contains(model.count), !TerminalText.containsUnsafe(model) else {
                throw DeviceTableError(path: source, problem: "\(place).model: give a name of 1–64 characters on one line, without control or bidi characters")
            }
            let kind: Kind
            if let text = raw.kind {
                guard let known = Kind(rawValue: text) else {
                    throw DeviceTableError(path: source, problem: "\(place).kind: \"\(text)\" is not one of "
                        + Kind.allCases.map(\.rawValue).joined(separator: ", "))
                }
                kind = known
            } else {
                kind = .handheld
            }
            added.append(Entry(vendorID: vendor, productID: product, model: model, kind: kind, source: source))
        }
        entries.append(contentsOf: added)
    }

    private struct UserFile: Decodable {
        struct RawEntry: Decodable {
            var usb: String
            var model: String
            var kind: String?
        }
        var devices: [RawEntry]
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing \"\(key.stringValue)\"" + where_(context)
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type" + where_(context)
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "bad value" + where_(context)
        default:
            return "\(error)"
        }
    }

    private static func where_(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { key in
            key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)"
        }.joined()
        return path.isEmpty ? "" : " at \(path.hasPrefix(".") ? String(path.dropFirst()) : path)"
    }
}

/// A device table file that cannot be used, and where.
public struct DeviceTableError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var problem: String

    public var description: String {
        "device table \(path): \(problem). Fix the file or move it aside; the built-in devices still work without it."
    }
}
