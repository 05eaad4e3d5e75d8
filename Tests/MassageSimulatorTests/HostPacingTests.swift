import Foundation
import MassageKit
@testable import MassageSimulator
import MassageWire
import Testing

/// The in-process simulator's clock waits for a paused host (issue 13, defect 8), but not
/// for a host that is gone; and a simulator stopped after its host left runs on for its
/// watchdog period (defect 5).
@Suite struct HostPacingTests {
    let ms: Int64 = 1_000_000   // ns

    @Test func aPausedHostHoldsTheDeviceClockWithinTheAllowance() {
        let pacing = HostPacing(allowanceMicroseconds: 200_000, patienceNanoseconds: 2_000 * ms)
        // Heard at wall 0, device 0. At --speed 10, 70 ms of wall is 700 ms of device time.
        let clock = pacing.advance(0, by: 700_000, hostHeardAt: (wall: 0, device: 0), wallNow: 70 * ms)
        #expect(clock == 200_000, "the device clock ran to \(clock) µs")
        #expect(pacing.figures.pauses == 1)
        #expect(pacing.figures.longestPauseNanoseconds == 70 * ms)
        // The host comes back: the clock runs again from where it waited.
        let next = pacing.advance(clock, by: 10_000, hostHeardAt: (wall: 71 * ms, device: clock), wallNow: 72 * ms)
        #expect(next == 210_000)
    }

    @Test func aHostSilentLongerThanThePatienceIsGoneAndTheClockRunsFree() {
        let pacing = HostPacing(allowanceMicroseconds: 200_000, patienceNanoseconds: 2_000 * ms)
        let clock = pacing.advance(200_000, by: 1_000, hostHeardAt: (wall: 0, device: 0), wallNow: 2_500 * ms)
        #expect(clock == 201_000)
    }

    @Test func aHostThatTalksIsNeverHeld() {
        let pacing = HostPacing()
        var clock = 0.0
        for i in 1...1000 {   // 1 ms steps, the host heard every 50 ms
            let heard = Int64(i / 50 * 50)
            clock = pacing.advance(clock, by: 1_000, hostHeardAt: (wall: heard * ms, device: Double(heard) * 1000), wallNow: Int64(i) * ms)
        }
        #expect(clock == 1_000_000)
        #expect(pacing.figures.pauses == 0)
    }

    /// A host that leaves the motors running and lets go: the simulator, stopped, has run
    /// on alone for its watchdog period, so it ends with its outputs at zero and the
    /// watchdog latched, as a real device would.
    @Test func aSimulatorLeftRunningEndsWithItsWatchdog() throws {
        let simulator = try LocalSimulator(profile: "handheld-ring4")
        var options = DeviceSession.Options()
        options.reconnect = false
        let session = try DeviceSession.connectWaiting(options: options) { _ throws(TransportError) in simulator.transport }
        var levels = OutputLevels.off(actuatorCount: 4)
        for i in 0..<4 { levels.intensities[i] = 700 }
        levels.heaterSetpoint = 400
        // Keep setting the outputs for a while, then drop the link without a Stop.
        for _ in 0..<30 {
            try session.setOutputs(levels)
            Thread.sleep(forTimeInterval: 0.01)
        }
        simulator.transport.close()   // the host is gone: no Stop
        let device = try #require(simulator.stop())
        #expect((0..<4).allSatisfy { device.outputs.motorDuties[$0] == 0 }, "motors \((0..<4).map { device.outputs.motorDuties[$0] })")
        #expect(device.outputs.heaterDuty == 0)
        #expect(device.core.faults.contains(.watchdog), "faults \(device.core.faults)")
        _ = session.close()
    }
}
