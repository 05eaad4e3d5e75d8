import MassageKit
import MassageUSB
import PropertyBased
import Testing

extension UmockdevUSBTests {
    /// The byte path through libusb and usbfs, below the protocol: an echo device sends
    /// back what it gets, so whatever the host sends must come back whole and in order,
    /// however the sends are cut (one byte, one packet, many packets) and however the
    /// IN transfers (64 bytes each, four in flight) cut the way back.
    @Suite struct USBBytePathTests {
        @Test func everySendComesBackWholeAndInOrder() async throws {
            let testbed = try USBTestbed()
            defer { withExtendedLifetime(testbed) {} }  // outlives every transport on it
            try testbed.addDevice(firmware: EchoFirmware())
            let transport = try USBTransport.open()
            defer { transport.close() }

            let sends = Gen.uint8().array(of: 1...300).array(of: 1...6)
            await propertyCheck(count: 40, input: sends) { sends in
                var expected: [UInt8] = []
                for bytes in sends {
                    try transport.send(bytes)
                    expected += bytes
                }
                var echoed: [UInt8] = []
                let deadline = ContinuousClock.now + .seconds(5)
                while echoed.count < expected.count, ContinuousClock.now < deadline {
                    echoed += try transport.receive(timeout: .milliseconds(100))
                }
                #expect(echoed == expected, "sent \(sends.map(\.count)) bytes per send")
            }
        }
    }
}
