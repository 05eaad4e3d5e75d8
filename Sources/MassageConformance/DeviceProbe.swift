import Foundation
import MassageKit

/// What the checks use to talk to the device: the link, the facts the device declared,
/// and the requests every check needs (handshake, status, config, outputs), each
/// checking the answer's shape so that a check reads as the promise it tests.
public final class DeviceProbe {
    public let link: ConformanceLink
    /// Info (Device) from the last handshake.
    public private(set) var facts: DeviceFacts
    /// Config values a check changed, with the value to put back before the next check.
    private var changedConfig: [UInt8: UInt32] = [:]

    init(link: ConformanceLink) throws {
        self.link = link
        facts = DeviceFacts(protocolVersion: 0, firmware: (0, 0, 0), actuatorCount: 0, layout: 3, matZoneCount: 0,
                            heaterCap: 0, heaterCapLimit: 0, maxOutputRateHz: 1, watchdogMilliseconds: 500,
                            maxLeaseMilliseconds: 3000, statusPeriodMilliseconds: 0, matPeriodMilliseconds: 0,
                            doseLimit: 0)
    }

    // MARK: - Handshake

    /// Hello(min, max) with header version 1 (PROTOCOL 4.1); the answer as it came.
    public func hello(min: UInt8 = 1, max: UInt8 = 2, sequence: UInt8? = nil) throws -> Answer {
        let frame = RawFrame(version: 1, type: WireType.hello, sequence: sequence ?? link.nextSequence(), payload: [min, max])
        return try link.request(frame)
    }

    /// A new session: Hello(1, 2) answered by Info (Device) speaking version 2.
    @discardableResult
    public func handshake() throws -> DeviceFacts {
        let answer = try hello()
        guard let frame = answer.frame else { throw ConformanceError("Hello(1, 2) got no answer") }
        guard frame.type == WireType.info, let facts = DeviceFacts.read(frame.payload) else {
            throw ConformanceError("Hello(1, 2) was answered by \(answer), not Info (Device)")
        }
        guard facts.protocolVersion == 2 else {
            throw ConformanceError("Hello(1, 2) chose protocol version \(facts.protocolVersion), not 2")
        }
        self.facts = facts
        return facts
    }

    /// Puts the device in a known state before a check: outputs stopped, config put back,
    /// a new session, no fault latched, nothing pending on the link.
    func prepare(clearingFaults: Bool = true) throws {
        do {
            try link.drain()
        } catch {
            try link.reopen()
        }
        _ = try link.request(type: WireType.stop)
        for (key, value) in changedConfig {
            _ = try link.request(type: WireType.setConfig, payload: Self.configPayload(key, value))
        }
        changedConfig.removeAll()
        try handshake()
        var status = try self.status()
        if status.faults != 0 && clearingFaults {
            _ = try link.request(type: WireType.clearFault)
            status = try self.status()
            guard status.faults == 0 else {
                throw ConformanceError("the device has faults 0x\(String(status.faults, radix: 16)) latched that ClearFault does not clear; fix the device and run again")
            }
        }
        try link.drain()
        link.clearUnsolicited()
    }

    /// Stops, puts config back and starts a new session, after the last check.
    func finish() {
        _ = try? link.request(type: WireType.stop)
        for (key, value) in changedConfig {
            _ = try? link.request(type: WireType.setConfig, payload: Self.configPayload(key, value))
        }
        changedConfig.removeAll()
        _ = try? link.request(type: WireType.clearFault)
    }

    // MARK: - Status

    /// GetStatus, answered by Status (0x82) carrying the request's seq.
    public func status() throws -> StatusFields {
        let frame = RawFrame(version: link.version, type: WireType.getStatus, sequence: link.nextSequence())
        let answer = try link.request(frame)
        guard let got = answer.frame else { throw ConformanceError("GetStatus got no answer") }
        guard got.type == WireType.status, let status = StatusFields.read(got.payload) else {
            throw ConformanceError("GetStatus was answered by \(answer) (\(got.payload.count) B), not Status")
        }
        return status
    }

    /// Polls Status every `interval` until `done` holds or `timeout` passes.
    public func pollStatus(every interval: Duration = .milliseconds(5), timeout: Duration,
                           until done: (StatusFields) -> Bool) throws -> (last: StatusFields, met: Bool) {
        let deadline = ContinuousClock.now + timeout
        var last = try status()
        while !done(last) {
            if ContinuousClock.now >= deadline { return (last, false) }
            try link.listen(for: interval)
            last = try status()
        }
        return (last, true)
    }

    // MARK: - Config

    static func configPayload(_ key: UInt8, _ value: UInt32) -> [UInt8] {
        var w = PayloadWriter()
        w.u8(key)
        w.u32(value)
        return w.bytes
    }

    /// GetConfig(key): the value, or nil when the answer is not Config with that key.
    public func config(_ key: UInt8) throws -> UInt32? {
        let answer = try link.request(type: WireType.getConfig, payload: [key])
        guard let f = answer.frame, f.type == WireType.config, f.payload.count == 5, f.payload[0] == key else { return nil }
        var r = PayloadReader(Array(f.payload[1...]))
        return r.u32()
    }

    /// SetConfig(key, value); remembers the old value to put back before the next check.
    public func setConfig(_ key: UInt8, _ value: UInt32, sequence: UInt8? = nil) throws -> Answer {
        if changedConfig[key] == nil, let old = try config(key) { changedConfig[key] = old }
        let frame = RawFrame(version: link.version, type: WireType.setConfig, sequence: sequence ?? link.nextSequence(),
                             payload: Self.configPayload(key, value))
        return try link.request(frame)
    }

    /// SetConfig that must be acknowledged.
    public func require(_ key: UInt8, _ value: UInt32) throws {
        let answer = try setConfig(key, value)
        guard answer.isAck else { throw ConformanceError("SetConfig(key \(key), \(value)) was answered \(answer), not Ack") }
    }

    // MARK: - Outputs

    static func outputsPayload(lease: UInt16, heater: UInt16, intensities: [UInt16]) -> [UInt8] {
        var w = PayloadWriter()
        w.u16(lease)
        w.u16(heater)
        w.u8(UInt8(truncatingIfNeeded: intensities.count))
        for v in intensities { w.u16(v) }
        return w.bytes
    }

    /// `value` for every actuator.
    public func all(_ value: UInt16) -> [UInt16] { Array(repeating: value, count: facts.actuatorCount) }

    /// Sends SetOutputs (never answered unless refused).
    @discardableResult
    public func setOutputs(_ intensities: [UInt16], heater: UInt16 = 0, lease: UInt16 = 1000) throws -> RawFrame {
        try link.send(type: WireType.setOutputs, payload: Self.outputsPayload(lease: lease, heater: heater, intensities: intensities))
    }

    /// Sends SetOutputs and waits `wait` for a Nak with its seq: the Nak reason, or nil.
    public func setOutputsRefusal(_ intensities: [UInt16], heater: UInt16 = 0, lease: UInt16 = 1000,
                                  wait: Duration = .milliseconds(150)) throws -> UInt8? {
        let frame = try setOutputs(intensities, heater: heater, lease: lease)
        let nak = try link.wait(for: wait) { $0.type == WireType.nak && $0.sequence == frame.sequence }
        guard let nak, nak.frame.payload.count == 2 else { return nil }
        return nak.frame.payload[1]
    }

    // MARK: - Faults

    /// The first Fault frame with `code` seen since the unsolicited log was cleared, or the
    /// next one within `timeout`.
    public func awaitFault(code: UInt8, timeout: Duration, keepAlive: (() throws -> Void)? = nil) throws -> (FaultFields, ContinuousClock.Instant)? {
        let deadline = ContinuousClock.now + timeout
        while true {
            for r in link.unsolicited where r.frame.type == WireType.fault {
                if let f = FaultFields.read(r.frame.payload), f.code == code { return (f, r.at) }
            }
            if ContinuousClock.now >= deadline { return nil }
            try keepAlive?()
            try link.listen(for: .milliseconds(50))
        }
    }

    /// Any Fault frame seen since the unsolicited log was cleared.
    public var faultsSeen: [FaultFields] {
        link.unsolicited.compactMap { $0.frame.type == WireType.fault ? FaultFields.read($0.frame.payload) : nil }
    }

    /// GetInfo(section 3): the fault record.
    public func faultRecord() throws -> FaultFields? {
        let answer = try link.request(type: WireType.getInfo, payload: [3, 0])
        guard let f = answer.frame, f.type == WireType.info, f.payload.count == 15, f.payload[0] == 3, f.payload[1] == 0
        else { return nil }
        return FaultFields.read(Array(f.payload[2...]))
    }
}
