/// Intensities, one per actuator, per mille (0–1000).
public typealias Intensities = FixedList<16, UInt16>

/// SetOutputs (0x02): what every actuator and the heater should do now.
/// Latest-value-wins: never queued, never acknowledged.
public struct SetOutputs: Equatable, Sendable {
    /// How long these outputs hold without a newer SetOutputs, in ms (1 ... 3000).
    public var leaseMilliseconds: UInt16
    /// Heater setpoint in 0.1 °C; 0 turns the heater off.
    public var heaterSetpoint: UInt16
    /// Per-actuator intensity, per mille.
    public var intensities: Intensities

    public init(leaseMilliseconds: UInt16, heaterSetpoint: UInt16 = 0, intensities: Intensities) {
        self.leaseMilliseconds = leaseMilliseconds
        self.heaterSetpoint = heaterSetpoint
        self.intensities = intensities
    }
}
