import MassageWire

/// The host's safety rules (DESIGN.md "Safety figures"), applied to every tick's levels
/// before they reach the device: the user's maximum intensity, the slew limit, the heater
/// cap, the vibration dose, the session length, and a stop on any device fault or link
/// loss. The device enforces its own copies of these; the host stops first.
///
/// A pure value: its inputs are the limits, each tick's levels and session time, and the
/// stop reports the session feeds it. Once it stops, every output it returns is zero, and
/// `stopReason` says why (the first reason wins).
public struct SafetyGovernor: Sendable {
    public let limits: SafetyLimits
    /// Why the governor stopped, once it has.
    public private(set) var stopReason: SafetyStopReason? = nil
    /// The session's vibration dose so far.
    public private(set) var dose = VibrationDoseMeter()
    /// The levels the governor last let through (what the device is driving).
    public private(set) var lastOutput: OutputLevels
    private var lastMicroseconds: UInt64? = nil

    public init(limits: SafetyLimits) {
        self.limits = limits
        lastOutput = .off(actuatorCount: limits.actuatorCount)
    }

    /// True once stopped.
    public var isStopped: Bool { stopReason != nil }

    /// Stops the session for `reason` (a device fault, a lost link): outputs are zero
    /// from the next `apply` on. A later reason does not replace the first.
    public mutating func stop(because reason: SafetyStopReason) {
        if stopReason == nil { stopReason = reason }
    }

    /// Makes `levels` safe for session time `now` (µs since the session started, never
    /// decreasing): the dose is first charged for the time since the last call at the
    /// levels then driven, and the session stopped if that reached the dose stop or the
    /// session limit; then each motor is sized to the device, limited to the maximum
    /// intensity and to one slew step from its last value (a drop to zero is immediate),
    /// and the heater setpoint clamped to the cap.
    public mutating func apply(to levels: inout OutputLevels, atMicroseconds now: UInt64) {
        let elapsed = lastMicroseconds.map { now > $0 ? now - $0 : 0 } ?? 0
        lastMicroseconds = max(lastMicroseconds ?? 0, now)
        if stopReason == nil {
            dose.add(acceleration: loudestAcceleration(of: lastOutput), microseconds: elapsed)
            if dose.reached(points: limits.doseStopPoints) {
                stopReason = .doseLimit(points: limits.doseStopPoints)
            } else if now >= limits.maxSessionMicroseconds {
                stopReason = .sessionDuration(microseconds: limits.maxSessionMicroseconds)
            }
        }
        if stopReason != nil {
            levels.setAllOff(actuatorCount: limits.actuatorCount)
            lastOutput = levels
            return
        }

        let count = limits.actuatorCount
        let step = limits.slewStepPerTick
        var governed = lastOutput   // already sized to the device
        for i in 0..<count {
            let wanted = i < levels.intensities.count ? min(levels.intensities[i], limits.maxIntensity) : 0
            let previous = lastOutput.intensities[i]
            if wanted == 0 {
                governed.intensities[i] = 0
            } else if wanted > previous {
                governed.intensities[i] = wanted - previous > step ? previous + step : wanted
            } else {
                governed.intensities[i] = previous - wanted > step ? previous - step : wanted
            }
        }
        governed.heaterSetpoint = min(levels.heaterSetpoint, limits.heaterCap)
        levels = governed
        lastOutput = governed
    }

    /// The loudest actuator's acceleration at `levels`, 0.01 m/s².
    func loudestAcceleration(of levels: OutputLevels) -> UInt64 {
        var loudest: UInt64 = 0
        for i in 0..<min(levels.intensities.count, limits.actuatorCount) {
            loudest = max(loudest, VibrationDoseMeter.acceleration(
                declared: limits.actuatorAccelerations[i], intensity: levels.intensities[i]))
        }
        return loudest
    }
}
