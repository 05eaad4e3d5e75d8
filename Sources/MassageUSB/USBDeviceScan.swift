import CLibUSB
import MassageKit

/// Lists the attached USB devices massage-control knows (by the device table's VID:PID)
/// and, on request, those that look like ours, each with whether it can be used now.
public enum USBDeviceScan {
    /// Every attached device whose IDs are in `table`; with `includeLookalikes`, also any
    /// device with a vendor-specific interface (class 0xFF) that has a bulk IN and a bulk
    /// OUT endpoint of at most 64-byte packets, the shape this protocol runs on.
    ///
    /// Each device is opened and its interface claimed and released, to tell usable from
    /// permission denied and busy; a device another program holds is not disturbed (the
    /// claim fails, nothing is detached). Sorted by bus and address.
    public static func attachedDevices(table: DeviceTable = DeviceTable(),
                                       includeLookalikes: Bool = false) throws(TransportError) -> [AttachedUSBDevice] {
        let context = try LibUSB.makeContext()
        defer { libusb_exit(context) }
        let found = try LibUSB.withDeviceList(context) { devices throws(TransportError) -> [AttachedUSBDevice] in
            var found: [AttachedUSBDevice] = []
            for listed in devices {
                let entry = table.entry(vendorID: listed.vendorID, productID: listed.productID)
                let interface = LibUSB.bulkInterface(of: listed.device)
                if entry == nil {
                    guard includeLookalikes, let interface, interface.interfaceClass == 0xFF,
                          interface.maxPacketSize <= 64 else { continue }
                }
                found.append(inspect(listed, entry: entry, interface: interface))
            }
            return found
        }
        return found.sorted { ($0.bus, $0.address) < ($1.bus, $1.address) }
    }

    private static func inspect(_ listed: ListedDevice, entry: DeviceTable.Entry?,
                                interface: BulkInterface?) -> AttachedUSBDevice {
        var device = AttachedUSBDevice(bus: listed.bus, address: listed.address,
                                       vendorID: listed.vendorID, productID: listed.productID,
                                       model: entry?.model, kind: entry?.kind, serial: nil,
                                       interfaceNumber: interface?.number, kernelDriverBound: nil,
                                       usability: .usable)
        var handle: OpaquePointer?
        let status = libusb_open(listed.device, &handle)
        guard status == 0, let handle else {
            switch status {
            case LIBUSB_ERROR_ACCESS.rawValue:
                device.usability = .permissionDenied(path: listed.nodePath, hint: TransportError.udevRuleHint)
            case LIBUSB_ERROR_BUSY.rawValue:
                device.usability = .busy(detail: "another program has the device open exclusively")
            default:
                device.usability = .failed(detail: "cannot open \(listed.nodePath): \(LibUSB.describe(status))")
            }
            return device
        }
        defer { libusb_close(handle) }
        device.serial = LibUSB.string(handle, index: listed.descriptor.iSerialNumber)
        guard let interface else {
            device.usability = .noBulkInterface
            return device
        }
        let number = Int32(interface.number)
        let driver = libusb_kernel_driver_active(handle, number)
        if driver == 0 || driver == 1 { device.kernelDriverBound = driver == 1 }
        if driver == 1 {
            // The transport would detach it; claiming here would fail with BUSY, and
            // detaching just to look would be rude. Report it and leave it.
            return device
        }
        let claim = libusb_claim_interface(handle, number)
        switch claim {
        case 0:
            libusb_release_interface(handle, number)
        case LIBUSB_ERROR_BUSY.rawValue:
            device.usability = .busy(detail: "another program has claimed interface \(interface.number);"
                                         + " close it (another massagectl?) and try again")
        case LIBUSB_ERROR_ACCESS.rawValue:
            device.usability = .permissionDenied(path: listed.nodePath, hint: TransportError.udevRuleHint)
        default:
            device.usability = .failed(detail: "cannot claim interface \(interface.number): \(LibUSB.describe(claim))")
        }
        return device
    }
}
