import ArgumentParser
import Foundation
import MassageKit
import MassageProgramFiles

/// Why a value on the command line was refused. ArgumentParser prints it after "The value
/// '…' is invalid for '--option <name>': ", so it says what is allowed.
struct ArgumentValueError: Error, CustomStringConvertible {
    var description: String
}

/// An intensity: `60%`, `60` (a percentage) or `0.6` (a fraction, as program files write
/// levels), 0–100%. Held as a whole percentage.
///
/// A bare number with a decimal point from 0 to 1 is a fraction (`0.6`, `1.0`); any other
/// bare number is a percentage (`60`, `1`), as the command line has always read it.
struct PercentArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var percent: Int

    static let range = 0...100
    static let rangeText = "0–100%"

    init(percent: Int) { self.percent = percent }

    init?(argument: String) {
        guard let value = try? Self.parse(argument) else { return nil }
        self = value
    }

    /// The value, or an error that names the range: for `@Option(transform:)`.
    static func parse(_ argument: String) throws -> PercentArgument {
        let text = argument.trimmingCharacters(in: .whitespaces)
        let help = "write a percentage such as 60% (or 60) or a fraction such as 0.6; \(rangeText)"
        var percent: Double
        if text.hasSuffix("%") {
            guard let number = Double(text.dropLast().trimmingCharacters(in: .whitespaces)) else {
                throw ArgumentValueError(description: "not a percentage; \(help)")
            }
            percent = number
        } else {
            guard let number = Double(text) else {
                throw ArgumentValueError(description: "not a number; \(help)")
            }
            let isFraction = text.contains(".") && (0...1).contains(number)
            percent = isFraction ? number * 100 : number
        }
        guard !percent.isNaN else { throw ArgumentValueError(description: "not a number; \(help)") }
        guard percent >= Double(range.lowerBound) else {
            throw ArgumentValueError(description: "below the range \(rangeText)")
        }
        guard percent <= Double(range.upperBound) else {
            throw ArgumentValueError(description: "above the range \(rangeText)")
        }
        return PercentArgument(percent: Int(percent.rounded()))
    }

    var description: String { "\(percent)%" }
    var defaultValueDescription: String { description }
}

/// A heater setpoint: `38`, `38.5`, `38°C` or `off` (also `0`), 30–43 °C.
struct HeatArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var choice: HeatChoice

    static let range = 30.0...43.0
    static let rangeText = "30–43 °C, or off"

    init(choice: HeatChoice) { self.choice = choice }

    init?(argument: String) {
        guard let value = try? Self.parse(argument) else { return nil }
        self = value
    }

    /// The value, or an error that names the range: for `@Option(transform:)`.
    static func parse(_ argument: String) throws -> HeatArgument {
        let text = argument.trimmingCharacters(in: .whitespaces)
        if text == "0" { return HeatArgument(choice: .off) }
        if Double(text)?.isNaN == true { throw ArgumentValueError(description: "not a number; \(rangeText)") }
        let celsius: Double?
        do {
            celsius = try ProgramQuantities.celsius(fromText: text)
        } catch {
            throw ArgumentValueError(description: "not a temperature; write degrees Celsius such as 38 or 38°C (\(rangeText))")
        }
        guard let celsius else { return HeatArgument(choice: .off) }
        guard !celsius.isNaN else { throw ArgumentValueError(description: "not a number; \(rangeText)") }
        guard range.contains(celsius) else {
            throw ArgumentValueError(description: "\(celsius < range.lowerBound ? "below" : "above") the range \(rangeText)")
        }
        return HeatArgument(choice: .celsius(celsius))
    }

    var description: String {
        switch choice {
        case .off: "off"
        case .celsius(let value): value == value.rounded() ? "\(Int(value)) °C" : "\(value) °C"
        case .program: "as the program says"
        }
    }
}
