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
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw MatFileError(path: path, problem: "there is no such file, or it cannot be read")
        }
        if let size = attributes[.size] as? Int, size > maximumBytes {
            throw MatFileError(path: path, problem: "it is \(size) bytes; a mat file may be at most \(maximumBytes)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MatFileError(path: path, problem: "it cannot be read (check its permissions)")
        }
        return try parse(data, source: path)
    }

    public static func parse(_ data: Data, source: String) throws(MatFileError) -> MatFile {
        guard data.count <= maximumBytes else {
            throw MatFileError(path: source, problem: "it is \(data.count) bytes; a mat file may be at most \(maximumBytes)")
        }
        let raw: Raw
        do {
            raw = try JSONDecoder().decode(Raw.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw MatFileError(path: source, problem: "\"\(key.stringValue)\" is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw MatFileError(path: source, problem: "\(Self.path(context.codingPath)) has the wrong type")
        } catch {
            throw MatFileError(path: source, problem: "it is not JSON of the mat file's form (see `massagectl mat --help`)")
        }
        let chip = raw.chip.trimmingCharacters(in: .whitespaces)
        guard !chip.isEmpty, chip.count <= 64, !chip.contains(where: { $0.isNewline || $0 == "\0" }) else {
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
            if let name = zone.name, name.count > 64 || name.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }) {
                throw MatFileError(path: source, problem: "zones[\(index)].name: at most 64 characters on one line")
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

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
}

/// A mat file that cannot be used, and what to fix.
public struct MatFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var problem: String
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "mat file \(path): \(problem)" }
}
