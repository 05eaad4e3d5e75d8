import CLibUSB
import MassageKit

/// Every libusb call the package makes goes through here: return codes become Swift
/// values and typed errors, and no public API touches a C pointer.
enum LibUSB {
    /// libusb's `major.minor.micro.nano` and release-candidate suffix, e.g. `1.0.26.11724`.
    static var version: String {
        guard let version = libusb_get_version()?.pointee else { return "unknown" }
        var text = "\(version.major).\(version.minor).\(version.micro).\(version.nano)"
        if let rc = version.rc { text += String(cString: rc) }
        return text
    }

    /// libusb's own name and message for a return code: "LIBUSB_ERROR_ACCESS (Access denied
    /// (insufficient permissions))".
    static func describe(_ code: Int32) -> String {
        let name = libusb_error_name(code).map { String(cString: $0) } ?? "libusb error \(code)"
        let message = libusb_strerror(code).map { String(cString: $0) } ?? ""
        return message.isEmpty ? name : "\(name) (\(message))"
    }

    /// The usbfs node libusb opens on Linux for a device.
    static func nodePath(bus: UInt8, address: UInt8) -> String {
        "/dev/bus/usb/\(threeDigits(bus))/\(threeDigits(address))"
    }

    private static func threeDigits(_ value: UInt8) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }

    /// A new context. libusb logs nothing unless LIBUSB_DEBUG asks it to (libusb_set_option
    /// is variadic, which Swift cannot call, so the environment is the switch).
    static func makeContext() throws(TransportError) -> OpaquePointer {
        var context: OpaquePointer?
        let status = libusb_init(&context)
        guard status == 0, let context else {
            throw .io(endpoint: "usb", operation: "libusb_init", detail: describe(status))
        }
        return context
    }

    /// The devices attached now, each with its descriptor; the list is freed when `body`
    /// returns, so `body` must take a reference (libusb_ref_device) on what it keeps.
    static func withDeviceList<Result>(_ context: OpaquePointer,
                                       _ body: ([ListedDevice]) throws(TransportError) -> Result)
        throws(TransportError) -> Result
    {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(context, &list)
        guard count >= 0, let list else {
            throw .io(endpoint: "usb", operation: "libusb_get_device_list", detail: describe(Int32(truncatingIfNeeded: count)))
        }
        defer { libusb_free_device_list(list, 1) }
        var devices: [ListedDevice] = []
        for index in 0..<count {
            guard let device = list[index] else { continue }
            var descriptor = libusb_device_descriptor()
            guard libusb_get_device_descriptor(device, &descriptor) == 0 else { continue }
            devices.append(ListedDevice(device: device, descriptor: descriptor,
                                        bus: libusb_get_bus_number(device), address: libusb_get_device_address(device)))
        }
        return try body(devices)
    }

    /// The interface with one bulk IN and one bulk OUT endpoint in the active (or first)
    /// configuration, read from the cached descriptors without opening the device.
    /// Vendor-specific interfaces (class 0xFF) win over others.
    static func bulkInterface(of device: OpaquePointer) -> BulkInterface? {
        var configuration: UnsafeMutablePointer<libusb_config_descriptor>?
        if libusb_get_active_config_descriptor(device, &configuration) != 0 || configuration == nil {
            guard libusb_get_config_descriptor(device, 0, &configuration) == 0 else { return nil }
        }
        guard let configuration else { return nil }
        defer { libusb_free_config_descriptor(configuration) }
        var found: [BulkInterface] = []
        for i in 0..<Int(configuration.pointee.bNumInterfaces) {
            let interface = configuration.pointee.interface[i]
            guard interface.num_altsetting > 0, let setting = interface.altsetting?.pointee else { continue }
            var input: (address: UInt8, packet: UInt16)?
            var output: (address: UInt8, packet: UInt16)?
            for e in 0..<Int(setting.bNumEndpoints) {
                guard let endpoint = setting.endpoint?[e] else { continue }
                guard endpoint.bmAttributes & 0x03 == UInt8(LIBUSB_TRANSFER_TYPE_BULK.rawValue) else { continue }
                if endpoint.bEndpointAddress & 0x80 != 0 {
                    if input == nil { input = (endpoint.bEndpointAddress, endpoint.wMaxPacketSize) }
                } else if output == nil {
                    output = (endpoint.bEndpointAddress, endpoint.wMaxPacketSize)
                }
            }
            if let input, let output {
                found.append(BulkInterface(number: setting.bInterfaceNumber, interfaceClass: setting.bInterfaceClass,
                                           inEndpoint: input.address, outEndpoint: output.address,
                                           maxPacketSize: max(1, min(input.packet, output.packet))))
            }
        }
        return found.first { $0.interfaceClass == 0xFF } ?? found.first
    }

    /// The string descriptor `index` in the device's first language, decoded from UTF-16;
    /// nil when there is none or it cannot be read.
    static func string(_ handle: OpaquePointer, index: UInt8) -> String? {
        guard index != 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 255)
        let descriptorType = UInt16(LIBUSB_DT_STRING.rawValue) << 8
        // Index 0 lists the language IDs.
        let languages = buffer.withUnsafeMutableBufferPointer { bytes in
            libusb_control_transfer(handle, UInt8(LIBUSB_ENDPOINT_IN.rawValue), UInt8(LIBUSB_REQUEST_GET_DESCRIPTOR.rawValue),
                                    descriptorType, 0, bytes.baseAddress, 255, 1000)
        }
        guard languages >= 4, buffer[1] == UInt8(LIBUSB_DT_STRING.rawValue) else { return nil }
        let language = UInt16(buffer[2]) | UInt16(buffer[3]) << 8
        let length = buffer.withUnsafeMutableBufferPointer { bytes in
            libusb_control_transfer(handle, UInt8(LIBUSB_ENDPOINT_IN.rawValue), UInt8(LIBUSB_REQUEST_GET_DESCRIPTOR.rawValue),
                                    descriptorType | UInt16(index), language, bytes.baseAddress, 255, 1000)
        }
        guard length >= 2, buffer[1] == UInt8(LIBUSB_DT_STRING.rawValue) else { return nil }
        let end = min(Int(length), Int(buffer[0]))
        guard end >= 2 else { return nil }
        var units: [UInt16] = []
        var i = 2
        while i + 1 < end {
            units.append(UInt16(buffer[i]) | UInt16(buffer[i + 1]) << 8)
            i += 2
        }
        return String(decoding: units, as: UTF16.self)
    }
}

/// One entry of libusb's device list.
struct ListedDevice {
    let device: OpaquePointer
    let descriptor: libusb_device_descriptor
    let bus: UInt8
    let address: UInt8

    var vendorID: UInt16 { descriptor.idVendor }
    var productID: UInt16 { descriptor.idProduct }
    var nodePath: String { LibUSB.nodePath(bus: bus, address: address) }
    var place: String { "bus \(bus) device \(address)" }
}

/// An interface the protocol can run on: a bulk pipe each way.
struct BulkInterface: Equatable {
    let number: UInt8
    let interfaceClass: UInt8
    let inEndpoint: UInt8
    let outEndpoint: UInt8
    let maxPacketSize: UInt16
}
