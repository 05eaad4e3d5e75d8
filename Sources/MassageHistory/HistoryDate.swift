import Foundation

/// The history's dates as text, read and written here rather than by GRDB.
///
/// A damaged date column (a byte 0x80–0xAF where a digit belongs) overflowed GRDB's date
/// parser and crashed every command that read the history. This parser checks every byte
/// and every range before doing arithmetic, so damaged text is `nil`, never a trap. The
/// format is the one GRDB wrote, so older histories read the same:
/// `yyyy-MM-dd HH:mm:ss.SSS` in UTC (a `T` separator, fewer fraction digits and a
/// trailing `Z` are accepted too).
enum HistoryDate {
    /// Years outside 1970–9999 are damage, not history.
    static let years: ClosedRange<Int> = 1970...9999

    static func text(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let clamped = min(max(milliseconds, 0), 253_402_300_799_999)   // 9999-12-31 23:59:59.999
        let days = clamped / 86_400_000
        let inDay = clamped % 86_400_000
        let (year, month, day) = civil(fromDays: days)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d.%03d", year, month, day,
                      Int(inDay / 3_600_000), Int(inDay / 60_000 % 60), Int(inDay / 1000 % 60), Int(inDay % 1000))
    }

    /// The date in `text`, or nil when it is not a well-formed date in range.
    static func date(_ text: String) -> Date? {
        let bytes = Array(text.utf8.prefix(40))
        guard bytes.count >= 19, bytes.count <= 34 else { return nil }
        func number(_ start: Int, _ length: Int) -> Int? {
            var value = 0
            for index in start..<(start + length) {
                let byte = bytes[index]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: " ") || bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              years.contains(year), (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 60
        else { return nil }
        var rest = bytes[19...]
        if rest.last == UInt8(ascii: "Z") { rest = rest.dropLast() }
        var fraction = 0.0
        if let first = rest.first {
            guard first == UInt8(ascii: "."), rest.count >= 2, rest.count <= 10 else { return nil }
            var scale = 0.1
            for byte in rest.dropFirst() {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                fraction += Double(byte - 0x30) * scale
                scale /= 10
            }
        }
        let days = Self.days(year: year, month: month, day: day)
        let seconds = Double(days * 86_400 + Int64(hour * 3600 + minute * 60 + second)) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    /// A number read as seconds since 1970 (how GRDB reads a numeric date), within range.
    static func date(secondsSince1970 value: Double) -> Date? {
        guard value.isFinite, value >= 0, value < 253_402_300_800 else { return nil }
        return Date(timeIntervalSince1970: value)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of ``days(year:month:day:)`` (civil_from_days).
    static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }
}
