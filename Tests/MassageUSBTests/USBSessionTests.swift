import Foundation
import MassageKit
import MassageSimulator
import MassageUSB
import MassageWire
import Testing

extension UmockdevUSBTests {
    /// The whole host stack over real libusb: DeviceSession's handshake, outputs reaching
    /// the simulated motors, Stop acknowledged, and an unplug ending the session.
    @Suite struct USBSessionTests {
        @Test func aSessionOverUSBDrivesTheMotorsAndEndsOnUnplug() async throws {
            let testbed = try USBTestbed()
            defer { withExtendedLifetime(testbed) {} }  // outlives every transport on it
            let device = try testbed.addDevice()
            var options = DeviceSession.Options()
            options.reconnect = false
            let session = try await DeviceSession.connect(options: options) { _ throws(TransportError) in
                try USBTransport.open(USBDeviceMatch(vendorID: 0x1209, productID: 0x0001))
            }
            let capabilities = try #require(session.capabilities)
            #expect(capabilities.actuatorCount == 4)
            #expect(capabilities.serial == "SIM-R4-0001")

            var levels = OutputLevels.off(actuatorCount: 4)
            levels.intensities[0] = 500
            levels.intensities[3] = 900
            let deadline = ContinuousClock.now + .seconds(3)
            var duties: [UInt16] = []
            while ContinuousClock.now < deadline {
                try session.setOutputs(levels)
                try await Task.sleep(for: .milliseconds(20))
                duties = try #require(device.simulated).withDevice { simulated in
                    (0..<4).map { simulated.outputs.motorDuties[$0] }
                }
                if duties == [500, 0, 0, 900] { break }
            }
            #expect(duties == [500, 0, 0, 900], "the emulated device's motors are driven at \(duties)")

            guard case .acknowledged = session.stop(within: .milliseconds(500)) else {
                Issue.record("Stop not acknowledged over USB")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
            duties = try #require(device.simulated).withDevice { simulated in (0..<4).map { simulated.outputs.motorDuties[$0] } }
            #expect(duties == [0, 0, 0, 0])

            let unplugged = ContinuousClock.now
            testbed.unplug(device)
            var events = session.connectionEvents.makeAsyncIterator()
            let event = await events.next()
            #expect(ContinuousClock.now - unplugged < .milliseconds(1200), "the unplug was noticed after \(ContinuousClock.now - unplugged)")
            guard case .ended = event else {
                Issue.record("expected the session to end on unplug, got \(String(describing: event))")
                return
            }
            session.close()
        }
    }
}
