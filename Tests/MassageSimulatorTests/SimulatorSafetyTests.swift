import MassageFirmware
import MassageSimulator
import MassageWire
import Testing

/// The safety rules end to end: the firmware core driving the physical models, on the
/// virtual clock.
@Suite struct SimulatorSafetyTests {
    @Test func aSixtyDegreeSetpointNeverHeatsPastTheCap() {
        var host = SimulatedHost(SimulatedDevice(profile: .handheldRing4, seed: 7))
        host.send(.hello(Hello()))
        host.run(until: 10 * 60 * 1_000_000) { $0.setOutputs([0, 0, 0, 0], heater: 600) }
        let device = host.device
        #expect(device.core.faults.isEmpty, "faults: \(device.core.faults)")
        #expect(device.core.heaterTarget == 410)
        #expect(device.maxSurfaceTemperature <= 41.0, "peak \(device.maxSurfaceTemperature) °C")
        print("figure: 60 °C setpoint for 10 min: peak surface \(device.maxSurfaceTemperature) °C (cap 41.0)")
        // And the test means something: the surface did get close to the cap.
        #expect(device.heater.map { $0.surfaceTemperature > 40.0 } == true,
                "surface only reached \(device.heater?.surfaceTemperature ?? .nan) °C")
    }

    @Test func aDetachedSensorIsCaughtAsRunaway() throws {
        var faults = FaultPlan()
        faults.sensorDetachedAt = 300_000_000
        var host = SimulatedHost(SimulatedDevice(profile: .handheldRing4, seed: 3, faults: faults))
        host.send(.hello(Hello()))
        host.run(until: 400_000_000) { $0.setOutputs([0, 0, 0, 0], heater: 380) }
        let report = try #require(host.faultReports.first)
        #expect(report.code == 1, "runaway, not \(report)")
        let detectedAfter = Double(report.uptimeMicroseconds - 300_000_000) / 1e6
        #expect(detectedAfter > 0 && detectedAfter < 30, "caught \(detectedAfter) s after detaching")
        #expect(host.device.outputs.heaterDuty == 0)
        // The element heated blind until then: how far is the figure to watch.
        #expect(host.device.maxSurfaceTemperature < 43.0, "peak \(host.device.maxSurfaceTemperature) °C")
        print("figure: sensor detached at 38 °C: runaway latched after \(detectedAfter) s, peak surface \(host.device.maxSurfaceTemperature) °C")
    }

    @Test(arguments: [(FaultPlanKind.open, UInt8(2)), (FaultPlanKind.shorted, UInt8(2)), (FaultPlanKind.stuckMotor, UInt8(7))])
    func hardwareFaultsLatchTheirFault(kind: FaultPlanKind, expectedCode: UInt8) throws {
        var faults = FaultPlan()
        switch kind {
        case .open: faults.sensorOpenAt = 5_000_000
        case .shorted: faults.sensorShortedAt = 5_000_000
        case .stuckMotor: faults.stuckMotor = (motor: 2, time: 5_000_000)
        }
        var host = SimulatedHost(SimulatedDevice(profile: .handheldRing4, seed: 11, faults: faults))
        host.send(.hello(Hello()))
        host.run(until: 8_000_000) { $0.setOutputs([500, 500, 500, 500], heater: 380) }
        let report = try #require(host.faultReports.first)
        #expect(report.code == expectedCode)
        #expect(report.uptimeMicroseconds > 5_000_000 && report.uptimeMicroseconds < 6_000_000)
        #expect(host.device.outputs.isAllOff)
    }

    @Test func aSilentHostStopsEverythingWithin500ms() {
        var host = SimulatedHost(SimulatedDevice(profile: .handheldRing4, seed: 5))
        host.send(.hello(Hello()))
        host.run(until: 2_000_000) { $0.setOutputs([800, 800, 800, 800], heater: 400, lease: 3000) }
        let lastFrame = host.device.now - 100_000   // the last call was one period ago at most
        #expect(!host.device.outputs.isAllOff)
        host.run(until: 3_000_000)
        #expect(host.device.outputs.isAllOff)
        let report = host.faultReports.first
        #expect(report?.code == 0)
        #expect((report?.uptimeMicroseconds ?? 0) <= lastFrame + 100_000 + 500_000 + host.device.tick)
    }

    @Test func theSameSeedGivesTheSameRun() {
        func run() -> [UInt8] {
            var faults = FaultPlan()
            faults.corruptProbability = 0.01
            faults.jitter = 3000
            var device = SimulatedDevice(profile: .handheldRing4, seed: 99, faults: faults)
            device.hostSend(Frame(sequence: 0, message: .hello(Hello())).encoded())
            var bytes: [UInt8] = []
            for k in 1...20 {
                device.hostSend(Frame(sequence: UInt8(k), message: .setOutputs(SetOutputs(
                    leaseMilliseconds: 500, heaterSetpoint: 380, intensities: Intensities([500, 400, 300, 200]) ?? Intensities()))).encoded())
                device.run(until: UInt64(k) * 100_000)
                device.hostReceive(into: &bytes)
            }
            return bytes
        }
        let first = run()
        #expect(first.count > 500)
        #expect(first == run())
    }
}

enum FaultPlanKind: Sendable, CustomTestStringConvertible {
    case open, shorted, stuckMotor
    var testDescription: String {
        switch self {
        case .open: "sensor open"
        case .shorted: "sensor shorted"
        case .stuckMotor: "stuck motor"
        }
    }
}
