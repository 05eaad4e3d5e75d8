import MassageWire

/// Why the safety governor stopped a session. Once stopped, every output stays at zero.
public enum SafetyStopReason: Equatable, Sendable, CustomStringConvertible {
    /// The vibration dose reached the stop figure (`points`, 100 by default).
    case doseLimit(points: UInt32)
    /// The session ran for its maximum duration (µs).
    case sessionDuration(microseconds: UInt64)
    /// The device reported these faults.
    case deviceFault(FaultSet)
    /// The link to the device was lost.
    case linkLost
    /// The device reported a surface temperature (0.1 °C) above the cap in force (0.1 °C)
    /// by more than ``SafetyFigures/overTemperatureMargin``, without a fault of its own:
    /// the host's own check.
    case overTemperature(reported: Int16, cap: UInt16)

    public var description: String {
        switch self {
        case .doseLimit(let points):
            "vibration dose reached \(points) points (2·a²·T): stop for today, or raise the limit (at most 400) before the next session"
        case .sessionDuration(let microseconds):
            "the session reached its maximum duration of \(Self.minutes(microseconds))"
        case .deviceFault(let faults):
            "the device reported a fault (\(faults.names.joined(separator: ", "))): outputs stopped; check the device (massagectl info), then start again"
        case .linkLost:
            "the link to the device was lost: outputs stopped (the device's watchdog stops it too)"
        case .overTemperature(let reported, let cap):
            "the device reports a surface of \(Self.celsius(Int(reported))), above the \(Self.celsius(Int(cap))) cap "
                + "(+\(Self.celsius(Int(SafetyFigures.overTemperatureMargin))) allowed) without a fault of its own: outputs stopped; "
                + "let it cool, and have its sensor and firmware checked before using it again"
        }
    }

    private static func celsius(_ tenths: Int) -> String {
        "\(tenths / 10).\(abs(tenths % 10)) °C"
    }

    private static func minutes(_ microseconds: UInt64) -> String {
        let seconds = microseconds / 1_000_000
        return seconds % 60 == 0 ? "\(seconds / 60) min" : "\(seconds / 60) min \(seconds % 60) s"
    }
}
