import Foundation
import MassageSimulator
import USBDeviceEmulator

/// A umockdev testbed with emulated USB devices, each backed by a ``SimulatedFirmware``.
/// One at a time per process (umockdev points its preload at the newest testbed), so the
/// suite is serialized. Close every transport before the testbed goes.
final class USBTestbed {
    struct Device {
        let handle: OpaquePointer
        let firmware: EmulatedFirmware
        let bus: UInt8
        let address: UInt8
        /// The firmware, when it is the simulated device.
        var simulated: SimulatedFirmware? { firmware as? SimulatedFirmware }
        var nodePath: String { String(format: "/dev/bus/usb/%03d/%03d", bus, address) }
    }

    /// Why the tests cannot run here, or nil when umockdev's preload is active.
    static var unavailableReason: String? {
        usb_emulator_preload_active() ? nil
            : "needs umockdev's preload: run under umockdev-wrapper (umockdev-wrapper swift test --skip-build --filter MassageUSBTests)"
    }

    static var isAvailable: Bool { unavailableReason == nil }

    let emulator: OpaquePointer
    private(set) var devices: [Device] = []

    init() throws {
        var error = [CChar](repeating: 0, count: 256)
        guard let emulator = usb_emulator_new(&error, error.count) else {
            throw TestbedError(message: Self.text(error))
        }
        self.emulator = emulator
    }

    deinit {
        usb_emulator_free(emulator)
    }

    /// Adds a device (1209:0001 by default) at bus 1, address 2 + its index.
    @discardableResult
    func addDevice(vendorID: UInt16 = 0x1209, productID: UInt16 = 0x0001, serial: String? = "USB-EMU-0001",
                   interfaceClass: UInt8 = 0xFF, firmware: EmulatedFirmware = SimulatedFirmware()) throws -> Device {
        let bus: UInt8 = 1
        let address = UInt8(2 + devices.count)
        var error = [CChar](repeating: 0, count: 256)
        let handle = "pid.codes".withCString { manufacturer in
            "massage-control emulated device".withCString { product in
                withOptionalCString(serial) { serialText in
                    var description = usb_emulated_device_description(
                        vendor_id: vendorID, product_id: productID, bus: bus, address: address,
                        manufacturer: manufacturer, product: product, serial: serialText,
                        interface_class: interfaceClass, max_packet_size: 64)
                    return usb_emulator_add_device(emulator, &description, firmware.callbacks, &error, error.count)
                }
            }
        }
        guard let handle else { throw TestbedError(message: Self.text(error)) }
        let device = Device(handle: handle, firmware: firmware, bus: bus, address: address)
        devices.append(device)
        return device
    }

    private static func text(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    func unplug(_ device: Device) {
        usb_emulated_device_unplug(device.handle)
    }

    func setClaimedElsewhere(_ device: Device, _ claimed: Bool) {
        usb_emulated_device_set_claimed_elsewhere(device.handle, claimed)
    }

    func setOutNaks(_ device: Device, _ naks: Bool) {
        usb_emulated_device_set_out_naks(device.handle, naks)
    }

    /// The testbed's file behind the device node.
    func nodeFile(_ device: Device) -> String? {
        usb_emulated_device_node_file(device.handle).map { String(cString: $0) }
    }

    func counters(_ device: Device) -> usb_emulated_device_counters {
        usb_emulated_device_get_counters(device.handle)
    }
}

struct TestbedError: Error, CustomStringConvertible {
    let message: String
    var description: String { "umockdev testbed: \(message)" }
}

private func withOptionalCString<Result>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> Result) -> Result {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}

extension USBTestbed {
    /// The testbed's root directory: /sys and /dev of the emulated system live under it.
    var root: String? { usb_emulator_root(emulator).map { String(cString: $0) } }
}
