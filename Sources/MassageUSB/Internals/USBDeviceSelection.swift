import CLibUSB
import MassageKit

/// Picks the one device a `usb…` URI means, from libusb's list, and opens it. The rules:
/// `usb:VID:PID` takes any device with those IDs (the table need not know them); `usb`
/// and `usb:serial=…` take devices whose IDs are in the device table; a serial number is
/// read from the iSerialNumber string descriptor, which needs the device opened.
struct USBDeviceSelection {
    let match: USBDeviceMatch
    let table: DeviceTable

    /// The chosen device, opened (the caller owns `handle` and closes it).
    struct Opened {
        let handle: OpaquePointer
        let device: OpaquePointer
        let bus: UInt8
        let address: UInt8
        let vendorID: UInt16
        let productID: UInt16
        let serial: String?
        let model: String?
    }

    func wantsIDs(vendorID: UInt16, productID: UInt16) -> Bool {
        if match.vendorID != nil || match.productID != nil {
            return match.matches(vendorID: vendorID, productID: productID, serial: match.serial)
        }
        return table.entry(vendorID: vendorID, productID: productID) != nil
    }

    func open(in context: OpaquePointer) throws(TransportError) -> Opened {
        try LibUSB.withDeviceList(context) { devices throws(TransportError) -> Opened in
            let candidates = devices.filter { wantsIDs(vendorID: $0.vendorID, productID: $0.productID) }
                .sorted { ($0.bus, $0.address) < ($1.bus, $1.address) }
            // Open each candidate that needs it (to read serials); keep the handles until
            // one is chosen, then close the others.
            var opened: [(listed: ListedDevice, handle: OpaquePointer?, serial: String?, error: Int32)] = []
            let needsSerial = match.serial != nil || candidates.count > 1
            for listed in candidates {
                if needsSerial {
                    var handle: OpaquePointer?
                    let status = libusb_open(listed.device, &handle)
                    let serial = (status == 0 && handle != nil)
                        ? handle.flatMap { LibUSB.string($0, index: listed.descriptor.iSerialNumber) } : nil
                    opened.append((listed, status == 0 ? handle : nil, serial, status))
                } else {
                    opened.append((listed, nil, nil, 0))
                }
            }
            func closeAll(except kept: OpaquePointer? = nil) {
                for entry in opened { if let handle = entry.handle, handle != kept { libusb_close(handle) } }
            }

            let chosen: [Int]
            if let serial = match.serial {
                chosen = opened.indices.filter { opened[$0].serial == serial }
            } else {
                chosen = Array(opened.indices)
            }

            guard chosen.count == 1, let index = chosen.first else {
                defer { closeAll() }
                if chosen.isEmpty {
                    // A device we could not open might be the one: say so before "not found".
                    if let denied = opened.first(where: { $0.error == LIBUSB_ERROR_ACCESS.rawValue }) {
                        throw .permissionDenied(path: denied.listed.nodePath, hint: TransportError.udevRuleHint)
                    }
                    throw .notFound(what: "no USB device matches \(match)",
                                    hint: notFoundHint(devices: devices, opened: opened.map { ($0.listed, $0.serial) }))
                }
                let described = chosen.map { describe(opened[$0].listed, serial: opened[$0].serial) }
                let serials = chosen.compactMap { opened[$0].serial }
                let pick = serials.isEmpty
                    ? "unplug the others, or give each a serial number in its firmware"
                    : "pick one with " + serials.map { "--device usb:serial=\($0)" }.joined(separator: " or ")
                throw .notFound(what: "\(chosen.count) USB devices match \(match) (\(described.joined(separator: "; "))), not one",
                                hint: pick)
            }

            let entry = opened[index]
            let listed = entry.listed
            var handle = entry.handle
            var serial = entry.serial
            if handle == nil {
                var fresh: OpaquePointer?
                let status = libusb_open(listed.device, &fresh)
                guard status == 0, let fresh else {
                    closeAll()
                    throw Self.openError(status, listed: listed)
                }
                handle = fresh
                serial = LibUSB.string(fresh, index: listed.descriptor.iSerialNumber)
            }
            guard let handle else {
                closeAll()
                throw Self.openError(entry.error, listed: listed)
            }
            closeAll(except: handle)
            libusb_ref_device(listed.device)
            return Opened(handle: handle, device: listed.device, bus: listed.bus, address: listed.address,
                          vendorID: listed.vendorID, productID: listed.productID, serial: serial,
                          model: table.entry(vendorID: listed.vendorID, productID: listed.productID)?.model)
        }
    }

    static func openError(_ status: Int32, listed: ListedDevice) -> TransportError {
        let name = "USB device \(USBID.pair(listed.vendorID, listed.productID)) (\(listed.place))"
        switch status {
        case LIBUSB_ERROR_ACCESS.rawValue:
            return .permissionDenied(path: listed.nodePath, hint: TransportError.udevRuleHint)
        case LIBUSB_ERROR_BUSY.rawValue:
            return .busy(what: name, hint: "another program holds it; close it (massagectl, a vendor tool) and try again")
        case LIBUSB_ERROR_NO_DEVICE.rawValue:
            return .disconnected(endpoint: name, reason: "it went away while being opened")
        default:
            return .io(endpoint: name, operation: "libusb_open", detail: LibUSB.describe(status))
        }
    }

    private func describe(_ listed: ListedDevice, serial: String?) -> String {
        "\(USBID.pair(listed.vendorID, listed.productID)) on \(listed.place)" + (serial.map { ", serial \($0)" } ?? "")
    }

    private func notFoundHint(devices: [ListedDevice], opened: [(ListedDevice, String?)]) -> String {
        let known = devices.filter { table.entry(vendorID: $0.vendorID, productID: $0.productID) != nil }
        var seen: String
        if !opened.isEmpty {
            seen = "seen: " + opened.map { describe($0.0, serial: $0.1) }.joined(separator: "; ")
        } else if !known.isEmpty {
            seen = "seen: " + known.map { describe($0, serial: nil) }.joined(separator: "; ")
        } else {
            let ids = table.entries.map(\.id)
            seen = "no attached USB device has an ID from the device table (\(ids.joined(separator: ", ")));"
                + " \(devices.count) other USB device\(devices.count == 1 ? " is" : "s are") attached"
        }
        return seen + ". Check the cable and `massagectl devices`; a device with other IDs needs"
            + " --device usb:VID:PID or an entry in the device table"
    }
}
