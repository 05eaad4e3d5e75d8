import CLibUSB
import MassageKit

/// A USB device of a known model arriving or leaving, as ``USBHotplugWatcher`` reports it.
public struct USBHotplugEvent: Sendable, Equatable, CustomStringConvertible {
    public enum Change: Sendable, Equatable {
        case arrived
        case left
    }

    public var change: Change
    public var vendorID: UInt16
    public var productID: UInt16
    public var bus: UInt8
    public var address: UInt8
    /// The device table's name for the IDs.
    public var model: String

    public var description: String {
        "\(change == .arrived ? "arrived" : "left"): \(USBID.pair(vendorID, productID)) bus \(bus) device \(address), \(model)"
    }
}

/// Follows devices of the table's models arriving and leaving, through libusb's hotplug
/// events (Linux: udev or netlink), on its own event thread; `handler` runs on that
/// thread and must return quickly (hand the event on; do not open the device from it).
/// Devices already attached are not reported: list them with ``USBDeviceScan``.
///
/// Where libusb has no hotplug (LIBUSB_CAP_HAS_HOTPLUG), ``init(table:handler:)`` throws
/// ``TransportError/unsupported(what:hint:)``, which says to poll ``USBDeviceScan`` instead.
public final class USBHotplugWatcher: Sendable {
    private let core: Core

    public init(table: DeviceTable = DeviceTable(),
                handler: @escaping @Sendable (USBHotplugEvent) -> Void) throws(TransportError) {
        guard USBTransport.hotplugSupported else {
            throw .unsupported(what: "libusb on this system cannot report USB devices arriving or leaving",
                               hint: "list them with `massagectl devices` instead (again after plugging one in)")
        }
        core = try Core(table: table, handler: handler)
    }

    deinit {
        core.stop()
    }

    /// Stops watching; `handler` is not called after this returns. Idempotent.
    public func stop() {
        core.stop()
    }

    /// The libusb side. user_data of the callback is this object, which outlives the
    /// registration (`stop` deregisters before the event thread ends).
    final class Core: @unchecked Sendable {
        // @unchecked: `context` and `registration` are set in init and only read after;
        // `stopped` is guarded by `lock`; libusb contexts are thread-safe.
        let table: DeviceTable
        let handler: @Sendable (USBHotplugEvent) -> Void
        private let context: USBContextPointer
        private var registration: libusb_hotplug_callback_handle = 0
        private var events: USBEventThread?
        private let lock = ConditionLock(false)

        init(table: DeviceTable, handler: @escaping @Sendable (USBHotplugEvent) -> Void) throws(TransportError) {
            self.table = table
            self.handler = handler
            context = USBContextPointer(raw: try LibUSB.makeContext())
            var handle: libusb_hotplug_callback_handle = 0
            let status = libusb_hotplug_register_callback(
                context.raw,
                Int32(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED.rawValue | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT.rawValue), 0,
                LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
                usbHotplugWatcherCallback, Unmanaged.passUnretained(self).toOpaque(), &handle)
            guard status == 0 else {
                libusb_exit(context.raw)
                throw .io(endpoint: "usb", operation: "libusb_hotplug_register_callback", detail: LibUSB.describe(status))
            }
            registration = handle
            events = USBEventThread(context: context, name: "libusb hotplug")
        }

        fileprivate func deliver(_ device: OpaquePointer?, _ event: libusb_hotplug_event) {
            guard let device, !lock.withLock({ $0 }) else { return }
            var descriptor = libusb_device_descriptor()
            guard libusb_get_device_descriptor(device, &descriptor) == 0,
                  let entry = table.entry(vendorID: descriptor.idVendor, productID: descriptor.idProduct)
            else { return }
            handler(USBHotplugEvent(change: event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? .arrived : .left,
                                    vendorID: descriptor.idVendor, productID: descriptor.idProduct,
                                    bus: libusb_get_bus_number(device), address: libusb_get_device_address(device),
                                    model: entry.model))
        }

        func stop() {
            let first = lock.withLock { stopped -> Bool in
                defer { stopped = true }
                return !stopped
            }
            guard first else { return }
            libusb_hotplug_deregister_callback(context.raw, registration)
            events?.stop()
            events = nil
            libusb_exit(context.raw)
        }
    }
}

private func usbHotplugWatcherCallback(_ context: OpaquePointer?, _ device: OpaquePointer?,
                                       _ event: libusb_hotplug_event, _ userData: UnsafeMutableRawPointer?) -> Int32 {
    guard let userData else { return 0 }
    Unmanaged<USBHotplugWatcher.Core>.fromOpaque(userData).takeUnretainedValue().deliver(device, event)
    return 0
}
