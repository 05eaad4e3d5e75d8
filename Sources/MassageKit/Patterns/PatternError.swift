/// The unit a pattern parameter is given in; it is printed after the values in errors.
public enum PatternUnit: Sendable, Equatable {
    /// Seconds of pattern time.
    case seconds
    /// Degrees; angles are counter-clockwise from +x seen from the treatment face, as in
    /// MassageWire's `ActuatorInfo`.
    case degrees
    /// A fraction of full intensity (0 = off, 1 = full), or a fraction of a length.
    case fraction

    var suffix: String {
        switch self {
        case .seconds: " s"
        case .degrees: "°"
        case .fraction: ""
        }
    }
}

/// Why a pattern could not be built from its parameters. Each case names the parameter,
/// the value given and what is allowed, so a program file's author can fix the number.
public enum PatternError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A number outside its allowed range (`value` may be NaN or infinite).
    case outOfRange(parameter: String, value: Double, allowed: ClosedRange<Double>, unit: PatternUnit)
    /// Two parameters that must fit together do not, e.g. a pulse's attack + release
    /// longer than its on-time.
    case exceeds(parameter: String, value: Double, limitName: String, limit: Double, unit: PatternUnit)
    /// A range given upside down: `lower` (a pattern's `low`) above `upper` (`high`).
    case inverted(lower: String, lowerValue: Double, upper: String, upperValue: Double, unit: PatternUnit)
    /// A list with too few or too many entries (sequence steps, mix components).
    case count(parameter: String, count: Int, allowed: ClosedRange<Int>)
    /// An actuator index outside 0 ..< 16.
    case actuatorIndex(parameter: String, index: Int, allowed: ClosedRange<Int>)
    /// Composition nested deeper than `PatternLimits.maximumDepth`.
    case tooDeep(depth: Int, maximum: Int)
    /// More pattern nodes in one tree than `PatternLimits.maximumNodes`.
    case tooManyNodes(count: Int, maximum: Int)

    public var description: String {
        switch self {
        case let .outOfRange(parameter, value, allowed, unit):
            let u = unit.suffix
            if value.isNaN {
                return "\(parameter): not a number; give a value in \(number(allowed.lowerBound))\(u) … \(number(allowed.upperBound))\(u)"
            }
            if value > allowed.upperBound {
                return "\(parameter): \(number(value))\(u) is above the \(number(allowed.upperBound))\(u) maximum"
            }
            return "\(parameter): \(number(value))\(u) is below the \(number(allowed.lowerBound))\(u) minimum"
        case let .exceeds(parameter, value, limitName, limit, unit):
            let u = unit.suffix
            return "\(parameter): \(number(value))\(u) is longer than \(limitName) (\(number(limit))\(u)); shorten it or lengthen \(limitName)"
        case let .inverted(lower, lowerValue, upper, upperValue, unit):
            return "\(lower): \(shown(lowerValue, unit)) is above \(upper) (\(shown(upperValue, unit))), so the range is upside down; "
                + "\(lower) is the quietest level and \(upper) the strongest: swap them"
        case let .count(parameter, count, allowed):
            return "\(parameter): \(count) given, \(allowed.lowerBound) … \(allowed.upperBound) allowed"
        case let .actuatorIndex(parameter, index, allowed):
            return "\(parameter): actuator \(index) does not exist; use \(allowed.lowerBound) … \(allowed.upperBound)"
        case let .tooDeep(depth, maximum):
            return "pattern nested \(depth) levels deep; at most \(maximum) allowed: flatten the composition"
        case let .tooManyNodes(count, maximum):
            return "pattern has \(count) parts; at most \(maximum) allowed: split it into shorter programs"
        }
    }
}

/// `12` for 12.0, `0.25` for 0.25: errors read like the numbers a person typed.
func number(_ value: Double) -> String {
    if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return String(value)
}

/// A value as a file writes it: levels as percentages (`90%`), the rest with their unit.
func shown(_ value: Double, _ unit: PatternUnit) -> String {
    unit == .fraction ? number((value * 100 * 1e6).rounded() / 1e6) + "%" : number(value) + unit.suffix
}

/// Refuses a `low` above its `high`: the pattern would swing the wrong way round, which a
/// file's author never means.
@inline(__always)
func checkedOrder(low: Double, high: Double) throws(PatternError) {
    if low > high {
        throw .inverted(lower: "low", lowerValue: low, upper: "high", upperValue: high, unit: .fraction)
    }
}

/// Checks one number against its range; NaN and infinities are refused.
@inline(__always)
func checked(_ value: Double, _ parameter: String, _ allowed: ClosedRange<Double>, _ unit: PatternUnit) throws(PatternError) -> Double {
    guard value.isFinite, allowed.contains(value) else {
        throw .outOfRange(parameter: parameter, value: value, allowed: allowed, unit: unit)
    }
    return value
}
