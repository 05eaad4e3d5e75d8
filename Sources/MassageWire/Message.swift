/// One message of the protocol, with its payload (PROTOCOL.md section 4).
public enum Message: Equatable, Sendable {
    case hello(Hello)
    case setOutputs(SetOutputs)
    case stop
    case heartbeat
    case getStatus
    case setConfig(ConfigEntry)
    case getConfig(ConfigKey)
    case clearFault
    case getInfo(InfoRequest)
    case info(Info)
    case status(Status)
    case matReport(MatReport)
    case fault(FaultReport)
    /// Acknowledges the command whose raw type byte this is (and whose sequence number
    /// the frame carries).
    case ack(ackedType: UInt8)
    case nak(Nak)
    case config(ConfigEntry)
    /// The periodic, unsolicited Status (0x88): the same payload as `.status`, which is
    /// only ever the answer to GetStatus.
    case statusReport(Status)

    /// The `type` byte this message travels under.
    @inlinable
    public var type: MessageType {
        switch self {
        case .hello: .hello
        case .setOutputs: .setOutputs
        case .stop: .stop
        case .heartbeat: .heartbeat
        case .getStatus: .getStatus
        case .setConfig: .setConfig
        case .getConfig: .getConfig
        case .clearFault: .clearFault
        case .getInfo: .getInfo
        case .info: .info
        case .status: .status
        case .matReport: .matReport
        case .fault: .fault
        case .ack: .ack
        case .nak: .nak
        case .config: .config
        case .statusReport: .statusReport
        }
    }
}

// MARK: - Payload encoding

extension Message {
    /// Writes the payload and returns the type it travels under: one switch for both, so
    /// encoding a frame looks at the message's case once.
    #if hasFeature(Embedded)
    @inlinable
    func writePayload(into w: inout ByteWriter) -> MessageType { writePayloadInline(into: &w) }
    #else
    // Inlined on hosts: the switch then reads the message where it lies instead of
    // copying it into the call (about 30 instructions a SetOutputs). Not on
    // microcontrollers, where `Frame.encoded()` stays one function (flash).
    @inlinable @inline(__always)
    func writePayload(into w: inout ByteWriter) -> MessageType { writePayloadInline(into: &w) }
    #endif

    @inlinable @inline(__always)
    func writePayloadInline(into w: inout ByteWriter) -> MessageType {
        switch self {
        case .hello(let m):
            w.u8(m.minVersion)
            w.u8(m.maxVersion)
            return .hello
        case .setOutputs(let m):
            w.u16(m.leaseMilliseconds)
            w.u16(m.heaterSetpoint)
            w.list(m.intensities)
            return .setOutputs
        case .stop: return .stop
        case .heartbeat: return .heartbeat
        case .getStatus: return .getStatus
        case .clearFault: return .clearFault
        case .setConfig(let m):
            w.u8(m.key.rawValue)
            w.u32(m.value)
            return .setConfig
        case .config(let m):
            w.u8(m.key.rawValue)
            w.u32(m.value)
            return .config
        case .getConfig(let key):
            w.u8(key.rawValue)
            return .getConfig
        case .getInfo(let m):
            w.u8(m.section.rawValue)
            w.u8(m.index)
            return .getInfo
        case .info(let info):
            writeInfo(info, into: &w)
            return .info
        case .status(let m):
            writeStatus(m, into: &w)
            return .status
        case .statusReport(let m):
            writeStatus(m, into: &w)
            return .statusReport
        case .matReport(let m):
            w.u64(m.timestampMicroseconds)
            w.u8(m.firstZone)
            w.list(m.pressures)
            return .matReport
        case .fault(let m):
            w.u8(m.code)
            w.u16(m.faults.rawValue)
            w.i16(m.detail)
            w.u64(m.uptimeMicroseconds)
            return .fault
        case .ack(let ackedType):
            w.u8(ackedType)
            return .ack
        case .nak(let m):
            w.u8(m.rejectedType)
            w.u8(m.reason.rawValue)
            return .nak
        }
    }

    @inlinable
    func writeStatus(_ m: Status, into w: inout ByteWriter) {
        w.u8(m.state.rawValue)
        w.u16(m.faults.rawValue)
        w.i16(m.temperature)
        w.u16(m.heaterSetpoint)
        w.u8(m.heaterDuty)
        w.u64(m.uptimeMicroseconds)
        w.u16(m.framesBad)
        w.u16(m.framesSuperseded)
        w.u16(m.dose)
        w.list(m.outputs)
    }

    @inlinable
    func writeInfo(_ info: Info, into w: inout ByteWriter) {
        w.u8(info.section.rawValue)
        switch info {
        case .device(let d):
            w.u8(0)
            w.u8(d.protocolVersion)
            w.u8(d.firmwareMajor)
            w.u8(d.firmwareMinor)
            w.u8(d.firmwarePatch)
            w.u8(d.actuatorCount)
            w.u8(d.layout.rawValue)
            w.u8(d.matZoneCount)
            w.u16(d.heaterCap)
            w.u16(d.heaterCapLimit)
            w.u16(d.maxOutputRateHz)
            w.u16(d.watchdogMilliseconds)
            w.u16(d.maxLeaseMilliseconds)
            w.u16(d.statusPeriodMilliseconds)
            w.u16(d.matPeriodMilliseconds)
            w.u16(d.doseLimit)
        case .identity(let d):
            w.u8(0)
            w.text(d.vendor)
            w.text(d.model)
            w.text(d.serial)
        case .actuator(let index, let a):
            w.u8(index)
            w.u8(a.placement.rawValue)
            w.u16(a.angle)
            w.i16(a.x)
            w.i16(a.y)
            w.u16(a.acceleration)
            w.u16(a.spinUpMilliseconds)
        case .faultRecord(let f):
            w.u8(0)
            w.u8(f.code)
            w.u16(f.faults.rawValue)
            w.i16(f.detail)
            w.u64(f.uptimeMicroseconds)
        }
    }
}

// MARK: - Payload decoding

extension Message {
    /// Reads the payload of a frame of type `type`; nil when its length or a structural
    /// field is wrong (a malformed payload). Ranges of values (an intensity above 1000,
    /// say) are the receiver's to judge, not the codec's.
    // Inlined into its one caller, `Frame.decode`, which saves copying the result; and
    // emitted only where inlined (a standalone copy would be dead code in firmware).
    @usableFromInline @_alwaysEmitIntoClient @inline(__always)
    static func read(_ type: MessageType, from r: inout ByteReader) -> Message? {
        switch type {
        case .hello:
            guard r.remaining == 2 else { return nil }
            let hello = Hello(minVersion: r.u8(), maxVersion: r.u8())
            guard hello.minVersion <= hello.maxVersion else { return nil }
            return .hello(hello)
        case .setOutputs:
            guard r.remaining >= 5 else { return nil }
            let lease = r.u16()
            let heater = r.u16()
            guard let intensities = r.listToEnd(Intensities.self) else { return nil }
            return .setOutputs(SetOutputs(leaseMilliseconds: lease, heaterSetpoint: heater, intensities: intensities))
        case .stop, .heartbeat, .getStatus, .clearFault:
            guard r.remaining == 0 else { return nil }
            switch type {
            case .stop: return .stop
            case .heartbeat: return .heartbeat
            case .getStatus: return .getStatus
            default: return .clearFault
            }
        case .setConfig, .config:
            guard r.remaining == 5 else { return nil }
            let entry = ConfigEntry(key: ConfigKey(rawValue: r.u8()), value: r.u32())
            return type == .config ? .config(entry) : .setConfig(entry)
        case .getConfig:
            guard r.remaining == 1 else { return nil }
            return .getConfig(ConfigKey(rawValue: r.u8()))
        case .getInfo:
            guard r.remaining == 2, let section = InfoSection(rawValue: r.u8()) else { return nil }
            return .getInfo(InfoRequest(section: section, index: r.u8()))
        case .info:
            return readInfo(from: &r).map { .info($0) }
        case .status, .statusReport:
            guard r.remaining >= 23, let state = DeviceState(rawValue: r.u8()) else { return nil }
            let faults = FaultSet(rawValue: r.u16())
            let temperature = r.i16()
            let setpoint = r.u16()
            let duty = r.u8()
            let uptime = r.u64()
            let bad = r.u16()
            let superseded = r.u16()
            let dose = r.u16()
            guard let outputs = r.listToEnd(Intensities.self) else { return nil }
            let status = Status(state: state, faults: faults, temperature: temperature,
                                heaterSetpoint: setpoint, heaterDuty: duty, uptimeMicroseconds: uptime,
                                framesBad: bad, framesSuperseded: superseded, dose: dose, outputs: outputs)
            return type == .status ? .status(status) : .statusReport(status)
        case .matReport:
            guard r.remaining >= 10 else { return nil }
            let timestamp = r.u64()
            let first = r.u8()
            guard let pressures = r.listToEnd(Pressures.self), !pressures.isEmpty,
                  Int(first) + pressures.count <= WireLimits.maxMatZones else { return nil }
            return .matReport(MatReport(timestampMicroseconds: timestamp, firstZone: first, pressures: pressures))
        case .fault:
            guard r.remaining == 13 else { return nil }
            return .fault(FaultReport(code: r.u8(), faults: FaultSet(rawValue: r.u16()),
                                      detail: r.i16(), uptimeMicroseconds: r.u64()))
        case .ack:
            guard r.remaining == 1 else { return nil }
            return .ack(ackedType: r.u8())
        case .nak:
            guard r.remaining == 2 else { return nil }
            return .nak(Nak(rejectedType: r.u8(), reason: NakReason(rawValue: r.u8())))
        }
    }

    @inlinable
    static func readInfo(from r: inout ByteReader) -> Info? {
        guard r.remaining >= 2, let section = InfoSection(rawValue: r.u8()) else { return nil }
        let index = r.u8()
        switch section {
        case .device:
            guard index == 0, r.remaining == 23 else { return nil }
            let version = r.u8(), major = r.u8(), minor = r.u8(), patch = r.u8()
            let actuators = r.u8()
            guard let layout = ActuatorLayout(rawValue: r.u8()) else { return nil }
            let zones = r.u8()
            guard actuators <= WireLimits.maxActuators, zones <= WireLimits.maxMatZones else { return nil }
            return .device(DeviceInfo(
                protocolVersion: version, firmwareMajor: major, firmwareMinor: minor, firmwarePatch: patch,
                actuatorCount: actuators, layout: layout, matZoneCount: zones,
                heaterCap: r.u16(), heaterCapLimit: r.u16(), maxOutputRateHz: r.u16(),
                watchdogMilliseconds: r.u16(), maxLeaseMilliseconds: r.u16(),
                statusPeriodMilliseconds: r.u16(), matPeriodMilliseconds: r.u16(), doseLimit: r.u16()))
        case .identity:
            guard index == 0, let vendor = r.text(), let model = r.text(), let serial = r.text(),
                  r.remaining == 0 else { return nil }
            return .identity(DeviceIdentity(vendor: vendor, model: model, serial: serial))
        case .actuator:
            guard r.remaining == 11, let placement = ActuatorPlacement(rawValue: r.u8()) else { return nil }
            return .actuator(index: index, ActuatorInfo(
                placement: placement, angle: r.u16(), x: r.i16(), y: r.i16(),
                acceleration: r.u16(), spinUpMilliseconds: r.u16()))
        case .faultRecord:
            guard index == 0, r.remaining == 13 else { return nil }
            return .faultRecord(FaultRecord(code: r.u8(), faults: FaultSet(rawValue: r.u16()),
                                            detail: r.i16(), uptimeMicroseconds: r.u64()))
        }
    }
}
