import Foundation
import MassageConformance
import MassageKit
import MassageUSB
import Testing

extension UmockdevUSBTests {
    /// The conformance suite over real libusb against the emulated USB device (the
    /// simulator's firmware core behind umockdev's usbfs ioctls): the USB row of the
    /// suite's table. Fault checks need a simulator with the fault and are skipped here
    /// (they run against the in-process and socket simulators); dose takes 22 s and runs
    /// there too.
    @Suite struct USBConformanceTests {
        @Test func theSuitePassesOverEmulatedUSB() throws {
            let testbed = try USBTestbed()
            defer { withExtendedLifetime(testbed) {} }  // outlives every transport on it
            _ = try testbed.addDevice()
            var options = ConformanceOptions()
            options.isSimulated = true
            options.only = ConformanceSuite.checks.map(\.id).filter { $0 != "fault.dose" }
            let suite = ConformanceSuite(device: "usb:1209:0001 (emulated)", options: options) {
                try USBTransport.open(USBDeviceMatch(vendorID: 0x1209, productID: 0x0001))
            }
            let report = suite.run { result in
                print("\(result.verdict.rawValue)  \(result.id.padding(toLength: 26, withPad: " ", startingAt: 0)) \(result.figure)  (§\(result.section))")
            }
            print(String(format: "usb conformance: %d passed, %d failed, %d skipped in %.1f s", report.passed, report.failed, report.skipped, report.seconds))
            let failures = report.results.filter { $0.verdict == .fail }.map { "\($0.id): \($0.figure)" }
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        }
    }
}
