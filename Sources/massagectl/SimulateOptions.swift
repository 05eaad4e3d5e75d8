import Foundation
import ArgumentParser

/// A length of time on the command line: `250ms`, `1.5s`, `2m`, `1h`, or a bare number of
/// seconds. Held in µs.
struct TimeArgument: ExpressibleByArgument, Sendable {
    var microseconds: UInt64

    init(microseconds: UInt64) { self.microseconds = microseconds }

    init?(argument: String) {
        let units: [(suffix: String, scale: Double)] = [("us", 1), ("µs", 1), ("ms", 1e3), ("s", 1e6), ("m", 60e6), ("min", 60e6), ("h", 3600e6)]
        var text = argument.trimmingCharacters(in: .whitespaces)
        var scale = 1e6
        for unit in units.sorted(by: { $0.suffix.count > $1.suffix.count }) where text.hasSuffix(unit.suffix) {
            text.removeLast(unit.suffix.count)
            scale = unit.scale
            break
        }
        guard let value = Double(text), value.isFinite, value >= 0, value * scale < 1e15 else { return nil }
        microseconds = UInt64((value * scale).rounded())
    }

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
