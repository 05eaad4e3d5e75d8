import Foundation
import MassageKit
import MassageUSB
import Testing

/// `massagectl devices`' data: what is attached, what it is, whether it can be used.
extension UmockdevUSBTests {
@Suite struct USBDeviceScanTests {
    @Test func findsTheTestDeviceWithModelAndSerial() throws {
        let testbed = try USBTestbed()
        defer { withExtendedLifetime(testbed) {} }  // outlives every transport on it
        try testbed.addDevice(serial: "USB-EMU-0001")
        let devices = try USBDeviceScan.attachedDevices()
        #expect(devices.count == 1)
        let device = try #require(devices.first)
        #expect(device.vendorID == 0x1209 && device.productID == 0x0001)
        #expect(device.bus == 1 && device.address == 2 && device.path == "/dev/bus/usb/001/002")
        #expect(device.model == "massage-control test device (pid.codes test PID)" && device.kind == .handheld)
        #expect(device.serial == "USB-EMU-0001")
        #expect(device.usability == .usable && device.problem == nil)
        #expect(device.interfaceNumber == 0 && device.kernelDriverBound == false)
        #expect(device.deviceURI == "usb:serial=USB-EMU-0001")
        #expect(device.description
            == "1209:0001 bus 1 device 2, serial USB-EMU-0001, massage-control test device (pid.codes test PID): usable")
    }

    @Test func userTableEntriesAndLookalikes() throws {
        let testbed = try USBTestbed()
        defer { withExtendedLifetime(testbed) {} }  // outlives every transport on it
        try testbed.addDevice(serial: nil)
        try testbed.addDevice(vendorID: 0x1234, productID: 0x5678, serial: "VENDOR-1")               // looks like ours
        try testbed.addDevice(vendorID: 0x1234, productID: 0x9999, serial: "HID-1", interfaceClass: 0x03)  // does not

        let known = try USBDeviceScan.attachedDevices()
        #expect(known.map(\.productID) == [0x0001], "only the table's IDs by default")
        #expect(known.first?.serial == nil && known.first?.deviceURI == "usb:1209:0001")

        let all = try USBDeviceScan.attachedDevices(includeLookalikes: true)
        #expect(all.map(\.productID) == [0x0001, 0x5678])
        #expect(all.last?.model == nil && all.last?.serial == "VENDOR-1")

        var table = DeviceTable()
        let json = #"{ "devices": [ { "usb": "1234:9999", "model": "Test HID massager" } ] }"#
        try table.add(json: Data(json.utf8), source: "test")
        let withUser = try USBDeviceScan.attachedDevices(table: table)
        #expect(withUser.map(\.productID) == [0x0001, 0x9999])
        #expect(withUser.last?.model == "Test HID massager")
    }

    @Test func busyDeviceIsListedAsBusy() throws {
        let testbed = try USBTestbed()
        defer { withExtendedLifetime(testbed) {} }  // outlives every transport on it
        let device = try testbed.addDevice()
        testbed.setClaimedElsewhere(device, true)
        let listed = try #require(try USBDeviceScan.attachedDevices().first)
        guard case .busy(let detail) = listed.usability else {
            Issue.record("expected busy, got \(listed.usability)")
            return
        }
        #expect(detail.contains("another program has claimed interface 0"))
        #expect(!listed.isUsable)
    }

    @Test func emptyBusListsNothing() throws {
        let testbed = try USBTestbed()
        defer { withExtendedLifetime(testbed) {} }  // outlives every transport on it
        #expect(try USBDeviceScan.attachedDevices(includeLookalikes: true).isEmpty)
    }
}
}
