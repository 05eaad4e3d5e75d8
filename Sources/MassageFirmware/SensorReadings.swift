/// What the hardware measured since the previous step: the inputs of `FirmwareCore.step`
/// besides time and bytes.
public struct SensorReadings: Sendable {
    /// A new temperature sample (0.1 °C) taken since the previous step, or nil when the
    /// sensor produced none (it samples slower than the core ticks).
    public var temperature: Int16?
    /// Each motor's measured speed, per mille of full speed.
    public var motorSpeeds: InlineArray<16, UInt16>
    /// Each mat zone's pressure, per mille of full scale.
    public var matPressures: InlineArray<64, UInt16>

    public init() {
        temperature = nil
        motorSpeeds = InlineArray(repeating: 0)
        matPressures = InlineArray(repeating: 0)
    }
}

/// What the core drives the hardware with after a step.
public struct DriveOutputs: Sendable {
    /// Each motor's drive, per mille (after slew limiting, lease and faults).
    public var motorDuties: InlineArray<16, UInt16>
    /// The heater element's duty, percent 0–100.
    public var heaterDuty: UInt8

    public init() {
        motorDuties = InlineArray(repeating: 0)
        heaterDuty = 0
    }

    /// True when every motor and the heater are off.
    public var isAllOff: Bool {
        if heaterDuty != 0 { return false }
        for i in motorDuties.indices where motorDuties[i] != 0 { return false }
        return true
    }
}
