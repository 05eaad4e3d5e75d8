import MassageWire

/// What a device is: the fixed facts its firmware is built with, reported in Info and
/// used by every rule of the core. A device maker fills one in; the simulator keeps the
/// built-in ones (`SimulatorProfiles`).
public struct DeviceProfile: Sendable {
    public var firmwareMajor: UInt8
    public var firmwareMinor: UInt8
    public var firmwarePatch: UInt8
    public var identity: DeviceIdentity
    public var layout: ActuatorLayout
    /// How many of `actuators` exist (0–16).
    public var actuatorCount: Int
    /// The actuators `0 ..< actuatorCount`; the rest is unused.
    public var actuators: InlineArray<16, ActuatorInfo>
    /// Whether there is a heater with a temperature sensor.
    public var hasHeater: Bool
    /// The highest heater cap the hardware allows, 0.1 °C (≤ 430: IEC 60601-1's 43 °C).
    public var heaterCapLimit: UInt16
    /// Mat zones (0–64).
    public var matZoneCount: Int
    /// The highest SetOutputs rate the device drives; faster frames may be dropped.
    public var maxOutputRateHz: UInt16
    /// The longest lease a SetOutputs may ask for, ms (≤ 3000).
    public var maxLeaseMilliseconds: UInt16
    /// Whether the motors report their speed (needed for stall detection).
    public var hasSpeedFeedback: Bool

    public init(
        firmwareVersion: (UInt8, UInt8, UInt8), identity: DeviceIdentity, layout: ActuatorLayout,
        actuatorCount: Int, actuators: InlineArray<16, ActuatorInfo>, hasHeater: Bool,
        heaterCapLimit: UInt16 = 430, matZoneCount: Int = 0, maxOutputRateHz: UInt16 = 200,
        maxLeaseMilliseconds: UInt16 = 3000, hasSpeedFeedback: Bool = true
    ) {
        firmwareMajor = firmwareVersion.0
        firmwareMinor = firmwareVersion.1
        firmwarePatch = firmwareVersion.2
        self.identity = identity
        self.layout = layout
        self.actuatorCount = max(0, min(actuatorCount, WireLimits.maxActuators))
        self.actuators = actuators
        self.hasHeater = hasHeater
        self.heaterCapLimit = min(heaterCapLimit, FirmwareLimits.absoluteHeaterCap)
        self.matZoneCount = max(0, min(matZoneCount, WireLimits.maxMatZones))
        self.maxOutputRateHz = max(1, maxOutputRateHz)
        self.maxLeaseMilliseconds = max(1, min(maxLeaseMilliseconds, FirmwareLimits.maxLeaseMilliseconds))
        self.hasSpeedFeedback = hasSpeedFeedback
    }
}

/// The fixed figures of DESIGN.md's safety table that no configuration can move.
public enum FirmwareLimits {
    /// The smallest watchdog_ms: 2.5 × the host's minimum refresh period of 100 ms.
    public static let minimumWatchdogMilliseconds: UInt32 = 250
    /// 43.0 °C: IEC 60601-1's limit for ≥ 10 min of skin contact. No cap goes above it.
    public static let absoluteHeaterCap: UInt16 = SafetyFigures.heaterCapCeiling
    /// A heater setpoint lapses at most this long after the last SetOutputs (Klipper's
    /// MAX_HEAT_TIME).
    public static let maxLeaseMilliseconds: UInt16 = SafetyFigures.maxLeaseMilliseconds
    /// The band below the cap the heater regulates to when a setpoint is clamped, 0.1 °C:
    /// sensor noise must never let the surface pass the cap.
    public static let capGuardBand: Int32 = 3
    /// Thermal-runaway hysteresis, 0.1 °C.
    public static let runawayHysteresis: Int32 = 20
    /// While approaching the target the reading must gain this much (0.1 °C) ...
    public static let runawayMinimumGain: Int32 = 10
    /// ... within this long, µs.
    public static let runawayGainWindow: UInt64 = 20_000_000
    /// Accumulated shortfall below target − hysteresis that latches runaway: 60 °C·s, in
    /// 0.1 °C·ms.
    public static let runawayErrorLimit: Int64 = 600_000
    /// The plausible sensor range, 0.1 °C: −20 … 80 °C.
    public static let sensorMinimum: Int16 = -200
    public static let sensorMaximum: Int16 = 800
    /// Out-of-range readings in a row that latch sensor range.
    public static let sensorRangeStrikes = 4
    /// No new reading for this long while the heater may run latches sensor stale, µs.
    public static let sensorStaleAfter: UInt64 = 1_000_000
    /// Above the cap by this much (0.1 °C) latches over temperature.
    public static let overTemperatureMargin = Int32(SafetyFigures.overTemperatureMargin)
    /// A motor driven above this (per mille) that reports no speed ...
    public static let stallDriveThreshold: Int32 = 200
    /// ... (below this, per mille) ...
    public static let stallSpeedThreshold: UInt16 = 20
    /// ... for this long latches motor stall, µs.
    public static let stallAfter: UInt64 = 500_000
    /// A retried command (same type and seq) is answered again, not applied again, if it
    /// arrives within this long of the first, µs.
    public static let retryWindow: UInt64 = 1_000_000
}
