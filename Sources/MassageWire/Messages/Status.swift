/// What a device is doing (PROTOCOL.md 4.11).
public enum DeviceState: UInt8, Sendable {
    case awaitingHello = 0
    case idle = 1
    case running = 2
    case faulted = 3
}

/// Status (0x82, the answer to GetStatus) and StatusReport (0x88, periodic): the
/// device's outputs, temperature, faults and counters.
public struct Status: Equatable, Sendable {
    /// The `temperature` value that means "no sensor or no valid reading".
    public static let noTemperature: Int16 = .min

    public var state: DeviceState
    public var faults: FaultSet
    /// 0.1 °C, or `Status.noTemperature`.
    public var temperature: Int16
    /// The heater setpoint in force after clamping and lease, 0.1 °C.
    public var heaterSetpoint: UInt16
    /// Percent, 0–100.
    public var heaterDuty: UInt8
    public var uptimeMicroseconds: UInt64
    /// Frames that got no answer because nothing in them could be trusted: malformed
    /// COBS, truncated, bad CRC, too long (saturating).
    public var framesBad: UInt16
    /// SetOutputs frames held by the rate limit and replaced by a newer one before they
    /// were applied (saturating). Nothing else is ever dropped.
    public var framesSuperseded: UInt16
    /// This session's vibration dose, 0.01 points.
    public var dose: UInt16
    /// The intensity each motor is driven at now, per mille.
    public var outputs: Intensities

    public init(state: DeviceState, faults: FaultSet = FaultSet(), temperature: Int16 = Status.noTemperature,
                heaterSetpoint: UInt16 = 0, heaterDuty: UInt8 = 0, uptimeMicroseconds: UInt64,
                framesBad: UInt16 = 0, framesSuperseded: UInt16 = 0, dose: UInt16 = 0,
                outputs: Intensities = Intensities()) {
        self.state = state
        self.faults = faults
        self.temperature = temperature
        self.heaterSetpoint = heaterSetpoint
        self.heaterDuty = heaterDuty
        self.uptimeMicroseconds = uptimeMicroseconds
        self.framesBad = framesBad
        self.framesSuperseded = framesSuperseded
        self.dose = dose
        self.outputs = outputs
    }
}
