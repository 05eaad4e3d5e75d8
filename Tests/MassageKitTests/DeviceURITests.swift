import MassageKit
import Testing

@Suite struct DeviceURITests {
    @Test(arguments: [
        ("usb", DeviceURI.usb(USBDeviceMatch())),
        ("usb:1209:0001", .usb(USBDeviceMatch(vendorID: 0x1209, productID: 0x0001))),
        ("USB:1209:00AB", .usb(USBDeviceMatch(vendorID: 0x1209, productID: 0x00ab))),
        ("usb:serial=ABC123", .usb(USBDeviceMatch(serial: "ABC123"))),
        ("serial:/dev/ttyACM0", .serial(path: "/dev/ttyACM0")),
        ("unix:/tmp/sim.sock", .unix(path: "/tmp/sim.sock")),
        ("sim", .sim(profile: nil)),
        ("sim:mat-16", .sim(profile: "mat-16")),
    ])
    func parses(text: String, expected: DeviceURI) throws {
        #expect(try DeviceURI(parsing: text) == expected)
    }

    @Test func printsWhatItParses() throws {
        for text in ["usb", "usb:1209:0001", "usb:serial=ABC123", "serial:/dev/ttyACM0", "unix:/tmp/s.sock", "sim", "sim:mat-16"] {
            #expect(try DeviceURI(parsing: text).description == text)
        }
    }

    @Test(arguments: [
        ("", "it is empty"),
        ("bluetooth:aa", "\"bluetooth\" is not a device kind"),
        ("usb:1209", "is neither VID:PID"),
        ("usb:12345:0001", "is neither VID:PID"),
        ("usb:zz:0001", "is neither VID:PID"),
        ("usb:serial=", "serial number must be"),
        ("serial:", "names no path"),
        ("unix:", "names no path"),
        ("sim:", "is not a simulator profile name"),
        ("sim:../x", "is not a simulator profile name"),
    ])
    func refusesWithAReason(text: String, reason: String) {
        #expect {
            _ = try DeviceURI(parsing: text)
        } throws: { error in
            let message = "\(error)"
            return message.contains(reason) && message.contains("Use one of: usb,")
        }
    }
}
