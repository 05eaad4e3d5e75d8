#if !hasFeature(Embedded)
// Host only: a message as the named fields of PROTOCOL.md section 4, for the test
// vectors and for `massagectl wire`. Firmware never needs names.

/// The value of one payload field: a number, a repeated field, or a text field.
public enum FieldValue: Equatable, Sendable {
    case number(Int128)
    case numbers([Int128])
    case text(String)
}

/// Why a set of fields does not make a message; the text says which field and why.
public struct FieldError: Error, Equatable, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension MessageType {
    /// The type with this name of PROTOCOL.md (`SetOutputs`), if any.
    public init?(name: String) {
        guard let match = MessageType.allCases.first(where: { $0.description == name }) else { return nil }
        self = match
    }
}

extension Message {
    /// The payload's fields in PROTOCOL.md order, under PROTOCOL.md's names (`count`
    /// and `_length` fields left out: they are the lengths of what follows).
    public var fields: [(name: String, value: FieldValue)] {
        func n<T: BinaryInteger>(_ name: String, _ v: T) -> (name: String, value: FieldValue) { (name, .number(Int128(v))) }
        func list<let c: Int>(_ name: String, _ v: FixedList<c, UInt16>) -> (name: String, value: FieldValue) {
            (name, .numbers(v.map { Int128($0) }))
        }
        switch self {
        case .hello(let m): return [n("min_version", m.minVersion), n("max_version", m.maxVersion)]
        case .setOutputs(let m):
            return [n("lease_ms", m.leaseMilliseconds), n("heater_setpoint", m.heaterSetpoint), list("intensity", m.intensities)]
        case .stop, .heartbeat, .getStatus, .clearFault: return []
        case .setConfig(let m), .config(let m): return [n("key", m.key.rawValue), n("value", m.value)]
        case .getConfig(let key): return [n("key", key.rawValue)]
        case .getInfo(let m): return [n("section", m.section.rawValue), n("index", m.index)]
        case .info(.device(let d)):
            return [n("section", 0), n("index", 0), n("protocol_version", d.protocolVersion),
                    n("firmware_major", d.firmwareMajor), n("firmware_minor", d.firmwareMinor),
                    n("firmware_patch", d.firmwarePatch), n("actuator_count", d.actuatorCount),
                    n("layout", d.layout.rawValue), n("mat_zone_count", d.matZoneCount),
                    n("heater_cap", d.heaterCap), n("heater_cap_limit", d.heaterCapLimit),
                    n("max_output_rate_hz", d.maxOutputRateHz), n("watchdog_ms", d.watchdogMilliseconds),
                    n("max_lease_ms", d.maxLeaseMilliseconds), n("status_period_ms", d.statusPeriodMilliseconds),
                    n("mat_period_ms", d.matPeriodMilliseconds), n("dose_limit", d.doseLimit)]
        case .info(.identity(let d)):
            return [n("section", 1), n("index", 0), ("vendor", .text(d.vendor.text)),
                    ("model", .text(d.model.text)), ("serial", .text(d.serial.text))]
        case .info(.actuator(let index, let a)):
            return [n("section", 2), n("index", index), n("placement", a.placement.rawValue), n("angle", a.angle),
                    n("x", a.x), n("y", a.y), n("acceleration", a.acceleration), n("spin_up_ms", a.spinUpMilliseconds)]
        case .info(.faultRecord(let f)):
            return [n("section", 3), n("index", 0), n("code", f.code), n("faults", f.faults.rawValue),
                    n("detail", f.detail), n("uptime_us", f.uptimeMicroseconds)]
        case .status(let m), .statusReport(let m):
            return [n("state", m.state.rawValue), n("faults", m.faults.rawValue), n("temperature", m.temperature),
                    n("heater_setpoint", m.heaterSetpoint), n("heater_duty", m.heaterDuty),
                    n("uptime_us", m.uptimeMicroseconds), n("frames_bad", m.framesBad),
                    n("frames_superseded", m.framesSuperseded), n("dose", m.dose), list("output", m.outputs)]
        case .matReport(let m):
            return [n("timestamp_us", m.timestampMicroseconds), n("first_zone", m.firstZone), list("pressure", m.pressures)]
        case .fault(let m):
            return [n("code", m.code), n("faults", m.faults.rawValue), n("detail", m.detail), n("uptime_us", m.uptimeMicroseconds)]
        case .ack(let t): return [n("acked_type", t)]
        case .nak(let m): return [n("rejected_type", m.rejectedType), n("reason", m.reason.rawValue)]
        }
    }

    /// Builds a message from its type and named fields; throws naming the field that is
    /// missing, unknown, of the wrong kind or out of its integer range.
    public init(type: MessageType, fields: [String: FieldValue]) throws(FieldError) {
        var reader = FieldReader(type: type, fields: fields)
        self = try reader.message()
        try reader.finish()
    }
}

/// Takes fields out of a dictionary one by one with range checks, then complains about
/// any left over.
private struct FieldReader {
    let type: MessageType
    var fields: [String: FieldValue]

    mutating func take(_ name: String) throws(FieldError) -> FieldValue {
        guard let value = fields.removeValue(forKey: name) else { throw FieldError("\(type): missing field \(name)") }
        return value
    }

    mutating func int<T: FixedWidthInteger>(_ name: String, _: T.Type = T.self) throws(FieldError) -> T {
        guard case .number(let v) = try take(name) else { throw FieldError("\(type).\(name): expected a number") }
        guard let value = T(exactly: v) else {
            throw FieldError("\(type).\(name): \(v) is outside \(T.min)...\(T.max)")
        }
        return value
    }

    mutating func list<let c: Int>(_ name: String, _: FixedList<c, UInt16>.Type) throws(FieldError) -> FixedList<c, UInt16> {
        guard case .numbers(let values) = try take(name) else { throw FieldError("\(type).\(name): expected a list of numbers") }
        var list = FixedList<c, UInt16>()
        for v in values {
            guard let value = UInt16(exactly: v) else { throw FieldError("\(type).\(name): \(v) is outside 0...65535") }
            guard list.append(value) else { throw FieldError("\(type).\(name): more than \(c) values") }
        }
        return list
    }

    mutating func text(_ name: String) throws(FieldError) -> ShortText {
        guard case .text(let s) = try take(name) else { throw FieldError("\(type).\(name): expected a string") }
        guard let text = ShortText(text: s) else {
            throw FieldError("\(type).\(name): \"\(s)\" is longer than \(WireLimits.maxTextLength) bytes of UTF-8")
        }
        return text
    }

    mutating func enumeration<E: RawRepresentable<UInt8>>(_ name: String, _: E.Type) throws(FieldError) -> E {
        let raw: UInt8 = try int(name)
        guard let value = E(rawValue: raw) else { throw FieldError("\(type).\(name): \(raw) is not a defined value") }
        return value
    }

    func finish() throws(FieldError) {
        if let extra = fields.keys.sorted().first { throw FieldError("\(type): unknown field \(extra)") }
    }

    mutating func message() throws(FieldError) -> Message {
        switch type {
        case .hello: return .hello(Hello(minVersion: try int("min_version"), maxVersion: try int("max_version")))
        case .setOutputs:
            return .setOutputs(SetOutputs(leaseMilliseconds: try int("lease_ms"), heaterSetpoint: try int("heater_setpoint"),
                                          intensities: try list("intensity", Intensities.self)))
        case .stop: return .stop
        case .heartbeat: return .heartbeat
        case .getStatus: return .getStatus
        case .clearFault: return .clearFault
        case .setConfig: return .setConfig(ConfigEntry(key: ConfigKey(rawValue: try int("key")), value: try int("value")))
        case .config: return .config(ConfigEntry(key: ConfigKey(rawValue: try int("key")), value: try int("value")))
        case .getConfig: return .getConfig(ConfigKey(rawValue: try int("key")))
        case .getInfo:
            return .getInfo(InfoRequest(section: try enumeration("section", InfoSection.self), index: try int("index")))
        case .info: return .info(try info())
        case .status: return .status(try status())
        case .statusReport: return .statusReport(try status())
        case .matReport:
            return .matReport(MatReport(timestampMicroseconds: try int("timestamp_us"), firstZone: try int("first_zone"),
                                        pressures: try list("pressure", Pressures.self)))
        case .fault:
            return .fault(FaultReport(code: try int("code"), faults: FaultSet(rawValue: try int("faults")),
                                      detail: try int("detail"), uptimeMicroseconds: try int("uptime_us")))
        case .ack: return .ack(ackedType: try int("acked_type"))
        case .nak: return .nak(Nak(rejectedType: try int("rejected_type"), reason: NakReason(rawValue: try int("reason"))))
        }
    }

    mutating func status() throws(FieldError) -> Status {
        Status(
            state: try enumeration("state", DeviceState.self), faults: FaultSet(rawValue: try int("faults")),
            temperature: try int("temperature"), heaterSetpoint: try int("heater_setpoint"),
            heaterDuty: try int("heater_duty"), uptimeMicroseconds: try int("uptime_us"),
            framesBad: try int("frames_bad"), framesSuperseded: try int("frames_superseded"), dose: try int("dose"),
            outputs: try list("output", Intensities.self))
    }

    mutating func info() throws(FieldError) -> Info {
        let section = try enumeration("section", InfoSection.self)
        let index: UInt8 = try int("index")
        switch section {
        case .device:
            return .device(DeviceInfo(
                protocolVersion: try int("protocol_version"), firmwareMajor: try int("firmware_major"),
                firmwareMinor: try int("firmware_minor"), firmwarePatch: try int("firmware_patch"),
                actuatorCount: try int("actuator_count"), layout: try enumeration("layout", ActuatorLayout.self),
                matZoneCount: try int("mat_zone_count"), heaterCap: try int("heater_cap"),
                heaterCapLimit: try int("heater_cap_limit"), maxOutputRateHz: try int("max_output_rate_hz"),
                watchdogMilliseconds: try int("watchdog_ms"), maxLeaseMilliseconds: try int("max_lease_ms"),
                statusPeriodMilliseconds: try int("status_period_ms"), matPeriodMilliseconds: try int("mat_period_ms"),
                doseLimit: try int("dose_limit")))
        case .identity:
            return .identity(DeviceIdentity(vendor: try text("vendor"), model: try text("model"), serial: try text("serial")))
        case .actuator:
            return .actuator(index: index, ActuatorInfo(
                placement: try enumeration("placement", ActuatorPlacement.self), angle: try int("angle"),
                x: try int("x"), y: try int("y"), acceleration: try int("acceleration"),
                spinUpMilliseconds: try int("spin_up_ms")))
        case .faultRecord:
            guard index == 0 else { throw FieldError("\(type).index: \(index) for section 3 (must be 0)") }
            return .faultRecord(FaultRecord(code: try int("code"), faults: FaultSet(rawValue: try int("faults")),
                                            detail: try int("detail"), uptimeMicroseconds: try int("uptime_us")))
        }
    }
}
#endif
