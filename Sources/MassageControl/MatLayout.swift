import Foundation
import MassageKit

/// How a mat's zones are laid out for the terminal: rows × columns, zone
/// `row · columns + column`, row 0 at the head end (the order the wire protocol and the
/// simulated mat use). GPIO lines are one row, in line order.
public struct MatLayout: Equatable {
    public let rows: Int
    public let columns: Int
    /// The GPIO line of each zone, or nil for a device's pressure zones.
    public let lineOffsets: [UInt32]?

    public var zoneCount: Int { rows * columns }

    public init(rows: Int, columns: Int, lineOffsets: [UInt32]?) {
        self.rows = rows
        self.columns = columns
        self.lineOffsets = lineOffsets
    }

    /// A device that says only how many zones it has: the most nearly square grid with at
    /// least as many rows as columns (16 → 4 × 4, 22 → 11 × 2); a prime count is one row.
    public static func nearlySquare(zoneCount: Int) -> MatLayout {
        var columns = 1
        var candidate = 1
        while candidate * candidate <= zoneCount {
            if zoneCount % candidate == 0 { columns = candidate }
            candidate += 1
        }
        if columns == 1 { return MatLayout(rows: 1, columns: zoneCount, lineOffsets: nil) }
        return MatLayout(rows: zoneCount / columns, columns: columns, lineOffsets: nil)
    }

    /// "zone 3" or, for GPIO, "zone 3 (line 19)".
    public func zoneName(_ zone: Int) -> String {
        if let offsets = lineOffsets, zone < offsets.count { return "zone \(zone) (line \(offsets[zone]))" }
        return "zone \(zone)"
    }

    /// Shade for a pressure, per mille: two cells wide, so a grid reads as squares.
    public static func shade(_ perMille: UInt16) -> String {
        switch perMille {
        case 0 ..< 25: "··"
        case 25 ..< 250: "░░"
        case 250 ..< 500: "▒▒"
        case 500 ..< 750: "▓▓"
        default: "██"
        }
    }

    /// The live map: a line per row of zones, each a shade for its pressure and a mark:
    /// `●` contact (accepted), `◦` contact still settling (or ending), blank for none.
    public func mapLines(pressures: [UInt16], contact: ZoneSet, raw: ZoneSet) -> [String] {
        (0..<rows).map { row in
            let cells = (0..<columns).map { column -> String in
                let zone = row * columns + column
                let pressure = zone < pressures.count ? pressures[zone] : 0
                let mark = contact.contains(zone) ? (raw.contains(zone) ? "●" : "◦") : (raw.contains(zone) ? "◦" : " ")
                return Self.shade(pressure) + mark
            }
            return "  " + cells.joined(separator: " ")
        }
    }

    /// What the map's signs mean.
    public var legend: String {
        lineOffsets == nil
            ? "pressure ·· <2.5 % ░░ <25 % ▒▒ <50 % ▓▓ <75 % ██ ≥75 %; ● contact, ◦ changing"
            : "lines (in order \(lineOffsets.map { $0.map(String.init).joined(separator: ",") } ?? "")): ██ closed, ·· open; ● contact, ◦ changing"
    }

    /// A table of one number per zone in the map's shape, each formatted by `format`.
    public func table(_ values: [Double], format: (Double) -> String) -> [String] {
        if lineOffsets != nil {
            return values.indices.map { "    \(zoneName($0)): \(format(values[$0]))" }
        }
        let texts = values.map(format)
        let width = texts.map(\.count).max() ?? 0
        return (0..<rows).map { row in
            "    " + (0..<columns).map { column in
                let zone = row * columns + column
                let text = zone < texts.count ? texts[zone] : ""
                return String(repeating: " ", count: width - text.count) + text
            }.joined(separator: "  ")
        }
    }
}
