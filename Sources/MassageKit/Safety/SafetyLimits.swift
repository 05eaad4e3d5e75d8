import MassageWire

/// Everything the safety governor enforces, as plain values: what the device declared
/// (actuator accelerations, heater cap) and what the user chose (maximum intensity, slew
/// step, dose stop, session length). Validated on creation.
public struct SafetyLimits: Equatable, Sendable {
    /// The dose at which hosts stop by default: the action value (2.5 m/s² over 8 h).
    public static let defaultDoseStopPoints: UInt32 = SafetyFigures.doseActionPoints
    /// The dose no user setting may pass: the limit value (5 m/s² over 8 h).
    public static let doseLimitPoints: UInt32 = SafetyFigures.doseLimitPoints
    /// The heater cap no device declaration may pass, 0.1 °C (43.0 °C, IEC 60601-1).
    public static let heaterCapCeiling: UInt16 = SafetyFigures.heaterCapCeiling
    /// The longest session the governor allows: the dose's 8-hour reference period.
    public static let longestSessionMicroseconds: UInt64 = 8 * 3_600_000_000
    /// The default session length, 30 minutes (the device's heat auto-off figure).
    public static let defaultSessionMicroseconds: UInt64 = 30 * 60_000_000

    /// Each actuator's vibration acceleration at full intensity, 0.01 m/s² (Info).
    public let actuatorAccelerations: Intensities
    /// The highest heater setpoint allowed, 0.1 °C: the device's cap, never above 43.0 °C.
    /// 0 means no heater (every setpoint becomes 0).
    public let heaterCap: UInt16
    /// The user's maximum intensity, per mille (0–1000).
    public let maxIntensity: UInt16
    /// The largest change of one actuator's intensity from one tick to the next, per
    /// mille (1–1000); a change to zero is always allowed.
    public let slewStepPerTick: UInt16
    /// The dose at which the session stops, points (1–400, 100 by default).
    public let doseStopPoints: UInt32
    /// The session's maximum duration, µs (up to 8 h).
    public let maxSessionMicroseconds: UInt64

    /// The device's actuator count.
    public var actuatorCount: Int { actuatorAccelerations.count }

    /// Checks every figure; a device heater cap above 43.0 °C is lowered to 43.0 °C.
    public init(actuatorAccelerations: [UInt16], heaterCap: UInt16, maxIntensity: UInt16 = 1000,
                slewStepPerTick: UInt16, doseStopPoints: UInt32 = SafetyLimits.defaultDoseStopPoints,
                maxSessionMicroseconds: UInt64 = SafetyLimits.defaultSessionMicroseconds) throws(SafetyConfigurationError) {
        guard let accelerations = Intensities(actuatorAccelerations) else {
            throw .tooManyActuators(actuatorAccelerations.count)
        }
        guard maxIntensity <= 1000 else { throw .maxIntensityOutOfRange(maxIntensity) }
        guard (1...1000).contains(slewStepPerTick) else { throw .slewStepOutOfRange(slewStepPerTick) }
        guard (1...Self.doseLimitPoints).contains(doseStopPoints) else { throw .doseStopOutOfRange(doseStopPoints) }
        guard (1...Self.longestSessionMicroseconds).contains(maxSessionMicroseconds) else {
            throw .sessionDurationOutOfRange(maxSessionMicroseconds)
        }
        self.actuatorAccelerations = accelerations
        self.heaterCap = min(heaterCap, Self.heaterCapCeiling)
        self.maxIntensity = maxIntensity
        self.slewStepPerTick = slewStepPerTick
        self.doseStopPoints = doseStopPoints
        self.maxSessionMicroseconds = maxSessionMicroseconds
    }

    /// The per-tick step that gives `perSecond` per mille per second (PROTOCOL.md 6.6's
    /// `slew_per_s`) at `rateHertz` ticks per second, at least 1.
    public static func slewStep(perSecond: Int, rateHertz: Int) -> UInt16 {
        UInt16(clamping: max(1, perSecond / max(1, rateHertz)))
    }
}

/// A safety setting out of range.
public enum SafetyConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooManyActuators(Int)
    case maxIntensityOutOfRange(UInt16)
    case slewStepOutOfRange(UInt16)
    case doseStopOutOfRange(UInt32)
    case sessionDurationOutOfRange(UInt64)

    public var description: String {
        switch self {
        case .tooManyActuators(let count):
            "the device declares \(count) actuators; the protocol carries at most 16"
        case .maxIntensityOutOfRange(let value):
            "maximum intensity \(value) ‰ is out of range: choose 0–1000 ‰"
        case .slewStepOutOfRange(let value):
            "slew step \(value) ‰ per tick is out of range: choose 1–1000 ‰"
        case .doseStopOutOfRange(let points):
            "dose stop \(points) points is out of range: choose 1–\(SafetyLimits.doseLimitPoints) (400 is the limit value of Directive 2002/44/EC; 100, the action value, is the default)"
        case .sessionDurationOutOfRange(let microseconds):
            "session length \(microseconds / 1_000_000) s is out of range: choose more than 0 and at most 8 h"
        }
    }
}
