import Foundation
import GRDB

/// Reads one row of the history defensively: every column as the raw value SQLite holds,
/// checked and converted here. GRDB's typed accessors trap on a value they cannot
/// convert (text where a number belongs, a date it cannot parse), and its date parser
/// overflowed on damaged bytes; a damaged row is `nil` here, and the reader counts it.
enum HistoryRow {
    static func entry(_ row: Row) -> HistoryEntry? {
        var values: [String: DatabaseValue] = [:]
        for (column, value) in row { values[column] = value }

        func text(_ column: String) -> String? {
            guard case .string(let value)? = values[column]?.storage else { return nil }
            return value
        }
        func double(_ column: String) -> Double? {
            switch values[column]?.storage {
            case .double(let value)? where value.isFinite: return value
            case .int64(let value)?: return Double(value)
            default: return nil
            }
        }
        func integer(_ column: String) -> Int64? {
            switch values[column]?.storage {
            case .int64(let value)?: return value
            case .double(let value)? where value.isFinite && value == value.rounded() && abs(value) < 9e18: return Int64(value)
            default: return nil
            }
        }
        func date(_ column: String) -> Date? {
            switch values[column]?.storage {
            case .string(let value)?: return HistoryDate.date(value)
            case .int64(let value)?: return HistoryDate.date(secondsSince1970: Double(value))
            case .double(let value)?: return HistoryDate.date(secondsSince1970: value)
            default: return nil
            }
        }
        func isNull(_ column: String) -> Bool {
            guard let value = values[column] else { return true }
            return value.isNull
        }

        guard let kind = text("kind").flatMap(HistoryEntry.Kind.init(rawValue:)),
              let name = text("name"), let device = text("device"),
              let startedAt = date("startedAt"), let updatedAt = date("updatedAt"),
              let outcome = text("outcome").flatMap(HistoryEntry.Outcome.init(rawValue:)),
              let pid = integer("pid"), let pid32 = Int32(exactly: pid),
              let elapsed = double("elapsedSeconds")
        else { return nil }
        // An end that is present must be readable: a damaged end is a damaged row.
        let endedAt = date("endedAt")
        guard endedAt != nil || isNull("endedAt") else { return nil }

        var entry = HistoryEntry(kind: kind, name: name, device: device, startedAt: startedAt, pid: pid32)
        entry.id = integer("id")
        entry.updatedAt = updatedAt
        entry.endedAt = endedAt
        entry.outcome = outcome
        entry.elapsedSeconds = elapsed
        entry.contactSeconds = double("contactSeconds")
        entry.goalSeconds = double("goalSeconds")
        entry.dosePoints = double("dosePoints")
        entry.note = text("note")
        entry.summary = text("summary")
        entry.deviceKind = text("deviceKind").flatMap(HistoryEntry.DeviceKind.init(rawValue:))
        entry.wallSeconds = double("wallSeconds")
        entry.intensityPercent = integer("intensityPercent").flatMap { Int(exactly: $0) }
        entry.heat = text("heat")
        entry.file = text("file")
        entry.speed = double("speed")
        entry.processStartTicks = integer("processStartTicks")
        entry.bootID = text("bootID")
        return entry
    }
}
