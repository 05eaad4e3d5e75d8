import MassageKit
import MassageSimulator
import MassageWire
import Testing

/// A device's declared limits, checked before it is driven (issue 13, defect 6): an
/// impossible watchdog or lease is refused, a looser heater cap or dose limit is held to
/// the host's with a note, and the lease every SetOutputs carries never exceeds the
/// device's `max_lease_ms`.
@Suite struct DeviceLimitCheckTests {
    static func capabilities(watchdog: UInt16 = 500, lease: UInt16 = 3000, cap: UInt16 = 410, capLimit: UInt16 = 430,
                             dose: UInt16 = 400) -> DeviceCapabilities {
        let device = DeviceInfo(firmwareMajor: 1, firmwareMinor: 0, firmwarePatch: 0, actuatorCount: 0, layout: .none,
                                matZoneCount: 0, heaterCap: cap, heaterCapLimit: capLimit, maxOutputRateHz: 200,
                                watchdogMilliseconds: watchdog, maxLeaseMilliseconds: lease, statusPeriodMilliseconds: 100,
                                matPeriodMilliseconds: 0, doseLimit: dose)
        let identity = DeviceIdentity(vendor: ShortText(text: "v") ?? ShortText(), model: ShortText(text: "Spoof") ?? ShortText(),
                                      serial: ShortText(text: "s") ?? ShortText())
        return DeviceCapabilities(device: device, identity: identity, actuators: [])
    }

    @Test("a conforming device: no refusal, no note")
    func conforming() {
        let check = DeviceLimitCheck(Self.capabilities())
        #expect(check.refusal == nil && check.notes.isEmpty)
    }

    @Test("a watchdog outside 250–2000 ms is refused, naming the figure and the range", arguments: [UInt16(0), 100, 249, 2001, 60_000])
    func watchdogRefused(watchdog: UInt16) throws {
        let refusal = try #require(DeviceLimitCheck(Self.capabilities(watchdog: watchdog)).refusal)
        #expect(refusal.contains("\(watchdog) ms watchdog") && refusal.contains("250–2000 ms"), "\(refusal)")
    }

    @Test("the watchdog's edges are accepted", arguments: [UInt16(250), 2000])
    func watchdogEdges(watchdog: UInt16) {
        #expect(DeviceLimitCheck(Self.capabilities(watchdog: watchdog)).refusal == nil)
    }

    @Test("a lease too short to outlive a refresh, or above 3000 ms, is refused", arguments: [UInt16(0), 50, 99, 3001])
    func leaseRefused(lease: UInt16) throws {
        let refusal = try #require(DeviceLimitCheck(Self.capabilities(lease: lease)).refusal)
        #expect(refusal.contains("\(lease) ms max_lease_ms"), "\(refusal)")
    }

    @Test("an 80 °C heater cap is held to 43 °C, and said")
    func looseCap() throws {
        let check = DeviceLimitCheck(Self.capabilities(cap: 800, capLimit: 800))
        #expect(check.refusal == nil)
        let note = try #require(check.notes.first)
        #expect(note.contains("80.0 °C") && note.contains("43.0 °C") && note.contains("45.0 °C"), "\(note)")
        #expect(DeviceLimitCheck.overTemperatureThreshold(heaterCap: 800) == 450)
        #expect(DeviceLimitCheck.overTemperatureThreshold(heaterCap: 380) == 400)
        #expect(DeviceLimitCheck.overTemperatureThreshold(heaterCap: 0) == nil)
    }

    @Test("a dose limit above 400 points is noted")
    func looseDose() {
        #expect(DeviceLimitCheck(Self.capabilities(dose: 1000)).notes.contains { $0.contains("1000 points") })
    }

    /// A device declaring a 200 ms `max_lease_ms` gets 200 ms leases (it would refuse 500).
    @Test func theLeaseFollowsTheDevice() throws {
        var profile = SimulatorProfile.handheldRing4
        profile.device.maxLeaseMilliseconds = 200
        var session = LockstepSession(device: SimulatedDevice(profile: profile))
        let capabilities = try session.connect().get()
        #expect(capabilities.device.maxLeaseMilliseconds == 200)
        var levels = OutputLevels.off(actuatorCount: 4)
        levels.intensities[0] = 500
        try session.setOutputs(levels)
        var refused = 0
        var highest: UInt16 = 0   // motor 0's duty while the lease runs (it lapses 200 ms after the set)
        for _ in 0..<150 {
            session.step()
            for event in session.takeEvents() {
                if case .outputsRefused = event { refused += 1 }
            }
            highest = max(highest, session.device.outputs.motorDuties[0])
        }
        // A 500 ms lease would be refused (Nak out of range) and the motor would not run.
        #expect(refused == 0, "the device refused \(refused) SetOutputs")
        #expect(highest == 500, "motor 0 reached \(highest) ‰")
    }
}
