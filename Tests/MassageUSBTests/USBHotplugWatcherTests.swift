import Foundation
import MassageKit
import MassageUSB
import Synchronization
import Testing

extension UmockdevUSBTests {
    /// Arrive and leave events from umockdev's uevents, through libusb's udev monitor.
    @Suite struct USBHotplugWatcherTests {
        @Test func reportsArrivalAndDepartureOfKnownDevices() throws {
            try #require(USBTransport.hotplugSupported, "this libusb has no hotplug; USBHotplugWatcher would say so")
            let testbed = try USBTestbed()
            defer { withExtendedLifetime(testbed) {} }  // outlives every transport on it
            let seen = Mutex<[USBHotplugEvent]>([])
            let watcher = try USBHotplugWatcher { event in seen.withLock { $0.append(event) } }
            defer { watcher.stop() }

            try testbed.addDevice(vendorID: 0x1234, productID: 0x5678)   // not in the table: not reported
            let device = try testbed.addDevice()
            #expect(wait(upTo: .seconds(5)) { seen.withLock { $0.count } >= 1 })
            testbed.unplug(device)
            #expect(wait(upTo: .seconds(5)) { seen.withLock { $0.count } >= 2 })

            let events = seen.withLock { $0 }
            #expect(events.map(\.change) == [.arrived, .left])
            #expect(events.allSatisfy { $0.vendorID == 0x1209 && $0.productID == 0x0001 && $0.bus == 1 && $0.address == 3 })
            #expect(events.first?.model == DeviceTable.builtIn[0].model)

            watcher.stop()
            try testbed.addDevice(serial: "LATE")
            Thread.sleep(forTimeInterval: 0.3)
            #expect(seen.withLock { $0.count } == 2, "nothing reported after stop")
        }
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes.
func wait(upTo timeout: Duration, for condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return condition()
}
