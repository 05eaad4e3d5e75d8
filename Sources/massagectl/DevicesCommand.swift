import MassageControl
import ArgumentParser
import Foundation
import MassageKit
import MassageSimulator
import MassageUSB

/// `massagectl devices`: what is attached, whether it can be used, and why not.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List attached massage devices and say why one cannot be used.",
        discussion: """
            USB devices whose IDs are in the device table (built in, plus \
            ~/.config/massage-control/devices.json) are opened, claimed and asked Hello: \
            each is usable, or the reason is given (permission denied names the udev rule; \
            busy means another program or a kernel driver holds it; unknown firmware means \
            it did not answer Hello). Serial devices of those IDs are listed with their \
            tty, and the built-in simulators with their URIs.

            EXIT STATUS
              0   listed (even when nothing is attached)
              1   USB or the device table could not be read
            """
    )

    @Flag(help: "Also list USB devices not in the device table that look like ours (a vendor-specific bulk interface).")
    var all = false

    @Flag(help: "Do not send Hello to usable devices (only open and claim them).")
    var noProbe = false

    func run() throws {
        let table: DeviceTable
        do {
            table = try DeviceTable.load()
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitCode.failure
        }
        let usb: [AttachedUSBDevice]
        do {
            usb = try USBDeviceScan.attachedDevices(table: table, includeLookalikes: all)
        } catch {
            StandardError.print("Error: cannot list USB devices: \(error)")
            throw ExitCode.failure
        }
        print("USB")
        if usb.isEmpty {
            print("  none attached with an ID from the device table (\(table.entries.map(\.id).joined(separator: ", ")))")
        }
        for device in usb {
            var line = "  \(device.deviceURI.padding(toLength: 24, withPad: " ", startingAt: 0)) \(device.description)"
            if device.isUsable && !noProbe {
                line += Self.probe(uri: device.deviceURI, table: table)
            }
            print(line)
        }
        print("Serial")
        let ttys = Self.serialDevices(table: table)
        if ttys.isEmpty { print("  no CDC-ACM or USB-serial tty of a device-table ID") }
        for tty in ttys { print("  serial:\(tty.path)  \(tty.note)") }
        print("Simulators (in this process)")
        for profile in SimulatorProfile.builtIn {
            print("  \("sim:\(profile.name)".padding(toLength: 24, withPad: " ", startingAt: 0)) \(profile.summary)")
        }
        print("\nUse one with --device URI, e.g. massagectl info --device \(usb.first(where: \.isUsable)?.deviceURI ?? "sim").")
    }

    /// ", firmware 1.0.0 (Ring4 Heat)" or ", unknown firmware: …".
    static func probe(uri text: String, table: DeviceTable) -> String {
        guard let uri = try? DeviceURI(parsing: text) else { return "" }
        let connector = DeviceConnector(uri: uri, table: table)
        var options = DeviceSession.Options()
        options.reconnect = false
        do {
            let session = try DeviceSession.connectWaiting(options: options, open: connector.opener)
            defer { session.close() }
            guard let capabilities = session.capabilities else { return "" }
            return ", answers Hello: \(capabilities.vendor) \(capabilities.model), firmware \(capabilities.firmwareVersion)"
        } catch {
            return ", unknown firmware: \(error)"
        }
    }

    struct SerialDevice {
        var path: String
        var note: String
    }

    /// /dev/ttyACM* and /dev/ttyUSB* whose USB parent has a device-table ID.
    static func serialDevices(table: DeviceTable) -> [SerialDevice] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/tty")) ?? []
        return names.filter { $0.hasPrefix("ttyACM") || $0.hasPrefix("ttyUSB") }.sorted().compactMap { name in
            // /sys/class/tty/NAME/device is the USB interface; its parent holds the IDs.
            let interface = URL(fileURLWithPath: "/sys/class/tty/\(name)/device").resolvingSymlinksInPath()
            let usbDevice = interface.deletingLastPathComponent()
            func read(_ file: String) -> UInt16? {
                guard let text = try? String(contentsOf: usbDevice.appendingPathComponent(file), encoding: .utf8) else { return nil }
                return UInt16(text.trimmingCharacters(in: .whitespacesAndNewlines), radix: 16)
            }
            guard let vendor = read("idVendor"), let product = read("idProduct"),
                  let entry = table.entry(vendorID: vendor, productID: product) else { return nil }
            let path = "/dev/\(name)"
            let usable = access(path, R_OK | W_OK) == 0
            return SerialDevice(path: path, note: "\(entry.model) (\(entry.id)): "
                + (usable ? "usable" : "permission denied: \(TransportError.udevRuleHint)"))
        }
    }
}
