import MassageKit

/// One attached USB device that massage-control could drive, as `massagectl devices`
/// lists it: where it is, what it is, and whether this process can use it and, if not,
/// why and what to do. Made by ``USBDeviceScan/attachedDevices(table:includeLookalikes:)``.
public struct AttachedUSBDevice: Sendable, Equatable, CustomStringConvertible {
    public var bus: UInt8
    public var address: UInt8
    public var vendorID: UInt16
    public var productID: UInt16
    /// The device table's entry for the IDs; nil for a look-alike that the table lacks.
    public var model: String?
    public var kind: DeviceTable.Kind?
    /// From the iSerialNumber string descriptor, when the device could be opened and has one.
    public var serial: String?
    /// The bulk interface the transport would claim, from the descriptors; nil if none.
    public var interfaceNumber: UInt8?
    /// Whether a kernel driver is bound to that interface now (the transport detaches it
    /// on open); nil when it could not be asked.
    public var kernelDriverBound: Bool?
    public var usability: Usability

    /// Whether ``USBTransport/open(_:table:)`` can take the device now, and why not.
    public enum Usability: Sendable, Equatable {
        /// Opened and its interface claimed (and released again) by this scan. Whether
        /// its firmware answers Hello is the session's question, not the scan's.
        case usable
        /// The device node cannot be opened by this user; the hint names the udev rule.
        case permissionDenied(path: String, hint: String)
        /// Another process (or a kernel driver that cannot be detached) holds the interface.
        case busy(detail: String)
        /// Its descriptors have no interface with a bulk IN and a bulk OUT endpoint.
        case noBulkInterface
        /// Opening or claiming failed otherwise (libusb's message).
        case failed(detail: String)
    }

    public var isUsable: Bool { usability == .usable }

    /// The usbfs node: /dev/bus/usb/BBB/DDD.
    public var path: String { LibUSB.nodePath(bus: bus, address: address) }

    /// The `--device` value that names exactly this device: by serial when it has one.
    public var deviceURI: String {
        if let serial, !serial.isEmpty, !serial.contains(where: \.isWhitespace) { return "usb:serial=\(serial)" }
        return "usb:\(USBID.pair(vendorID, productID))"
    }

    /// What stands in the way, in words a person can act on; nil when usable.
    public var problem: String? {
        switch usability {
        case .usable: nil
        case .permissionDenied(let path, let hint): "permission denied on \(path): \(hint)"
        case .busy(let detail): "busy: \(detail)"
        case .noBulkInterface: "no interface with bulk IN and OUT endpoints: not massage-control firmware"
        case .failed(let detail): detail
        }
    }

    /// One line: "1209:0001 bus 1 device 2, serial SIM-1, massage-control test device: usable".
    public var description: String {
        var text = "\(USBID.pair(vendorID, productID)) bus \(bus) device \(address)"
        if let serial { text += ", serial \(serial)" }
        text += ", " + (model ?? "not in the device table")
        text += ": " + (problem ?? "usable")
        return text
    }
}
