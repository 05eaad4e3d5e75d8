import Foundation
import MassageKit
import Testing

@Suite struct DeviceTableTests {
    @Test func builtInHasTheTestDevice() {
        let table = DeviceTable()
        #expect(table.entry(vendorID: 0x1209, productID: 0x0001)?.kind == .handheld)
        #expect(table.entry(vendorID: 0x1209, productID: 0x0002) == nil)
    }

    @Test func userEntriesAddAndOverride() throws {
        var table = DeviceTable()
        let json = #"{"devices":[{"usb":"1209:0002","model":"Mat X","kind":"mat"},{"usb":"1209:0001","model":"Renamed"}]}"#
        try table.add(json: Data(json.utf8), source: "devices.json")
        #expect(table.entry(vendorID: 0x1209, productID: 0x0002)?.model == "Mat X")
        #expect(table.entry(vendorID: 0x1209, productID: 0x0002)?.kind == .mat)
        #expect(table.entry(vendorID: 0x1209, productID: 0x0001)?.model == "Renamed")
        #expect(table.entry(vendorID: 0x1209, productID: 0x0001)?.source == "devices.json")
    }

    @Test(arguments: [
        (#"{"devices":[{"usb":"1209-0002","model":"x"}]}"#, "devices[0].usb"),
        (#"{"devices":[{"usb":"0000:0002","model":"x"}]}"#, "vendor ID 0000"),
        (#"{"devices":[{"usb":"1209:0002","model":""}]}"#, "devices[0].model"),
        (#"{"devices":[{"usb":"1209:0002","model":"x","kind":"toaster"}]}"#, "devices[0].kind"),
        (#"{"devices":[{"model":"x"}]}"#, "missing \"usb\""),
        (#"not json"#, "not valid JSON"),
    ])
    func badFilesSayWhere(json: String, place: String) {
        var table = DeviceTable()
        #expect {
            try table.add(json: Data(json.utf8), source: "devices.json")
        } throws: { error in
            "\(error)".contains(place) && "\(error)".contains("devices.json")
        }
        #expect(table == DeviceTable(), "a bad file adds nothing")
    }

    @Test func oversizedFileIsRefused() {
        var table = DeviceTable()
        let big = Data(repeating: 0x20, count: DeviceTable.maximumFileBytes + 1)
        #expect(throws: DeviceTableError.self) { try table.add(json: big, source: "big.json") }
    }

    @Test func userFileFollowsXDG() {
        #expect(DeviceTable.userFilePath(environment: ["XDG_CONFIG_HOME": "/c", "HOME": "/h"]) == "/c/massage-control/devices.json")
        #expect(DeviceTable.userFilePath(environment: ["XDG_CONFIG_HOME": "relative", "HOME": "/h"]) == "/h/.config/massage-control/devices.json")
        #expect(DeviceTable.userFilePath(environment: [:]) == nil)
    }

    @Test func loadsTheUserFileFromTheEnvironment() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mc-table-\(getpid())")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("massage-control"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"devices":[{"usb":"1209:00a1","model":"Extra"}]}"#.utf8)
            .write(to: dir.appendingPathComponent("massage-control/devices.json"))
        let table = try DeviceTable.load(environment: ["XDG_CONFIG_HOME": dir.path])
        #expect(table.entry(vendorID: 0x1209, productID: 0x00a1)?.model == "Extra")
        #expect(table.entries.count == DeviceTable.builtIn.count + 1)
    }
}
