/// The device → host payloads of PROTOCOL.md section 4 (version 2), read by the suite
/// itself. Each reader returns nil when the payload is not what the section says, which
/// a check reports as the device's failure.

/// Info section 0 (Device).
public struct DeviceFacts: Sendable, Equatable {
    public var protocolVersion: UInt8
    public var firmware: (UInt8, UInt8, UInt8)
    public var actuatorCount: Int
    public var layout: UInt8
    public var matZoneCount: Int
    public var heaterCap: UInt16
    public var heaterCapLimit: UInt16
    public var maxOutputRateHz: UInt16
    public var watchdogMilliseconds: UInt16
    public var maxLeaseMilliseconds: UInt16
    public var statusPeriodMilliseconds: UInt16
    public var matPeriodMilliseconds: UInt16
    public var doseLimit: UInt16

    public var hasHeater: Bool { heaterCapLimit > 0 }
    public var hasMotors: Bool { actuatorCount > 0 }
    public var hasMat: Bool { matZoneCount > 0 }

    public static func == (a: DeviceFacts, b: DeviceFacts) -> Bool {
        a.protocolVersion == b.protocolVersion && a.firmware == b.firmware && a.actuatorCount == b.actuatorCount
            && a.layout == b.layout && a.matZoneCount == b.matZoneCount && a.heaterCap == b.heaterCap
            && a.heaterCapLimit == b.heaterCapLimit && a.maxOutputRateHz == b.maxOutputRateHz
            && a.watchdogMilliseconds == b.watchdogMilliseconds && a.maxLeaseMilliseconds == b.maxLeaseMilliseconds
            && a.statusPeriodMilliseconds == b.statusPeriodMilliseconds && a.matPeriodMilliseconds == b.matPeriodMilliseconds
            && a.doseLimit == b.doseLimit
    }

    /// Reads an Info payload of section 0; nil if it is not one.
    static func read(_ payload: [UInt8]) -> DeviceFacts? {
        var r = PayloadReader(payload)
        guard payload.count == 25, r.u8() == 0, r.u8() == 0,
              let version = r.u8(), let major = r.u8(), let minor = r.u8(), let patch = r.u8(),
              let actuators = r.u8(), let layout = r.u8(), let zones = r.u8(),
              let cap = r.u16(), let capLimit = r.u16(), let rate = r.u16(), let watchdog = r.u16(),
              let lease = r.u16(), let statusPeriod = r.u16(), let matPeriod = r.u16(), let dose = r.u16()
        else { return nil }
        return DeviceFacts(protocolVersion: version, firmware: (major, minor, patch), actuatorCount: Int(actuators),
                           layout: layout, matZoneCount: Int(zones), heaterCap: cap, heaterCapLimit: capLimit,
                           maxOutputRateHz: rate, watchdogMilliseconds: watchdog, maxLeaseMilliseconds: lease,
                           statusPeriodMilliseconds: statusPeriod, matPeriodMilliseconds: matPeriod, doseLimit: dose)
    }
}

/// Status (0x82) and StatusReport (0x88): the same payload.
public struct StatusFields: Sendable, Equatable {
    public var state: UInt8
    public var faults: UInt16
    public var temperature: Int16
    public var heaterSetpoint: UInt16
    public var heaterDuty: UInt8
    public var uptimeMicroseconds: UInt64
    public var framesBad: UInt16
    public var framesSuperseded: UInt16
    public var dose: UInt16
    public var outputs: [UInt16]

    static func read(_ payload: [UInt8]) -> StatusFields? {
        var r = PayloadReader(payload)
        guard let state = r.u8(), state <= 3, let faults = r.u16(), let temperature = r.i16(), let setpoint = r.u16(),
              let duty = r.u8(), let uptime = r.u64(), let bad = r.u16(), let superseded = r.u16(),
              let dose = r.u16(), let count = r.u8(), count <= 16, r.remaining == 2 * Int(count) else { return nil }
        var outputs: [UInt16] = []
        for _ in 0..<count { if let v = r.u16() { outputs.append(v) } }
        return StatusFields(state: state, faults: faults, temperature: temperature, heaterSetpoint: setpoint,
                            heaterDuty: duty, uptimeMicroseconds: uptime, framesBad: bad, framesSuperseded: superseded,
                            dose: dose, outputs: outputs)
    }
}

/// Fault (0x84), and the body of Info section 3 (the fault record), which has the same
/// fields.
public struct FaultFields: Sendable, Equatable {
    public var code: UInt8
    public var faults: UInt16
    public var detail: Int16
    public var uptimeMicroseconds: UInt64

    static func read(_ payload: [UInt8]) -> FaultFields? {
        var r = PayloadReader(payload)
        guard payload.count == 13, let code = r.u8(), let faults = r.u16(), let detail = r.i16(),
              let uptime = r.u64() else { return nil }
        return FaultFields(code: code, faults: faults, detail: detail, uptimeMicroseconds: uptime)
    }
}

/// MatReport (0x83).
public struct MatReportFields: Sendable, Equatable {
    public var timestampMicroseconds: UInt64
    public var firstZone: Int
    public var pressures: [UInt16]

    static func read(_ payload: [UInt8]) -> MatReportFields? {
        var r = PayloadReader(payload)
        guard let timestamp = r.u64(), let first = r.u8(), let count = r.u8(), (1...22).contains(count),
              Int(first) + Int(count) <= 64, r.remaining == 2 * Int(count) else { return nil }
        var pressures: [UInt16] = []
        for _ in 0..<count { if let v = r.u16() { pressures.append(v) } }
        return MatReportFields(timestampMicroseconds: timestamp, firstZone: Int(first), pressures: pressures)
    }
}

/// Fault codes (PROTOCOL.md 4.18: the bit numbers).
public enum FaultCode {
    public static let watchdog: UInt8 = 0
    public static let runaway: UInt8 = 1
    public static let sensorRange: UInt8 = 2
    public static let sensorStale: UInt8 = 3
    public static let overTemperature: UInt8 = 4
    public static let heatTime: UInt8 = 5
    public static let dose: UInt8 = 6
    public static let stall: UInt8 = 7
    public static let internalError: UInt8 = 8

    static func name(_ code: UInt8) -> String {
        let names = ["watchdog", "heater runaway", "sensor range", "sensor stale", "over temperature",
                     "heat time limit", "dose limit", "motor stall", "internal"]
        return Int(code) < names.count ? names[Int(code)] : "code \(code)"
    }
}
