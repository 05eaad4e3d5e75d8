import MassageWire

/// What every actuator and the heater should do at one instant: the value a pattern
/// produces, the governor limits, and the session sends as SetOutputs. Fixed-size, so a
/// real-time tick can make one without allocating.
public struct OutputLevels: Equatable, Sendable {
    /// Per actuator, per mille (0–1000); `count` is the device's actuator count.
    public var intensities: Intensities
    /// Heater setpoint in 0.1 °C; 0 = heater off.
    public var heaterSetpoint: UInt16

    public init(intensities: Intensities, heaterSetpoint: UInt16 = 0) {
        self.intensities = intensities
        self.heaterSetpoint = heaterSetpoint
    }

    /// Every motor at 0 and the heater off, for a device with `actuatorCount` motors.
    public static func off(actuatorCount: Int) -> OutputLevels {
        var intensities = Intensities()
        for _ in 0..<min(max(0, actuatorCount), 16) { _ = intensities.append(0) }
        return OutputLevels(intensities: intensities)
    }

    /// Whether anything is driven.
    public var isOff: Bool {
        heaterSetpoint == 0 && intensities.allSatisfy { $0 == 0 }
    }
}
