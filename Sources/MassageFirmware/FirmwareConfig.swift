import MassageWire

/// The device's configuration (PROTOCOL.md 4.19): what SetConfig changes and GetConfig
/// reads. Every value is kept inside its range; `set` refuses anything else.
public struct FirmwareConfig: Sendable {
    public private(set) var watchdogMilliseconds: UInt32 = 500
    public private(set) var heaterCap: UInt32 = 410
    public private(set) var statusPeriodMilliseconds: UInt32 = 100
    public private(set) var matPeriodMilliseconds: UInt32 = 50
    public private(set) var heatSessionLimitSeconds: UInt32 = 1800
    public private(set) var doseLimit: UInt32 = 400
    public private(set) var slewPerSecond: UInt32 = 10_000

    /// The highest `heaterCap` allowed: the profile's, never above 43 °C.
    public let heaterCapLimit: UInt32
    /// Without a heater, heater_cap and heat_session_limit_s read 0 and refuse every
    /// value; without a mat, mat_period_ms does (PROTOCOL.md 4.19).
    let hasHeater: Bool
    let hasMat: Bool

    public init(heaterCapLimit: UInt16, hasHeater: Bool = true, hasMat: Bool = true) {
        self.heaterCapLimit = UInt32(min(heaterCapLimit, FirmwareLimits.absoluteHeaterCap))
        self.hasHeater = hasHeater
        self.hasMat = hasMat
        heaterCap = min(heaterCap, self.heaterCapLimit)
    }

    /// The value of `key`, or nil for a key this firmware does not have.
    public func value(of key: ConfigKey) -> UInt32? {
        switch key {
        case .heaterCap where !hasHeater: 0
        case .heatSessionLimitSeconds where !hasHeater: 0
        case .matPeriodMilliseconds where !hasMat: 0
        case .watchdogMilliseconds: watchdogMilliseconds
        case .heaterCap: heaterCap
        case .statusPeriodMilliseconds: statusPeriodMilliseconds
        case .matPeriodMilliseconds: matPeriodMilliseconds
        case .heatSessionLimitSeconds: heatSessionLimitSeconds
        case .doseLimit: doseLimit
        case .slewPerSecond: slewPerSecond
        default: nil
        }
    }

    /// Sets `key` to `value`; false (and nothing changed) for an unknown key or a value
    /// outside the key's range.
    public mutating func set(_ key: ConfigKey, to value: UInt32) -> Bool {
        func periodIsValid(_ v: UInt32) -> Bool { v == 0 || (10...5000).contains(v) }
        if !hasHeater, key == .heaterCap || key == .heatSessionLimitSeconds { return false }
        if !hasMat, key == .matPeriodMilliseconds { return false }
        switch key {
        case .watchdogMilliseconds:
            // 250 ms at least: 2.5 × the host's slowest refresh (100 ms), so a host
            // refreshing at exactly 10 Hz never trips it (PROTOCOL.md 4.19).
            guard (FirmwareLimits.minimumWatchdogMilliseconds...2000).contains(value) else { return false }
            watchdogMilliseconds = value
        case .heaterCap:
            guard value >= 300, value <= heaterCapLimit else { return false }
            heaterCap = value
        case .statusPeriodMilliseconds:
            guard periodIsValid(value) else { return false }
            statusPeriodMilliseconds = value
        case .matPeriodMilliseconds:
            guard periodIsValid(value) else { return false }
            matPeriodMilliseconds = value
        case .heatSessionLimitSeconds:
            guard (60...1800).contains(value) else { return false }
            heatSessionLimitSeconds = value
        case .doseLimit:
            guard (1...400).contains(value) else { return false }
            doseLimit = value
        case .slewPerSecond:
            guard (100...100_000).contains(value) else { return false }
            slewPerSecond = value
        default:
            return false
        }
        return true
    }
}
