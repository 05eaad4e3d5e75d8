/// What the user chose for one playback, turned into the scheduler's and the governor's
/// settings for a particular device.
public struct PlaybackSettings: Sendable, Equatable {
    /// Scales every intensity (`--intensity`), 0–100 %; can change while playing.
    public var intensityPercent = 100
    /// The highest intensity any motor may reach (`--max-intensity`), per mille.
    public var maxIntensity: UInt16 = 1000
    public var heat: HeatChoice = .program
    /// The scheduler's rate, 50–1000 Hz.
    public var rateHertz = SchedulerConfiguration.defaultRate
    /// The largest intensity change per second (no jolts), per mille per second.
    public var slewPerSecond = 5000
    /// Where the vibration dose stops the session, points (100 by default, never past 400).
    public var doseStopPoints = SafetyLimits.defaultDoseStopPoints
    /// The longest the session may run, µs (30 min by default, at most 8 h); a program
    /// longer than this is stopped there.
    public var maxSessionMicroseconds = SafetyLimits.defaultSessionMicroseconds

    public init() {}

    /// The governor's limits for a device with `capabilities`.
    public func limits(for capabilities: DeviceCapabilities) throws(SafetyConfigurationError) -> SafetyLimits {
        try SafetyLimits(actuatorAccelerations: capabilities.actuators.map(\.acceleration),
                         heaterCap: capabilities.hasHeater ? capabilities.device.heaterCap : 0,
                         maxIntensity: maxIntensity,
                         slewStepPerTick: SafetyLimits.slewStep(perSecond: slewPerSecond, rateHertz: rateHertz),
                         doseStopPoints: doseStopPoints,
                         maxSessionMicroseconds: maxSessionMicroseconds)
    }

    /// The actuators' arrangement from what the device said.
    public static func geometry(for capabilities: DeviceCapabilities) throws(GeometryError) -> ActuatorGeometry {
        try ActuatorGeometry(actuators: capabilities.actuators)
    }
}
