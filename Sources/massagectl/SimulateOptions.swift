import Foundation
import ArgumentParser
import MassageProgramFiles

/// A length of time on the command line: `250ms`, `1.5s`, `2m`, `1h`, `19m59s` (units
/// summed, as in program files), `30:00` (m:ss or h:mm:ss), or a bare number of seconds.
/// Held in µs.
struct TimeArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var microseconds: UInt64

    init(microseconds: UInt64) { self.microseconds = microseconds }

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces)
        let seconds: Double
        if let single = Self.singleUnitSeconds(text) {
            seconds = single
        } else if let clock = Self.clockSeconds(text) {
            seconds = clock
        } else if let summed = try? ProgramQuantities.seconds(fromText: text) {
            seconds = summed
        } else {
            return nil
        }
        guard seconds.isFinite, seconds >= 0, seconds * 1e6 < 1e15 else { return nil }
        microseconds = UInt64((seconds * 1e6).rounded())
    }

    /// `250ms`, `90s`, `2m`, `500us`: one number and one unit (µs included, which program
    /// files do not take).
    static func singleUnitSeconds(_ text: String) -> Double? {
        let units: [(suffix: String, scale: Double)] = [("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("min", 60), ("h", 3600)]
        var number = text
        var scale = 1.0
        for unit in units.sorted(by: { $0.suffix.count > $1.suffix.count }) where number.hasSuffix(unit.suffix) {
            number.removeLast(unit.suffix.count)
            scale = unit.scale
            break
        }
        guard let value = Double(number.trimmingCharacters(in: .whitespaces)) else { return nil }
        return value * scale
    }

    /// `30:00`, `1:02:03`: a clock as the progress lines and `history` show it.
    static func clockSeconds(_ text: String) -> Double? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.dropFirst().allSatisfy({ $0.count == 2 }) else { return nil }
        var total = 0.0
        for (index, part) in parts.enumerated() {
            guard part.allSatisfy({ $0.isASCII && ($0.isNumber || (index == parts.count - 1 && $0 == ".")) }),
                  let value = Double(part) else { return nil }
            if index > 0, value >= 60 { return nil }
            total = total * 60 + value
        }
        return total
    }

    /// As the file format writes durations: `30m`, `1m30s`, `0.25s`.
    var description: String { ProgramQuantities.text(seconds: Double(microseconds) / 1e6) }
    var defaultValueDescription: String { description }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// A probability: `0.05` or `5%`.
struct ProbabilityArgument: ExpressibleByArgument, Sendable {
    var value: Double

    init?(argument: String) {
        var text = argument.trimmingCharacters(in: .whitespaces)
        var scale = 1.0
        if text.hasSuffix("%") {
            text.removeLast()
            scale = 0.01
        }
        guard let number = Double(text), number.isFinite else { return nil }
        let value = number * scale
        guard (0...1).contains(value) else { return nil }
        self.value = value
    }
}

/// `START+LENGTH`, e.g. `10s+2s`: a window of simulated time.
struct WindowArgument: ExpressibleByArgument, Sendable {
    var range: Range<UInt64>

    init?(argument: String) {
        let parts = argument.split(separator: "+", maxSplits: 1).map(String.init)
        guard parts.count == 2, let start = TimeArgument(argument: parts[0]),
              let length = TimeArgument(argument: parts[1]), length.microseconds > 0 else { return nil }
        range = start.microseconds ..< start.microseconds + length.microseconds
    }
}

/// `MOTOR@TIME`, e.g. `2@30s`.
struct StuckMotorArgument: ExpressibleByArgument, Sendable {
    var motor: Int
    var time: UInt64

    init?(argument: String) {
        let parts = argument.split(separator: "@", maxSplits: 1).map(String.init)
        guard parts.count == 2, let motor = Int(parts[0]), motor >= 0,
              let time = TimeArgument(argument: parts[1]) else { return nil }
        self.motor = motor
        self.time = time.microseconds
    }
}
