import Glibc
import MassageKit
import MassageUSB
import MassageWire
import Testing

/// Which device `usb`, `usb:VID:PID` and `usb:serial=…` open, and the errors that say
/// what to do when it is not exactly one, under umockdev.
extension UmockdevUSBTests {
@Suite struct USBDeviceSelectionTests {
    @Test func noDeviceIsNotFoundAndSaysWhatWasSeen() throws {
        let testbed = try USBTestbed()
        defer { withExtendedLifetime(testbed) {} }  // outlives every transport on it
        try testbed.addDevice(vendorID: 0x1234, productID: 0x5678, serial: "OTHER-1")
        do throws(TransportError) {
            let transport = try USBTransport.open()
            transport.close()
            Issue.record("opened \(transport.endpoint) although no device of a known model is attached")
        } catch {
            guard case .notFound(let what, let hint) = error else {
                Issue.record("expected notFound, got \(error)")
                return
            }
            #expect(what == "no USB device matches usb")
            #expect(hint.contains("1209:0001"), "names the IDs it looked for: \(hint)")
            #expect(hint.contains("1 other USB device is attached"), "says what it saw: \(hint)")
        }
        // Explicit IDs need no table entry.
        let transport = try USBTransport.open(USBDeviceMatch(vendorID: 0x1234, productID: 0x5678))
        #expect(transport.serial == "OTHER-1" && transport.model == nil)
        transport.close()
    }

    @Test func severalMatchesAskForASerial() throws {
        let testbed = try USBTestbed()
        defer { withExtendedLifetime(testbed) {} }  // outlives every transport on it
        let first = try testbed.addDevice(serial: "USB-EMU-A")
        let second = try testbed.addDevice(serial: "USB-EMU-B")
        do throws(TransportError) {
            let transport = try USBTransport.open()
            transport.close()
            Issue.record("opened \(transport.endpoint) although two devices match")
        } catch {
            guard case .notFound(let what, let hint) = error else {
                Issue.record("expected an error naming both devices, got \(error)")
                return
            }
            #expect(what.contains("2 USB devices match usb"))
            #expect(what.contains("bus 1 device 2, serial USB-EMU-A") && what.contains("bus 1 device 3, serial USB-EMU-B"))
            #expect(hint == "pick one with --device usb:serial=USB-EMU-A or --device usb:serial=USB-EMU-B")
        }

        // usb:serial= picks exactly that one, and the bytes go to it.
        let transport = try USBTransport.open(USBDeviceMatch(serial: "USB-EMU-B"))
        defer { transport.close() }
        #expect(transport.serial == "USB-EMU-B" && transport.address == second.address)
        var exchange = FrameExchange(transport)
        try exchange.send(.hello(Hello()))
        let info = try exchange.receive(within: .seconds(5)) { if case .info = $0.message { true } else { false } }
        #expect(info != nil)
        #expect((second.simulated?.bytesFromHost ?? 0) > 0)
        #expect(first.simulated?.bytesFromHost == 0, "the other device heard nothing")
    }

    @Test func unknownSerialIsNotFoundListingTheSerialsSeen() throws {
        let testbed = try USBTestbed()
        defer { withExtendedLifetime(testbed) {} }  // outlives every transport on it
        try testbed.addDevice(serial: "USB-EMU-A")
        do throws(TransportError) {
            let transport = try USBTransport.open(USBDeviceMatch(serial: "NOPE"))
            transport.close()
            Issue.record("opened \(transport.endpoint) for a serial no device has")
        } catch {
            guard case .notFound(let what, let hint) = error else {
                Issue.record("expected notFound, got \(error)")
                return
            }
            #expect(what == "no USB device matches usb:serial=NOPE")
            #expect(hint.contains("seen: 1209:0001 on bus 1 device 2, serial USB-EMU-A"))
        }
    }

    /// The device node is closed to this user (mode 000, as without the udev rule) and the
    /// open runs on a thread whose file-system identity is unprivileged, so the kernel
    /// itself refuses the open() libusb makes: the error must name the udev rule.
    @Test func permissionDeniedNamesTheUdevRule() throws {
        let testbed = try USBTestbed()
        defer { withExtendedLifetime(testbed) {} }  // outlives every transport on it
        let device = try testbed.addDevice()
        let node = try #require(testbed.nodeFile(device))
        let root = try #require(testbed.root)
        // The testbed's root is mkdtemp's 0700; a real / is open to every user. Sticky and
        // writable like /tmp, because umockdev stands in for the udev netlink socket with a
        // socket file that the unprivileged libusb creates there. The node's own mode is
        // what this test is about.
        #expect(chmod(root, 0o1777) == 0)
        // umockdev serves the node's ioctls through a socket beside the testbed's /dev,
        // which its preload connects to on every open() of the node (even a refused one)
        // and exits the process if it cannot: open that socket to the user too.
        let socket = root + "/ioctl" + device.nodePath
        try #require(chmod(socket, 0o666) == 0, "cannot open umockdev's ioctl socket \(socket) to the user")
        #expect(chmod(node, 0o000) == 0)

        let outcome = FileIdentity.run { () -> (Result<String, TransportError>, [AttachedUSBDevice]?) in
            let opened: Result<String, TransportError>
            do throws(TransportError) {
                let transport = try USBTransport.open()
                opened = .success(transport.endpoint)
                transport.close()
            } catch {
                opened = .failure(error)
            }
            return (opened, try? USBDeviceScan.attachedDevices())
        }
        let (opened, scanned) = try #require(outcome, "could not take an unprivileged file identity")
        switch opened {
        case .success(let endpoint):
            Issue.record("opened \(endpoint) through a node this user may not open")
        case .failure(let error):
            #expect(error == .permissionDenied(path: device.nodePath, hint: TransportError.udevRuleHint))
            #expect(error.description.contains("permission denied on /dev/bus/usb/001/002"))
            #expect(error.description.contains("udev/70-massage-control.rules"))
        }
        let listed = try #require(scanned?.first, "the scan lists the device it cannot open")
        #expect(listed.usability == .permissionDenied(path: "/dev/bus/usb/001/002", hint: TransportError.udevRuleHint))
        #expect(listed.problem?.contains("70-massage-control.rules") == true)

        // The same open with the node open to the user works: the mode was the reason.
        #expect(chmod(node, 0o666) == 0)
        let reopened = FileIdentity.run { () -> Bool in
            guard let transport = try? USBTransport.open() else { return false }
            transport.close()
            return true
        }
        #expect(reopened == true)
    }
}
}
