import Foundation
import MassageKit
import Testing

/// udev/70-massage-control.rules must grant exactly the built-in device table's USB IDs,
/// the safe way (uaccess, plugdev, 0660), and never world-writable.
@Suite struct UdevRulesTests {
    static let rulesPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("udev/70-massage-control.rules").path

    static func rules() throws -> [String] {
        try String(contentsOfFile: rulesPath, encoding: .utf8)
            .split(separator: "\n").map(String.init)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// The value of `KEY=="value"` or `KEY="value"` in a rule line.
    static func value(of key: String, in line: String) -> String? {
        for separator in ["==\"", "=\"", "+=\""] {
            guard let range = line.range(of: key + separator) else { continue }
            let rest = line[range.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { return nil }
            return String(rest[..<end])
        }
        return nil
    }

    @Test func usbIDsMatchTheBuiltInDeviceTable() throws {
        let usbRules = try Self.rules().filter { $0.contains("SUBSYSTEM==\"usb\"") }
        let ruleIDs = Set(usbRules.compactMap { line -> String? in
            guard let vendor = Self.value(of: "ATTR{idVendor}", in: line),
                  let product = Self.value(of: "ATTR{idProduct}", in: line) else { return nil }
            return "\(vendor):\(product)"
        })
        let tableIDs = Set(DeviceTable.builtIn.map(\.id))
        #expect(!ruleIDs.isEmpty)
        #expect(ruleIDs == tableIDs, "rules grant \(ruleIDs.sorted()), the table has \(tableIDs.sorted())")

        let ttyIDs = Set(try Self.rules().filter { $0.contains("SUBSYSTEM==\"tty\"") }.compactMap { line -> String? in
            guard let vendor = Self.value(of: "ATTRS{idVendor}", in: line),
                  let product = Self.value(of: "ATTRS{idProduct}", in: line) else { return nil }
            return "\(vendor):\(product)"
        })
        #expect(ttyIDs == tableIDs, "tty rules grant \(ttyIDs.sorted()), the table has \(tableIDs.sorted())")
    }

    @Test func everyGrantIsUaccessOrPlugdevAndNeverWorldWritable() throws {
        for line in try Self.rules() where line.contains("MODE") || line.contains("GROUP") {
            #expect(Self.value(of: "MODE", in: line) == "0660", "\(line)")
            #expect(Self.value(of: "GROUP", in: line) == "plugdev", "\(line)")
            if line.contains("SUBSYSTEM==\"usb\"") || line.contains("SUBSYSTEM==\"tty\"") {
                #expect(line.contains("TAG+=\"uaccess\""), "\(line)")
            }
        }
        #expect(try Self.rules().contains { $0.contains("SUBSYSTEM==\"gpio\"") && $0.contains("gpiochip") },
                "a rule for the GPIO chips")
        #expect(try !Self.rules().contains { $0.contains("0666") || $0.contains("0777") })
    }

    @Test func thePermissionHintNamesTheRule() {
        #expect(TransportError.permissionDenied(path: "/dev/bus/usb/001/002", hint: TransportError.udevRuleHint)
            .description.contains("70-massage-control.rules"))
    }
}
