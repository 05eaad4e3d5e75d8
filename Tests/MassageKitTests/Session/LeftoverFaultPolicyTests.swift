import MassageKit
import MassageWire
import PropertyBased
import Testing

/// The rule for faults found latched at the handshake (PROTOCOL.md 6.1): only a lone
/// watchdog is cleared by the host, with a note; anything else waits for the person.
@Suite struct LeftoverFaultPolicyTests {
    static func capabilities(faults: FaultSet, record: FaultRecord? = nil, uptime: UInt64 = 60_000_000) -> DeviceCapabilities {
        let device = DeviceInfo(firmwareMajor: 1, firmwareMinor: 0, firmwarePatch: 0, actuatorCount: 0, layout: .none,
                                matZoneCount: 0, heaterCap: 410, heaterCapLimit: 430, maxOutputRateHz: 200,
                                watchdogMilliseconds: 500, maxLeaseMilliseconds: 3000, statusPeriodMilliseconds: 100,
                                matPeriodMilliseconds: 0, doseLimit: 400)
        let identity = DeviceIdentity(vendor: ShortText(text: "v") ?? ShortText(), model: ShortText(text: "m") ?? ShortText(), serial: ShortText(text: "s") ?? ShortText())
        return DeviceCapabilities(device: device, identity: identity, actuators: [],
                                  statusAtHandshake: Status(state: faults.isEmpty ? .idle : .faulted, faults: faults,
                                                            uptimeMicroseconds: uptime),
                                  faultRecord: record)
    }

    let run = LeftoverFaultPolicy(drives: true, deviceURI: "unix:/tmp/m.sock")
    let mat = LeftoverFaultPolicy(drives: false, deviceURI: "sim:mat-16")

    @Test("nothing latched: go on")
    func nothingLatched() {
        #expect(run.decide(Self.capabilities(faults: FaultSet())) == .proceed)
        #expect(mat.decide(Self.capabilities(faults: FaultSet())) == .proceed)
    }

    @Test("a lone watchdog is cleared, with one line saying what happened and how long ago")
    func loneWatchdog() {
        let record = FaultRecord(code: 0, faults: .watchdog, detail: 500, uptimeMicroseconds: 47_700_000)
        let decision = run.decide(Self.capabilities(faults: .watchdog, record: record, uptime: 60_000_000))
        #expect(decision == .clearWatchdog(note: "note: the device had stopped on its watchdog 12.3 s ago (the last host went silent while driving it); cleared"))
        // The same for a session that only reads.
        #expect(mat.decide(Self.capabilities(faults: .watchdog, record: record, uptime: 60_000_000)) == decision)
    }

    @Test("a watchdog without a fault record is still cleared; the note leaves out when")
    func watchdogWithoutRecord() {
        guard case .clearWatchdog(let note) = run.decide(Self.capabilities(faults: .watchdog)) else {
            Issue.record("not cleared")
            return
        }
        #expect(note == "note: the device had stopped on its watchdog (the last host went silent while driving it); cleared")
    }

    @Test("a watchdog together with another fault is not cleared: run refuses, naming both and the command")
    func watchdogAndSensor() throws {
        let record = FaultRecord(code: 2, faults: [.watchdog, .sensorRange], detail: 4095, uptimeMicroseconds: 58_000_000)
        guard case .refuse(let message) = run.decide(Self.capabilities(faults: [.watchdog, .sensorRange], record: record)) else {
            Issue.record("not refused")
            return
        }
        #expect(message.contains("watchdog (host silent), sensor out of range"), "\(message)")
        #expect(message.contains("first: sensor out of range 2.0 s ago, raw reading 4095"), "\(message)")
        #expect(message.contains("open, shorted or unplugged"), "\(message)")
        #expect(message.contains("`massagectl clear-fault --device unix:/tmp/m.sock`"), "\(message)")
    }

    @Test("a session that only reads warns instead of refusing")
    func matWarns() {
        guard case .warn(let message) = mat.decide(Self.capabilities(faults: .motorStall)) else {
            Issue.record("no warning")
            return
        }
        #expect(message.contains("motor stall") && message.contains("clear-fault --device sim:mat-16"), "\(message)")
    }

    @Test("how long ago reads as a person would say it")
    func durations() {
        let at = { (seconds: UInt64) -> String in
            let record = FaultRecord(code: 0, faults: .watchdog, detail: 500, uptimeMicroseconds: 1_000_000)
            guard case .clearWatchdog(let note) = run.decide(Self.capabilities(faults: .watchdog, record: record,
                                                                              uptime: 1_000_000 + seconds)) else { return "" }
            return note
        }
        #expect(at(0).contains("watchdog 0.0 s ago"))
        #expect(at(245_000_000).contains("watchdog 4 min 5 s ago"))
        #expect(at(7_380_000_000).contains("watchdog 2 h 3 min ago"))
    }

    @Test("any latched set: cleared exactly when it is the watchdog alone; otherwise every fault is named")
    func everyFaultSet() async {
        await propertyCheck(count: 500, input: Gen.uint16()) { raw in
            let faults = FaultSet(rawValue: raw)
            let decision = run.decide(Self.capabilities(faults: faults))
            switch decision {
            case .proceed: #expect(faults.isEmpty)
            case .clearWatchdog: #expect(faults == .watchdog)
            case .refuse(let message):
                #expect(!faults.isEmpty && faults != .watchdog)
                for name in faults.names { #expect(message.contains(name), "\(name) missing: \(message)") }
                #expect(message.contains("massagectl clear-fault --device unix:/tmp/m.sock"))
            case .warn: Issue.record("a session that drives never just warns")
            }
        }
    }

    @Test("every known fault has an explanation, and the ones the device checks say so")
    func explanations() {
        let all = FaultSet(rawValue: 0x1FF)
        let explained = FaultExplanation.explain(all)
        #expect(explained.map(\.name) == all.names)
        #expect(explained.first { $0.fault == .sensorRange }?.check == .deviceChecks)
        #expect(explained.first { $0.fault == .heaterRunaway }?.check == .deviceCannotCheck)
        #expect(explained.first { $0.fault == .watchdog }?.check == .nothingToCheck)
        #expect(FaultExplanation.explain(FaultSet(bit: 12)).map(\.name) == ["bit 12"])
    }
}
