/// A configuration key (PROTOCOL.md section 4.19). A struct rather than an enum so
/// that a key this code does not know still round-trips and can be refused politely.
public struct ConfigKey: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Host-silence watchdog, ms, 100–2000, default 500.
    public static let watchdogMilliseconds = ConfigKey(rawValue: 1)
    /// Heater surface cap, 0.1 °C, 300 up to the device's limit (≤ 430), default 410.
    public static let heaterCap = ConfigKey(rawValue: 2)
    /// Periodic Status, ms, 0 (off) or 10–5000, default 100.
    public static let statusPeriodMilliseconds = ConfigKey(rawValue: 3)
    /// Periodic MatReport, ms, 0 (off) or 10–5000, default 50.
    public static let matPeriodMilliseconds = ConfigKey(rawValue: 4)
    /// Heating allowed in one session, s, 60–1800, default 1800.
    public static let heatSessionLimitSeconds = ConfigKey(rawValue: 5)
    /// Vibration dose limit, points, 1–400, default 400.
    public static let doseLimit = ConfigKey(rawValue: 6)
    /// Intensity slew, per mille per second, 100–100000, default 10000.
    public static let slewPerSecond = ConfigKey(rawValue: 7)
}

/// A key and its value: the payload of SetConfig (0x06) and Config (0x87).
public struct ConfigEntry: Equatable, Sendable {
    public var key: ConfigKey
    public var value: UInt32

    public init(key: ConfigKey, value: UInt32) {
        self.key = key
        self.value = value
    }
}
