/// The units program files write their numbers in, read and written the same way.
///
/// - Durations: a number of seconds, or text such as `90s`, `3m`, `500ms`, `1m30s`,
///   `1h`, `2.5 min` (units `ms`, `s`, `m`/`min`, `h`, summed when several are given).
/// - Levels (intensity, a pattern's `low`/`high`): a fraction 0 … 1 or a percentage `60%`.
/// - Heat: degrees Celsius as a number or `39°C`/`39 C`, or `off`.
/// - Angles: degrees as a number or `90°`/`90deg`.
public enum ProgramQuantities {
    /// Why a quantity's text could not be read; the decoder adds the place.
    public struct ReadError: Error, Equatable, Sendable, CustomStringConvertible {
        public var description: String
    }

    static let durationUnits: [(names: [String], seconds: Double)] = [
        (["ms"], 0.001), (["s", "sec"], 1), (["m", "min"], 60), (["h"], 3600),
    ]
    static let durationHelp = "durations take ms, s, m (or min) and h, e.g. 90s, 3m, 1m30s, 500ms, or a number of seconds"

    /// Seconds from a duration's text: `90s`, `3m`, `500ms`, `1m30s`, `1.5 h`, `90`.
    public static func seconds(fromText text: String) throws(ReadError) -> Double {
        let trimmed = text.trimmingBlanks()
        guard !trimmed.isEmpty else { throw ReadError(description: "empty; \(durationHelp)") }
        if let plain = Double(trimmed) { return try finite(plain, text) }
        var total = 0.0
        var rest = Substring(trimmed)
        while !rest.isEmpty {
            let numberText = Self.numberPrefix(of: rest)
            guard !numberText.isEmpty, let value = Double(numberText) else {
                throw ReadError(description: "\"\(text)\" is not a duration; \(durationHelp)")
            }
            rest = rest.dropFirst(numberText.count).drop { $0 == " " }
            let unitText = rest.prefix { $0.isLetter }
            guard !unitText.isEmpty else {
                throw ReadError(description: "\"\(text)\" has a number without a unit; \(durationHelp)")
            }
            guard let unit = durationUnits.first(where: { $0.names.contains(unitText.lowercased()) }) else {
                throw ReadError(description: "\"\(text)\": unknown unit '\(unitText)'; \(durationHelp)")
            }
            total += value * unit.seconds
            rest = rest.dropFirst(unitText.count).drop { $0 == " " }
        }
        return try finite(total, text)
    }

    /// The number at the start of `text`: digits and a point, and an exponent (`e-321`)
    /// when one follows; the shortest form of a very small duration has one (`2.964e-321s`).
    static func numberPrefix(of text: Substring) -> Substring {
        let mantissa = text.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        var rest = text.dropFirst(mantissa.count)
        guard !mantissa.isEmpty, let e = rest.first, e == "e" || e == "E" else { return mantissa }
        rest = rest.dropFirst()
        if let sign = rest.first, sign == "-" || sign == "+" { rest = rest.dropFirst() }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { return mantissa }   // `2e` is a number and a unit's typo
        return text.prefix(text.distance(from: text.startIndex, to: digits.endIndex))
    }

    /// A duration as a file would write it: whole seconds as `1h20m`, `1m30s`, `45s`;
    /// anything else as seconds in Swift's shortest exact form (`0.25s`). Reading the text
    /// back with ``seconds(fromText:)`` gives exactly `seconds`.
    public static func text(seconds: Double) -> String {
        guard seconds.isFinite else { return "\(seconds)s" }
        if seconds >= 0, seconds == seconds.rounded(), seconds < 1e12 {
            let whole = Int(seconds)
            if whole == 0 { return "0s" }
            var parts = ""
            if whole >= 3600 { parts += "\(whole / 3600)h" }
            if whole % 3600 >= 60 { parts += "\(whole % 3600 / 60)m" }
            if whole % 60 > 0 { parts += "\(whole % 60)s" }
            return parts
        }
        return "\(formatNumber(seconds))s"
    }

    /// A level, 0 … 1 (not range-checked here), from a percentage's text: `60%`, `12.5 %`.
    public static func level(fromText text: String) throws(ReadError) -> Double {
        let trimmed = text.trimmingBlanks()
        if trimmed.hasSuffix("%"), let value = Double(trimmed.dropLast().trimmingBlanks()) {
            return try finite(value / 100, text)
        }
        if let value = Double(trimmed) { return try finite(value, text) }
        throw ReadError(description: "\"\(text)\" is not a level; write a percentage such as 60% or a fraction such as 0.6")
    }

    /// A level as a file writes it: `60%` when that reads back exactly, else the fraction.
    public static func text(level: Double) -> String {
        let percent = (level * 100).rounded()
        if percent / 100 == level { return "\(formatNumber(percent))%" }
        return formatNumber(level)
    }

    /// Degrees Celsius from `39°C`, `39 °C`, `39C`, `39`; nil for `off`.
    public static func celsius(fromText text: String) throws(ReadError) -> Double? {
        let trimmed = text.trimmingBlanks()
        if trimmed.lowercased() == "off" || trimmed.lowercased() == "none" { return nil }
        var number = Substring(trimmed)
        for suffix in ["°C", "° C", "ºC", "C", "c"] where number.hasSuffix(suffix) {
            number = number.dropLast(suffix.count)
            break
        }
        if let value = Double(number.trimmingBlanks()) { return try finite(value, text) }
        throw ReadError(description: "\"\(text)\" is not a temperature; write degrees Celsius such as 39 or 39°C, or off")
    }

    /// Degrees from `90`, `90°`, `90deg`.
    public static func degrees(fromText text: String) throws(ReadError) -> Double {
        var number = Substring(text.trimmingBlanks())
        for suffix in ["°", "deg"] where number.hasSuffix(suffix) {
            number = number.dropLast(suffix.count)
            break
        }
        if let value = Double(number.trimmingBlanks()) { return try finite(value, text) }
        throw ReadError(description: "\"\(text)\" is not an angle; write degrees such as 90 or 90°")
    }

    static func finite(_ value: Double, _ text: String) throws(ReadError) -> Double {
        guard value.isFinite else { throw ReadError(description: "\"\(text)\" is not a finite number") }
        return value
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingBlanks() -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(self[first ... last])
    }
}
