import Foundation
import MassageKit
import MassageSimulator
import MassageUSB
import MassageWire
import Testing

/// The libusb transport against emulated devices under umockdev: real libusb, real usbfs
/// ioctls (answered by USBDeviceEmulator), the simulated firmware behind them.
extension UmockdevUSBTests {
@Suite struct USBTransportTests {
    @Test func handshakeGetsDeviceInfo() throws {
        let testbed = try USBTestbed()
        defer { withExtendedLifetime(testbed) {} }  // outlives every transport on it
        let device = try testbed.addDevice()
        let transport = try USBTransport.open(USBDeviceMatch())
        defer { transport.close() }
        #expect(transport.vendorID == 0x1209 && transport.productID == 0x0001)
        #expect(transport.serial == "USB-EMU-0001")
        #expect(transport.model == DeviceTable.builtIn[0].model)
        #expect(transport.inEndpoint == 0x81 && transport.outEndpoint == 0x01 && transport.maxPacketSize == 64)
        #expect(transport.endpoint.hasPrefix("usb:1209:0001 (bus 1 device 2"))

        var exchange = FrameExchange(transport)
        try exchange.send(.hello(Hello()))
        let answer = try exchange.receive(within: .seconds(5)) { frame in
            if case .info(.device) = frame.message { return true }
            return false
        }
        let info = try #require(answer, "no Info(Device) within 5 s; frames seen: \(exchange.frames)")
        guard case .info(.device(let deviceInfo)) = info.message else { return }
        #expect(deviceInfo.actuatorCount == 4)
        #expect(info.sequence == 0)
        #expect((device.simulated?.bytesFromHost ?? 0) > 0)
        let counters = testbed.counters(device)
        #expect(counters.unhandled_ioctls == 0, "libusb asked for ioctl \(counters.last_unhandled_request), which the emulator does not answer")
        #expect(counters.bulk_in_bytes > 0 && counters.bulk_out_bytes > 0)
    }

    @Test func setOutputsReachTheMotors() throws {
        let testbed = try USBTestbed()
        defer { withExtendedLifetime(testbed) {} }  // outlives every transport on it
        let device = try testbed.addDevice()
        let transport = try USBTransport.open(USBDeviceMatch(vendorID: 0x1209, productID: 0x0001))
        defer { transport.close() }
        var exchange = FrameExchange(transport)
        try exchange.send(.hello(Hello()))
        _ = try exchange.receive(within: .seconds(5)) { if case .info = $0.message { true } else { false } }

        let wanted: [UInt16] = [700, 0, 350, 1000]
        let setOutputs = Message.setOutputs(SetOutputs(leaseMilliseconds: 1000, intensities: try #require(Intensities(wanted))))
        // Refresh at 20 Hz for 0.4 s: above the 10 Hz the watchdog needs, long enough to slew
        // (10 per mille per ms) to full and for the motors to spin up.
        for _ in 0..<8 {
            try exchange.send(setOutputs)
            _ = try transport.receive(timeout: .milliseconds(50))
        }
        let simulated = try #require(device.simulated)
        let (duties, speeds) = simulated.withDevice { simulated in
            ((0..<4).map { simulated.outputs.motorDuties[$0] }, simulated.motors.map(\.speed))
        }
        #expect(duties == wanted, "the firmware drives the motors with what SetOutputs asked for")
        #expect(speeds[0] > 0 && speeds[2] > 0 && speeds[3] > 0, "the motor models turn: \(speeds)")
        #expect(speeds[1] == 0, "the motor asked for 0 stays still: \(speeds)")
        #expect(speeds[3] > speeds[2], "more intensity, more speed: \(speeds)")
    }

    @Test func unplugWhileReceivingEndsTheTransport() throws {
        let testbed = try USBTestbed()
        defer { withExtendedLifetime(testbed) {} }  // outlives every transport on it
        let device = try testbed.addDevice()
        let transport = try USBTransport.open()
        #expect(transport.hotplugFollowed == USBTransport.hotplugSupported)

        // A receiver waits with a long timeout; the device goes mid-wait.
        let outcome = ReceiveOutcome()
        let receiver = Thread {
            do throws(TransportError) {
                let bytes = try transport.receive(timeout: .seconds(30))
                outcome.set(.returned(bytes.count))
            } catch {
                outcome.set(.threw(error))
            }
        }
        receiver.start()
        Thread.sleep(forTimeInterval: 0.2)
        let unplugged = ContinuousClock.now
        testbed.unplug(device)

        let result = try #require(outcome.wait(upTo: .seconds(5)), "receive still blocked 5 s after the unplug")
        let woke = ContinuousClock.now - unplugged
        guard case .threw(let error) = result, case .disconnected(let endpoint, let reason) = error else {
            Issue.record("receive ended with \(result), not disconnected")
            return
        }
        #expect(endpoint == transport.endpoint)
        #expect(reason.contains("unplugged"))
        #expect(error.description.contains("check the cable"))
        #expect(woke < .seconds(2), "the waiter woke \(woke) after the unplug")

        // Everything after says the same, at once; close is clean and quick.
        #expect(throws: TransportError.disconnected(endpoint: transport.endpoint, reason: reason)) {
            try transport.send([0x01, 0x00])
        }
        #expect(throws: TransportError.disconnected(endpoint: transport.endpoint, reason: reason)) {
            _ = try transport.receive(timeout: .milliseconds(10))
        }
        let closing = ContinuousClock.now
        transport.close()
        #expect(ContinuousClock.now - closing < .seconds(2))
        #expect(throws: TransportError.closed(endpoint: transport.endpoint)) {
            _ = try transport.receive(timeout: .zero)
        }
    }

    @Test func closeWakesAWaitingReceiver() throws {
        let testbed = try USBTestbed()
        defer { withExtendedLifetime(testbed) {} }  // outlives every transport on it
        try testbed.addDevice()
        let transport = try USBTransport.open()
        let outcome = ReceiveOutcome()
        let receiver = Thread {
            do throws(TransportError) {
                outcome.set(.returned(try transport.receive(timeout: .seconds(30)).count))
            } catch {
                outcome.set(.threw(error))
            }
        }
        receiver.start()
        Thread.sleep(forTimeInterval: 0.2)
        transport.close()
        let result = try #require(outcome.wait(upTo: .seconds(5)), "receive still blocked 5 s after close")
        guard case .threw(let error) = result else {
            Issue.record("receive returned \(result) after close")
            return
        }
        #expect(error == .closed(endpoint: transport.endpoint))
        transport.close()  // idempotent
    }

    @Test func receiveTimesOutEmptyWhenTheDeviceIsQuiet() throws {
        let testbed = try USBTestbed()
        defer { withExtendedLifetime(testbed) {} }  // outlives every transport on it
        try testbed.addDevice()
        let transport = try USBTransport.open()
        defer { transport.close() }
        let started = ContinuousClock.now
        let bytes = try transport.receive(timeout: .milliseconds(150))
        let waited = ContinuousClock.now - started
        #expect(bytes.isEmpty, "nothing was asked, so the device sent nothing")
        #expect(waited >= .milliseconds(150))
    }

    /// The Transport contract: a send never waits on the device for more than about 100 ms.
    @Test func sendToADeviceThatTakesNothingFailsAfterTheTimeout() throws {
        let testbed = try USBTestbed()
        defer { withExtendedLifetime(testbed) {} }  // outlives every transport on it
        let device = try testbed.addDevice()
        let transport = try USBTransport.open()
        defer { transport.close() }
        testbed.setOutNaks(device, true)
        let started = ContinuousClock.now
        do throws(TransportError) {
            try transport.send([0x01, 0x02, 0x00])
            Issue.record("a send the device never took returned as sent")
        } catch {
            guard case .io(_, let operation, let detail) = error else {
                Issue.record("expected an I/O error, got \(error)")
                return
            }
            #expect(operation == "bulk OUT transfer")
            #expect(detail.contains("took no data for 100 ms"))
        }
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(100) && waited < .seconds(1), "the send gave up after \(waited)")

        // The link is still good once the device takes data again.
        testbed.setOutNaks(device, false)
        var exchange = FrameExchange(transport)
        try exchange.send(.hello(Hello()))
        let info = try exchange.receive(within: .seconds(5)) { if case .info = $0.message { true } else { false } }
        #expect(info != nil)
    }

    @Test func busyInterfaceSaysAnotherProgramHoldsIt() throws {
        let testbed = try USBTestbed()
        defer { withExtendedLifetime(testbed) {} }  // outlives every transport on it
        let device = try testbed.addDevice()
        testbed.setClaimedElsewhere(device, true)
        do throws(TransportError) {
            let transport = try USBTransport.open()
            transport.close()
            Issue.record("opened a device whose interface another program holds")
        } catch {
            guard case .busy(let what, let hint) = error else {
                Issue.record("expected busy, got \(error)")
                return
            }
            #expect(what.contains("1209:0001") && what.contains("interface 0"))
            #expect(hint.contains("another program"))
        }
        testbed.setClaimedElsewhere(device, false)
        let transport = try USBTransport.open()
        transport.close()
    }
}
}

/// What a receiver thread ended with, handed to the test thread.
final class ReceiveOutcome: @unchecked Sendable {
    // @unchecked: `value` is only touched with `lock` held.
    enum Result { case returned(Int), threw(TransportError) }
    private let lock = NSCondition()
    private var value: Result?

    func set(_ result: Result) {
        lock.lock()
        value = result
        lock.broadcast()
        lock.unlock()
    }

    func wait(upTo timeout: Duration) -> Result? {
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        lock.lock()
        defer { lock.unlock() }
        while value == nil, lock.wait(until: deadline) {}
        return value
    }
}
