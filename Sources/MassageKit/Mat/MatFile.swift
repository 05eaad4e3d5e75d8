import Foundation

/// A mat wired to GPIO, described in a file instead of the `gpio:` URI's flags: which
/// chip, which line each zone is on, how the zones lie in a grid, and the wiring.
///
/// ```json
/// { "chip": "gpiochip0", "rows": 2, "columns": 2,
///   "zones": [ { "line": 5, "name": "left shoulder" }, { "line": 6, "name": "right shoulder" },
///              { "line": 13, "name": "left hip" },     { "line": 19, "name": "right hip" } ],
///   "active_low": true, "bias": "pull-up" }
/// ```
/// Zones are numbered in the order listed, row by row. `rows` × `columns` must equal the
/// number of zones (default: one row). `active_low` defaults to true and `bias` to
/// `pull-up` (or `as-is`): contacts that close to ground. The file is untrusted input: at
/// most 64 KiB and 64 zones, each line once.
public struct MatFile: Sendable, Equatable {
    public struct Zone: Sendable, Equatable {
        public var line: UInt32
        public var name: String?
    }

    public var chip: String
    public var zones: [Zone]
    public var rows: Int
    public var columns: Int
    public var wiring: GPIOContactWiring

    /// The lines in zone order, as the GPIO adapter requests them.
    public var lines: [UInt32] { zones.map(\.line) }

    public static let maximumBytes = 64 * 1024

    public static func load(path: String) throws(MatFileError) -> MatFile {
        let data: Data
        do {
            data = try UntrustedFile.read(path: path, maximumBytes: maximumBytes)
        } catch .tooLarge {
            throw MatFileError(path: path, problem: "it is larger than \(maximumBytes) bytes, the most a mat file may be")
        } catch {
            var failure = MatFileError(path: path, problem: error.description)
            failure.isUnreadable = true
            throw failure
        }
        return try parse(data, source: path)
    }

    public static func parse(_ data: Data, source: String) throws(MatFileError) -> MatFile {
        guard data.count <= maximumBytes else {
            throw MatFileError(path: source, problem: "it is \(data.count) bytes; a mat file may be at most \(maximumBytes)")
        }
        try checkKeys(data, source: source)
        let raw: Raw
        do {
            raw = try JSONDecoder().decode(Raw.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw MatFileError(path: source, problem: "\(Self.path(context.codingPath + [key])): missing")
        } catch let DecodingError.typeMismatch(type, context) {
            throw MatFileError(path: source, problem: "\(Self.path(context.codingPath)): the wrong type; \(Self.expected(type, context.codingPath))")
        } catch let DecodingError.valueNotFound(type, context) {
            throw MatFileError(path: source, problem: "\(Self.path(context.codingPath)): null; \(Self.expected(type, context.codingPath))")
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw MatFileError(path: source, problem: "\(Self.path(context.codingPath)): \(Self.expected(Int.self, context.codingPath))")
        } catch {
            throw MatFileError(path: source, problem: "it is not JSON of the mat file's form (see `massagectl mat --help`)")
        }
        let chip = raw.chip.trimmingCharacters(in: .whitespaces)
        guard !chip.isEmpty, chip.count <= 64, !TerminalText.containsUnsafe(chip) else {
            throw MatFileError(path: source, problem: "chip: give the chip's name, number or path (gpiodetect lists them)")
        }
        guard (1...64).contains(raw.zones.count) else {
            throw MatFileError(path: source, problem: "zones: give 1–64 zones, not \(raw.zones.count)")
        }
        var seen: [UInt32: Int] = [:]
        for (index, zone) in raw.zones.enumerated() {
            if let first = seen[zone.line] {
                throw MatFileError(path: source, problem: "zones[\(index)].line: line \(zone.line) is already zone \(first)")
            }
            seen[zone.line] = index
            if let name = zone.name, name.count > 64 || TerminalText.containsUnsafe(name) {
                throw MatFileError(path: source, problem: "zones[\(index)].name: at most 64 characters on one line, without control or bidi characters")
            }
        }
        let rows = raw.rows ?? 1
        let columns = raw.columns ?? (raw.rows == nil ? raw.zones.count : raw.zones.count / max(rows, 1))
        guard rows >= 1, columns >= 1, rows * columns == raw.zones.count else {
            throw MatFileError(path: source, problem: "rows × columns is \(rows) × \(columns), but there are \(raw.zones.count) zones")
        }
        var wiring = GPIOContactWiring()
        wiring.activeLow = raw.active_low ?? true
        switch raw.bias ?? "pull-up" {
        case "pull-up": wiring.pullUp = true
        case "as-is": wiring.pullUp = false
        case let other:
            throw MatFileError(path: source, problem: "bias: \"\(other)\" is not pull-up or as-is")
        }
        return MatFile(chip: chip, zones: raw.zones.map { Zone(line: $0.line, name: $0.name) },
                       rows: rows, columns: columns, wiring: wiring)
    }

    private struct Raw: Decodable {
        struct RawZone: Decodable {
            var line: UInt32
            var name: String?
        }
        var chip: String
        var zones: [RawZone]
        var rows: Int?
        var columns: Int?
        var active_low: Bool?
        var bias: String?
    }

    static let keys = ["chip", "rows", "columns", "zones", "active_low", "bias"]
    static let zoneKeys = ["line", "name"]

    /// Refuses keys the format does not have: ignored, the typo `"active_high": true`
    /// would leave the contacts active-low, the opposite of what was meant.
    static func checkKeys(_ data: Data, source: String) throws(MatFileError) {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return }
        func unknown(_ key: String, _ allowed: [String], at place: String) -> MatFileError {
            var hint = KeySuggestion.nearest(to: key, in: allowed).map { "; did you mean \($0)?" } ?? "; the keys are \(allowed.joined(separator: ", "))"
            if key.lowercased() == "active_high" { hint = "; did you mean active_low? (active-high contacts are \"active_low\": false)" }
            return MatFileError(path: source, problem: "\(place)\(TerminalText.escaped(key)): unknown key\(hint)")
        }
        for key in object.keys.sorted() where !keys.contains(key) { throw unknown(key, keys, at: "") }
        guard let zones = object["zones"] as? [Any] else { return }
        for (index, zone) in zones.enumerated() {
            guard let zone = zone as? [String: Any] else { continue }
            for key in zone.keys.sorted() where !zoneKeys.contains(key) { throw unknown(key, zoneKeys, at: "zones[\(index)].") }
            // A negative or fractional line is refused by the decoder without its place.
            if let line = zone["line"] as? NSNumber, line.doubleValue < 0 || line.doubleValue != line.doubleValue.rounded() {
                throw MatFileError(path: source, problem: "zones[\(index)].line: give the line's offset, a whole number from 0")
            }
        }
    }

    /// What a field takes, for an error about its value.
    static func expected(_ type: Any.Type, _ keys: [any CodingKey]) -> String {
        switch keys.last?.stringValue {
        case "chip": "give the chip's name, number or path as text (gpiodetect lists them)"
        case "line": "give the line's offset, a whole number from 0"
        case "rows", "columns": "give a whole number from 1"
        case "active_low": "give true or false"
        case "bias": "give \"pull-up\" or \"as-is\""
        case "name": "give the zone's name as text"
        case "zones": "give a list of zones, each { \"line\": N, \"name\": \"…\" }"
        default: "expected \(type)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
}

/// A mat file that cannot be used, and what to fix.
public struct MatFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var problem: String
    /// True when the file could not be read at all (missing, not a regular file, no
    /// permission), rather than read and found wrong.
    public var isUnreadable = false
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "mat file \(path): \(problem)" }
}
