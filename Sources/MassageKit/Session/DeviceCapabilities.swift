import MassageWire

/// What a device said it is and can do, from its Info sections during the handshake,
/// and what it had latched when the session started.
public struct DeviceCapabilities: Sendable, Equatable {
    public var device: DeviceInfo
    public var identity: DeviceIdentity
    /// One per actuator, in index order.
    public var actuators: [ActuatorInfo]
    /// The handshake's GetStatus answer (nil when built by hand).
    public var statusAtHandshake: Status?
    /// Info section 3, asked for when a fault was latched at the handshake: what latched
    /// first since the last clear, and when (device uptime). Nil when nothing was latched.
    public var faultRecord: FaultRecord?

    public init(device: DeviceInfo, identity: DeviceIdentity, actuators: [ActuatorInfo],
                statusAtHandshake: Status? = nil, faultRecord: FaultRecord? = nil) {
        self.device = device
        self.identity = identity
        self.actuators = actuators
        self.statusAtHandshake = statusAtHandshake
        self.faultRecord = faultRecord
    }

    /// The faults latched when the session started (Hello does not clear them): perhaps
    /// left by an earlier host.
    public var latchedFaults: FaultSet { statusAtHandshake?.faults ?? FaultSet() }

    /// True when the watchdog is the only fault latched: an earlier host went silent
    /// while driving the device. A host clears it itself (PROTOCOL.md 6.1); every other
    /// fault waits for the person (`massagectl clear-fault`).
    public var onlyWatchdogLatched: Bool { latchedFaults == .watchdog }

    /// How long before the handshake the first latched fault latched, s; nil when
    /// nothing is latched or the record is missing.
    public var secondsSinceFirstFault: Double? {
        guard let record = faultRecord, !record.isEmpty, let status = statusAtHandshake,
              status.uptimeMicroseconds >= record.uptimeMicroseconds else { return nil }
        return Double(status.uptimeMicroseconds - record.uptimeMicroseconds) / 1e6
    }

    public var vendor: String { identity.vendor.text }
    public var model: String { identity.model.text }
    /// What a host reconnects by.
    public var serial: String { identity.serial.text }
    public var protocolVersion: UInt8 { device.protocolVersion }
    public var actuatorCount: Int { Int(device.actuatorCount) }
    public var layout: ActuatorLayout { device.layout }
    public var hasHeater: Bool { device.heaterCap > 0 }
    /// The heater cap in force, °C (0 without a heater).
    public var heaterCapCelsius: Double { Double(device.heaterCap) / 10 }
    public var matZoneCount: Int { Int(device.matZoneCount) }
    /// The shortest gap between two SetOutputs the device accepts, µs.
    public var minimumOutputInterval: UInt64 {
        device.maxOutputRateHz == 0 ? 10_000 : 1_000_000 / UInt64(device.maxOutputRateHz)
    }
    public var firmwareVersion: String {
        "\(device.firmwareMajor).\(device.firmwareMinor).\(device.firmwarePatch)"
    }
}
