import MassageWire

/// What a device said it is and can do, from its Info sections during the handshake.
public struct DeviceCapabilities: Sendable, Equatable {
    public var device: DeviceInfo
    public var identity: DeviceIdentity
    /// One per actuator, in index order.
    public var actuators: [ActuatorInfo]

    public init(device: DeviceInfo, identity: DeviceIdentity, actuators: [ActuatorInfo]) {
        self.device = device
        self.identity = identity
        self.actuators = actuators
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
