import CLibUSB
import MassageKit

/// A ``Transport`` over USB bulk endpoints, through libusb-1.0.
///
/// ``open(_:table:)`` finds the one device a `usb…` URI means (the device table's IDs,
/// `usb:VID:PID`, or `usb:serial=…` read from the iSerialNumber string descriptor),
/// opens it, detaches a kernel driver bound to its interface (Linux), claims the
/// interface with a bulk IN and a bulk OUT endpoint, and starts moving data:
///
/// - Bulk IN transfers stay submitted, asynchronously; what they bring lands in a buffer
///   that ``receive(timeout:)`` waits on.
/// - ``send(_:)`` submits one bulk OUT transfer and waits for it (100 ms at most for the
///   device to take the data).
/// - One thread per transport runs libusb's event handling; every completion and hotplug
///   callback happens there.
/// - Where libusb has hotplug (``hotplugFollowed``), the device leaving is seen at once;
///   otherwise, as transfers that end with "no device".
///
/// Unplugged, both calls throw ``TransportError/disconnected(endpoint:reason:)`` (bytes
/// that arrived before are still handed over first); after ``close()``,
/// ``TransportError/closed(endpoint:)``. Opening fails with a typed error that says what
/// to do: ``TransportError/permissionDenied(path:hint:)`` naming the udev rule,
/// ``TransportError/busy(what:hint:)`` when another program holds the interface,
/// ``TransportError/notFound(what:hint:)`` listing what was seen, or asking for
/// `usb:serial=…` when several devices match.
public final class USBTransport: Transport {
    public let endpoint: String
    /// Where the device sits and what it says it is.
    public let bus: UInt8
    public let address: UInt8
    public let vendorID: UInt16
    public let productID: UInt16
    /// From the iSerialNumber string descriptor; nil when the device has none.
    public let serial: String?
    /// The device table's name for the device's IDs, if it has one.
    public let model: String?
    /// The claimed interface and its endpoints (for diagnostics).
    public let interfaceNumber: UInt8
    public let inEndpoint: UInt8
    public let outEndpoint: UInt8
    public let maxPacketSize: UInt16
    private let link: USBLink

    /// Whether this transport hears of an unplug through libusb's hotplug events. When
    /// false (libusb built without udev/netlink, or a platform without hotplug), an
    /// unplug is still detected, by the transfers that fail with "no device".
    public var hotplugFollowed: Bool { link.hotplugFollowed }

    /// The libusb this program runs with, as the library reports itself (not the headers
    /// it was compiled against), e.g. `1.0.26.11724`.
    public static var libraryVersion: String { LibUSB.version }

    /// Whether libusb on this system reports devices arriving and leaving
    /// (LIBUSB_CAP_HAS_HOTPLUG).
    public static var hotplugSupported: Bool {
        libusb_has_capability(UInt32(LIBUSB_CAP_HAS_HOTPLUG.rawValue)) != 0
    }

    /// Opens the device `match` means. Several matching devices are an error that asks
    /// for `usb:serial=…`; none is an error that lists what was seen.
    public static func open(_ match: USBDeviceMatch = USBDeviceMatch(),
                            table: DeviceTable = DeviceTable()) throws(TransportError) -> USBTransport {
        let context = try LibUSB.makeContext()
        let opened: USBDeviceSelection.Opened
        do {
            opened = try USBDeviceSelection(match: match, table: table).open(in: context)
        } catch {
            libusb_exit(context)
            throw error
        }
        return try USBTransport(context: context, opened: opened)
    }

    private init(context: OpaquePointer, opened: USBDeviceSelection.Opened) throws(TransportError) {
        bus = opened.bus
        address = opened.address
        vendorID = opened.vendorID
        productID = opened.productID
        serial = opened.serial
        model = opened.model
        let name = "usb:\(USBID.pair(opened.vendorID, opened.productID)) (bus \(opened.bus) device \(opened.address)"
            + (opened.serial.map { ", serial \($0)" } ?? "") + ")"
        endpoint = name
        link = try USBLink(context: context, opened: opened, endpoint: name)
        interfaceNumber = link.interface.number
        inEndpoint = link.interface.inEndpoint
        outEndpoint = link.interface.outEndpoint
        maxPacketSize = link.interface.maxPacketSize
    }

    deinit {
        link.close()
    }

    public func send(_ bytes: [UInt8]) throws(TransportError) {
        try link.send(bytes)
    }

    public func receive(timeout: Duration) throws(TransportError) -> [UInt8] {
        try link.receive(timeout: timeout)
    }

    public func wakeReceive() {
        link.wakeReceive()
    }

    public func close() {
        link.close()
    }
}
