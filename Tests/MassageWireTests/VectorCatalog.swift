import MassageWire

/// The test vectors of `firmware-protocol/vectors/`: what each one feeds a receiver and
/// what it must yield. The JSON files are written from this catalog
/// (`MASSAGE_WRITE_VECTORS=1 swift test --filter VectorTests`) and checked against it
/// and against the decoder on every test run; `check_vectors.py` checks them again with
/// an implementation written from PROTOCOL.md alone.
struct Vector {
    var name: String
    var description: String
    var wire: [UInt8]
    var expect: [DecodeEvent]
    /// True when `wire` is exactly what an encoder produces for the one expected frame.
    var exactEncoding = false

    /// A vector of one frame, encoded by this codec.
    init(_ name: String, _ description: String, _ frame: Frame) {
        self.name = name
        self.description = description
        wire = Array(frame.encoded())
        expect = [.frame(frame)]
        exactEncoding = true
    }

    init(_ name: String, _ description: String, wire: [UInt8], expect: [DecodeEvent]) {
        self.name = name
        self.description = description
        self.wire = wire
        self.expect = expect
    }
}

enum VectorCatalog {
    static func list(_ values: [UInt16]) -> Intensities { FixedList(values) ?? Intensities() }

    static let eight: Intensities = list([0, 125, 250, 375, 500, 625, 750, 1000])
    static let setOutputs = Frame(sequence: 7, message: .setOutputs(SetOutputs(leaseMilliseconds: 200, heaterSetpoint: 380, intensities: eight)))
    static let heartbeat = Frame(sequence: 42, message: .heartbeat)

    static let deviceInfo = DeviceInfo(
        firmwareMajor: 1, firmwareMinor: 2, firmwarePatch: 3, actuatorCount: 4, layout: .ring, matZoneCount: 0,
        heaterCap: 410, heaterCapLimit: 430, maxOutputRateHz: 1000, watchdogMilliseconds: 500,
        maxLeaseMilliseconds: 3000, statusPeriodMilliseconds: 100, matPeriodMilliseconds: 0, doseLimit: 400)

    static var all: [Vector] {
        var vectors = [
            Vector("hello", "Hello: the host speaks versions 2 to 2; header version 1, as every Hello",
                   Frame(version: 1, sequence: 0, message: .hello(Hello()))),
            Vector("hello_v1", "Hello from a version-1 host: versions 1 to 1, header version 1",
                   Frame(version: 1, sequence: 0, message: .hello(Hello(minVersion: 1, maxVersion: 1)))),
            Vector("nak_unsupported_version_v1", "A version-2-only device refusing Hello(1, 1): Nak(unsupported version), header version 1",
                   Frame(version: 1, sequence: 0, message: .nak(Nak(rejectedType: MessageType.hello.rawValue,
                                                                    reason: .unsupportedVersion)))),
            Vector("set_outputs_8", "SetOutputs for 8 actuators, 38.0 °C, 200 ms lease", setOutputs),
            Vector("set_outputs_zeros", "SetOutputs with a payload full of zero bytes: lease 0 is out of range but well formed",
                   Frame(sequence: 0, message: .setOutputs(SetOutputs(leaseMilliseconds: 0, heaterSetpoint: 0,
                                                                       intensities: list([0, 0, 0, 0]))))),
            Vector("stop", "Stop", Frame(sequence: 1, message: .stop)),
            Vector("heartbeat", "Heartbeat", heartbeat),
            Vector("get_status", "GetStatus", Frame(sequence: 3, message: .getStatus)),
            Vector("set_config", "SetConfig: watchdog 250 ms",
                   Frame(sequence: 4, message: .setConfig(ConfigEntry(key: .watchdogMilliseconds, value: 250)))),
            Vector("get_config", "GetConfig: heater cap", Frame(sequence: 5, message: .getConfig(.heaterCap))),
            Vector("clear_fault", "ClearFault", Frame(sequence: 6, message: .clearFault)),
            Vector("get_info", "GetInfo: actuator 2", Frame(sequence: 8, message: .getInfo(InfoRequest(section: .actuator, index: 2)))),
            Vector("info_device", "Info, device section, answering Hello (header version 1): a 4-motor ring with a 41 °C heater, protocol version 2",
                   Frame(version: 1, sequence: 0, message: .info(.device(deviceInfo)))),
            Vector("info_device_v2", "Info, device section, answering GetInfo (header version 2)",
                   Frame(sequence: 30, message: .info(.device(deviceInfo)))),
            Vector("info_fault_record", "Info, fault record: the watchdog latched first, after 512 ms of silence, at 4.0 s; a sensor fault since",
                   Frame(sequence: 31, message: .info(.faultRecord(FaultRecord(
                       code: 0, faults: FaultSet.watchdog.union(.sensorStale), detail: 512, uptimeMicroseconds: 4_000_000))))),
            Vector("info_fault_record_none", "Info, fault record: nothing latched (code 255)",
                   Frame(sequence: 32, message: .info(.faultRecord(FaultRecord())))),
            Vector("get_info_fault_record", "GetInfo: the fault record (section 3)",
                   Frame(sequence: 33, message: .getInfo(InfoRequest(section: .faultRecord)))),
            Vector("status_report", "StatusReport (periodic, unsolicited counter 40): an idle 2-motor device at 25.0 °C",
                   Frame(sequence: 40, message: .statusReport(Status(
                       state: .idle, temperature: 250, uptimeMicroseconds: 1_500_000, framesSuperseded: 3,
                       outputs: list([0, 0]))))),
            Vector("info_identity", "Info, identity section",
                   Frame(sequence: 9, message: .info(.identity(DeviceIdentity(
                       vendor: ShortText(text: "pid.codes") ?? ShortText(),
                       model: ShortText(text: "Handheld 4R") ?? ShortText(),
                       serial: ShortText(text: "SIM-0001") ?? ShortText()))))),
            Vector("info_actuator", "Info, actuator 1 of a ring: 90°, 35 mm out, 12.5 m/s² at full intensity",
                   Frame(sequence: 10, message: .info(.actuator(index: 1, ActuatorInfo(
                       placement: .ring, angle: 9000, x: 0, y: 35, acceleration: 1250, spinUpMilliseconds: 80))))),
            Vector("status", "Status of a running 4-motor device at 38.5 °C",
                   Frame(sequence: 11, message: .status(Status(
                       state: .running, faults: FaultSet(), temperature: 385, heaterSetpoint: 400, heaterDuty: 35,
                       uptimeMicroseconds: 12_345_678, framesBad: 1, framesSuperseded: 0, dose: 250,
                       outputs: list([600, 0, 600, 0]))))),
            Vector("status_no_sensor", "Status with a latched sensor fault and no temperature reading",
                   Frame(sequence: 12, message: .status(Status(
                       state: .faulted, faults: FaultSet.sensorRange.union(.heaterRunaway), temperature: Status.noTemperature,
                       uptimeMicroseconds: 99, outputs: list([0]))))),
            Vector("mat_report", "MatReport: 16 zones at 2.5 s",
                   Frame(sequence: 13, message: .matReport(MatReport(
                       timestampMicroseconds: 2_500_000, firstZone: 0,
                       pressures: FixedList((0..<16).map { UInt16($0) * 60 }) ?? Pressures())))),
            Vector("fault", "Fault: the watchdog latched after 512 ms of silence",
                   Frame(sequence: 14, message: .fault(FaultReport(code: 0, faults: .watchdog, detail: 512, uptimeMicroseconds: 4_000_000)))),
            Vector("ack", "Ack of a Stop", Frame(sequence: 1, message: .ack(ackedType: MessageType.stop.rawValue))),
            Vector("nak", "Nak of a SetOutputs: fault latched",
                   Frame(sequence: 7, message: .nak(Nak(rejectedType: MessageType.setOutputs.rawValue, reason: .faultLatched)))),
            Vector("info_identity_utf8", "Info identity with multi-byte UTF-8 and an empty serial",
                   Frame(sequence: 24, message: .info(.identity(DeviceIdentity(
                       vendor: ShortText(text: "Müller & Söhne") ?? ShortText(),
                       model: ShortText(text: "温 → 𝄞") ?? ShortText(),
                       serial: ShortText()))))),
            Vector("config", "Config: heater cap 41.0 °C", Frame(sequence: 5, message: .config(ConfigEntry(key: .heaterCap, value: 410)))),
            Vector("largest_frame", "The largest frame: Status for 16 actuators, 64 bytes on the wire",
                   Frame(sequence: 255, message: .status(Status(
                       state: .running, faults: FaultSet(), temperature: 401, heaterSetpoint: 410, heaterDuty: 100,
                       uptimeMicroseconds: 0x00FF_FFFF_FFFF, framesBad: 0xFFFF, framesSuperseded: 0xFFFF, dose: 40000,
                       outputs: list((0..<16).map { UInt16($0) * 66 + 10 }))))),
        ]

        let good = Array(setOutputs.encoded())
        let largest = vectors.first { $0.name == "largest_frame" } ?? vectors[0]
        var flipped = good
        flipped[2] ^= 0x10  // the type byte: a data byte in COBS terms, so only the CRC can catch it
        vectors += [
            Vector("bad_crc", "SetOutputs with one bit flipped: dropped, counted, no answer",
                   wire: flipped, expect: [.error(.badCRC)]),
            Vector("truncated", "Five bytes of frame: shorter than header + CRC",
                   wire: cobs([1, 4, 0, 0, 0]) + [0], expect: [.error(.truncated(length: 5))]),
            Vector("malformed_cobs", "A COBS code byte that points past the end of the frame",
                   wire: [0x05, 0x01, 0x02, 0x00], expect: [.error(.malformedCOBS)]),
            Vector("cut_then_good", "A frame cut off mid-way, then a whole one: the cut one is counted, the whole one recovered",
                   wire: Array(good.prefix(12)) + Array(heartbeat.encoded()),
                   expect: [.error(.badCRC), .frame(heartbeat)]),
            Vector("unknown_type", "A good CRC around type 0x42: the device answers Nak(unknown type)",
                   wire: wire(type: 0x42, sequence: 17, payload: [1, 2]),
                   expect: [.error(.unknownType(FrameHeader(version: 2, type: 0x42, sequence: 17)))]),
            Vector("unsupported_version", "A Heartbeat in header version 1, which only Hello, Info and Nak may use: Nak(unsupported version)",
                   wire: wire(version: 1, type: 0x04, sequence: 18, payload: []),
                   expect: [.error(.unsupportedVersion(FrameHeader(version: 1, type: 0x04, sequence: 18)))]),
            Vector("unsupported_version_3", "A Hello in header version 3: Nak(unsupported version)",
                   wire: wire(version: 3, type: 0x01, sequence: 25, payload: [3, 3]),
                   expect: [.error(.unsupportedVersion(FrameHeader(version: 3, type: 0x01, sequence: 25)))]),
            Vector("status_v1", "A Status in header version 1 (a version-1 device's periodic Status): unsupported version",
                   wire: wire(version: 1, type: 0x82, sequence: 26, payload: [1, 0, 0, 0, 0x80, 0, 0, 0] + [UInt8](repeating: 0, count: 15)),
                   expect: [.error(.unsupportedVersion(FrameHeader(version: 1, type: 0x82, sequence: 26)))]),
            Vector("malformed_payload", "A Hello with 3 payload bytes instead of 2: Nak(malformed)",
                   wire: wire(type: 0x01, sequence: 19, payload: [1, 1, 1]),
                   expect: [.error(.malformedPayload(FrameHeader(version: 2, type: 0x01, sequence: 19)))]),
            Vector("set_outputs_count_mismatch", "SetOutputs saying 3 intensities but carrying 2: malformed",
                   wire: wire(type: 0x02, sequence: 20, payload: [0xC8, 0x00, 0x00, 0x00, 3, 0xE8, 0x03, 0xE8, 0x03]),
                   expect: [.error(.malformedPayload(FrameHeader(version: 2, type: 0x02, sequence: 20)))]),
            Vector("mat_report_no_zones", "MatReport with a zone count of 0: malformed",
                   wire: wire(type: 0x83, sequence: 21, payload: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
                   expect: [.error(.malformedPayload(FrameHeader(version: 2, type: 0x83, sequence: 21)))]),
            Vector("get_info_unknown_section", "GetInfo for section 4, which does not exist: malformed",
                   wire: wire(type: 0x09, sequence: 22, payload: [4, 0]),
                   expect: [.error(.malformedPayload(FrameHeader(version: 2, type: 0x09, sequence: 22)))]),
            Vector("identity_invalid_utf8", "Info identity whose vendor is an overlong UTF-8 form (C0 AF): malformed",
                   wire: wire(type: 0x81, sequence: 23, payload: [1, 0, 2, 0xC0, 0xAF, 0, 0]),
                   expect: [.error(.malformedPayload(FrameHeader(version: 2, type: 0x81, sequence: 23)))]),
            Vector("info_fault_record_index", "Info fault record with index 1 (must be 0): malformed",
                   wire: wire(type: 0x81, sequence: 27, payload: [3, 1, 255] + [UInt8](repeating: 0, count: 12)),
                   expect: [.error(.malformedPayload(FrameHeader(version: 2, type: 0x81, sequence: 27)))]),
            Vector("garbage_before_frame", "Garbage with no 0x00, glued to a good frame: one bad frame, then the frame",
                   wire: [0x13, 0x37, 0xC0, 0xFF, 0xEE] + good, expect: [.error(.badCRC), .frame(setOutputs)]),
            Vector("garbage_delimited", "Garbage ended by a 0x00, then a good frame",
                   wire: [0xDE, 0xAD, 0xBE, 0xEF, 0x00] + good, expect: [.error(.malformedCOBS), .frame(setOutputs)]),
            Vector("empty_frames", "Delimiters alone mean nothing: 0x00 0x00, a frame, 0x00",
                   wire: [0x00, 0x00] + Array(heartbeat.encoded()) + [0x00], expect: [.frame(heartbeat)]),
            Vector("two_frames", "Two frames in one read", wire: Array(heartbeat.encoded()) + good,
                   expect: [.frame(heartbeat), .frame(setOutputs)]),
            Vector("too_long", "100 non-zero bytes before a 0x00, then a good frame",
                   wire: [UInt8](repeating: 0x55, count: 100) + [0x00] + Array(heartbeat.encoded()),
                   expect: [.error(.tooLong), .frame(heartbeat)]),
            Vector("too_long_glued", "80 non-zero bytes glued to a good frame: too long, and the frame is still found",
                   wire: [UInt8](repeating: 0x55, count: 80) + Array(heartbeat.encoded()),
                   expect: [.error(.tooLong), .frame(heartbeat)]),
            Vector("too_long_exact_frame", "20 garbage bytes glued to the largest frame: the 63 bytes kept are exactly that frame",
                   wire: [UInt8](repeating: 0x77, count: 20) + largest.wire, expect: [.error(.tooLong)] + largest.expect),
        ]
        return vectors
    }
}
