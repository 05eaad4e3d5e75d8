/// Which part of a device's description an Info frame carries (PROTOCOL.md 4.10).
public enum InfoSection: UInt8, Sendable {
    case device = 0
    case identity = 1
    case actuator = 2
    /// The fault record: what latched first since the last clear, and when (version 2).
    case faultRecord = 3
}

/// GetInfo (0x09): asks for one section of the device's description.
public struct InfoRequest: Equatable, Sendable {
    public var section: InfoSection
    /// The actuator for `.actuator`, else 0.
    public var index: UInt8

    public init(section: InfoSection, index: UInt8 = 0) {
        self.section = section
        self.index = index
    }
}

/// How a device's actuators are arranged.
public enum ActuatorLayout: UInt8, Sendable {
    case single = 0
    case ring = 1
    case planar = 2
    case none = 3
}

/// Info section 0: what the device is and what it allows.
public struct DeviceInfo: Equatable, Sendable {
    public var protocolVersion: UInt8
    public var firmwareMajor: UInt8
    public var firmwareMinor: UInt8
    public var firmwarePatch: UInt8
    public var actuatorCount: UInt8
    public var layout: ActuatorLayout
    public var matZoneCount: UInt8
    /// The configured heater cap in 0.1 °C; 0 = no heater.
    public var heaterCap: UInt16
    /// The highest cap the device allows, 0.1 °C (≤ 430).
    public var heaterCapLimit: UInt16
    public var maxOutputRateHz: UInt16
    public var watchdogMilliseconds: UInt16
    public var maxLeaseMilliseconds: UInt16
    public var statusPeriodMilliseconds: UInt16
    public var matPeriodMilliseconds: UInt16
    /// Whole points; 0 = the device keeps no dose.
    public var doseLimit: UInt16

    public init(
        protocolVersion: UInt8 = WireLimits.protocolVersion,
        firmwareMajor: UInt8, firmwareMinor: UInt8, firmwarePatch: UInt8,
        actuatorCount: UInt8, layout: ActuatorLayout, matZoneCount: UInt8,
        heaterCap: UInt16, heaterCapLimit: UInt16, maxOutputRateHz: UInt16,
        watchdogMilliseconds: UInt16, maxLeaseMilliseconds: UInt16,
        statusPeriodMilliseconds: UInt16, matPeriodMilliseconds: UInt16, doseLimit: UInt16
    ) {
        self.protocolVersion = protocolVersion
        self.firmwareMajor = firmwareMajor
        self.firmwareMinor = firmwareMinor
        self.firmwarePatch = firmwarePatch
        self.actuatorCount = actuatorCount
        self.layout = layout
        self.matZoneCount = matZoneCount
        self.heaterCap = heaterCap
        self.heaterCapLimit = heaterCapLimit
        self.maxOutputRateHz = maxOutputRateHz
        self.watchdogMilliseconds = watchdogMilliseconds
        self.maxLeaseMilliseconds = maxLeaseMilliseconds
        self.statusPeriodMilliseconds = statusPeriodMilliseconds
        self.matPeriodMilliseconds = matPeriodMilliseconds
        self.doseLimit = doseLimit
    }
}

/// Info section 1: names. The serial number is what a host reconnects by.
public struct DeviceIdentity: Equatable, Sendable {
    public var vendor: ShortText
    public var model: ShortText
    public var serial: ShortText

    public init(vendor: ShortText, model: ShortText, serial: ShortText) {
        self.vendor = vendor
        self.model = model
        self.serial = serial
    }
}

/// Where an actuator sits on the treatment face.
public enum ActuatorPlacement: UInt8, Sendable {
    case centre = 0
    case ring = 1
    case planar = 2
}

/// Info section 2: one actuator.
public struct ActuatorInfo: Equatable, Sendable {
    public var placement: ActuatorPlacement
    /// 0.01°, 0–35999, counter-clockwise from +x seen from the treatment face.
    public var angle: UInt16
    /// mm from the centre of the face.
    public var x: Int16
    public var y: Int16
    /// Vibration acceleration at full intensity, 0.01 m/s²: the dose meter's `a`.
    public var acceleration: UInt16
    /// ms from rest to 63 % of full speed.
    public var spinUpMilliseconds: UInt16

    public init(placement: ActuatorPlacement, angle: UInt16 = 0, x: Int16 = 0, y: Int16 = 0,
                acceleration: UInt16, spinUpMilliseconds: UInt16) {
        self.placement = placement
        self.angle = angle
        self.x = x
        self.y = y
        self.acceleration = acceleration
        self.spinUpMilliseconds = spinUpMilliseconds
    }
}

/// Info (0x81): one section of the device's description.
public enum Info: Equatable, Sendable {
    case device(DeviceInfo)
    case identity(DeviceIdentity)
    case actuator(index: UInt8, ActuatorInfo)
    case faultRecord(FaultRecord)

    public var section: InfoSection {
        switch self {
        case .device: .device
        case .identity: .identity
        case .actuator: .actuator
        case .faultRecord: .faultRecord
        }
    }
}
