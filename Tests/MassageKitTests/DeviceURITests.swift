import MassageKit
import PropertyBased
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
        ("gpio:gpiochip0?lines=5,6,13,19", .gpio(chip: "gpiochip0", lines: [5, 6, 13, 19], options: GPIOContactWiring())),
        ("gpio:gpiochip0?lines=5,6,13,19&active-low&bias=pull-up",
         .gpio(chip: "gpiochip0", lines: [5, 6, 13, 19], options: GPIOContactWiring(pullUp: true, activeLow: true))),
        ("GPIO:/dev/gpiochip1?bias=as-is&LINES=7&active-high",
         .gpio(chip: "/dev/gpiochip1", lines: [7], options: GPIOContactWiring(pullUp: false, activeLow: false))),
        ("gpio:0?lines=19,13", .gpio(chip: "0", lines: [19, 13], options: GPIOContactWiring())),
    ])
    func parses(text: String, expected: DeviceURI) throws {
        #expect(try DeviceURI(parsing: text) == expected)
    }

    @Test func printsWhatItParses() throws {
        for text in ["usb", "usb:1209:0001", "usb:serial=ABC123", "serial:/dev/ttyACM0", "unix:/tmp/s.sock", "sim", "sim:mat-16",
                     "gpio:gpiochip0?lines=5,6,13,19", "gpio:pinctrl-bcm2711?lines=4&active-high&bias=as-is"] {
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
        ("gpio:", "names no GPIO chip"),
        ("gpio:?lines=5", "names no GPIO chip"),
        ("gpio:gpiochip0", "names no contact lines"),
        ("gpio:gpiochip0?", "names no contact lines"),
        ("gpio:gpiochip0?active-low", "names no contact lines"),
        ("gpio:gpiochip0?lines=", "is not a line offset"),
        ("gpio:gpiochip0?lines=5,,6", "\"\" is not a line offset"),
        ("gpio:gpiochip0?lines=5,x", "\"x\" is not a line offset"),
        ("gpio:gpiochip0?lines=-1", "is not a line offset"),
        ("gpio:gpiochip0?lines=99999999999", "is not a line offset"),
        ("gpio:gpiochip0?lines=5,6,5", "line 5 is listed twice"),
        ("gpio:gpiochip0?lines=5&lines=6", "given twice"),
        ("gpio:gpiochip0?lines=5&active-low&active-high", "given twice"),
        ("gpio:gpiochip0?lines=5&bias=pull-down", "bias=pull-up or bias=as-is"),
        ("gpio:gpiochip0?lines=5&bias", "needs a value"),
        ("gpio:gpiochip0?lines", "needs a value"),
        ("gpio:gpiochip0?lines=5&active-low=1", "takes no value"),
        ("gpio:gpiochip0?lines=5&debounce=3ms", "is not a GPIO option"),
        ("gpio:gpio chip?lines=5", "is not a GPIO chip name"),
    ])
    func refusesWithAReason(text: String, reason: String) {
        #expect {
            _ = try DeviceURI(parsing: text)
        } throws: { error in
            let message = "\(error)"
            return message.contains(reason) && message.contains("Use one of: usb,")
        }
    }

    @Test func refusesMoreLinesThanAMatHasZones() {
        let lines = (0...DeviceURI.maxGPIOLines).map(String.init).joined(separator: ",")
        #expect {
            _ = try DeviceURI(parsing: "gpio:gpiochip0?lines=\(lines)")
        } throws: { error in
            "\(error)".contains("\(DeviceURI.maxGPIOLines + 1) lines is too many")
        }
        #expect(throws: Never.self) { try DeviceURI(parsing: "gpio:gpiochip0?lines=" + lines.split(separator: ",").dropLast().joined(separator: ",")) }
    }

    /// Any chip name, any set of distinct offsets and any wiring: the URI printed parses
    /// back to the same value.
    @Test func gpioURIsRoundTrip() async {
        await propertyCheck(
            count: 200,
            input: Gen.element(of: ["gpiochip0", "gpiochip12", "3", "/dev/gpiochip2", "pinctrl-bcm2835", "mat_lines"]),
            Gen.uint32().array(of: 1...64), Gen.bool, Gen.bool
        ) { chipName, offsets, pullUp, activeLow in
            let chip = chipName ?? "gpiochip0"
            var distinct: [UInt32] = []
            for offset in offsets where !distinct.contains(offset) { distinct.append(offset) }
            let uri = DeviceURI.gpio(chip: chip, lines: distinct, options: GPIOContactWiring(pullUp: pullUp, activeLow: activeLow))
            do {
                #expect(try DeviceURI(parsing: uri.description) == uri, "\(uri.description)")
            } catch {
                Issue.record("\(uri.description) does not parse: \(error)")
            }
        }
    }
}
