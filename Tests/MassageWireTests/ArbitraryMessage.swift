import MassageWire

/// Builds protocol values from a byte string, so that the property library's shrinking
/// of the bytes shrinks the message too (a shorter string gives smaller, simpler
/// values). Reading past the end yields zeros.
struct Entropy {
    var bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func u8() -> UInt8 {
        guard index < bytes.count else { return 0 }
        defer { index += 1 }
        return bytes[index]
    }
    mutating func u16() -> UInt16 { UInt16(u8()) | UInt16(u8()) << 8 }
    mutating func i16() -> Int16 { Int16(bitPattern: u16()) }
    mutating func u32() -> UInt32 { UInt32(u16()) | UInt32(u16()) << 16 }
    mutating func u64() -> UInt64 { UInt64(u32()) | UInt64(u32()) << 32 }
    mutating func below(_ n: Int) -> Int { Int(u8()) % n }

    mutating func list<let c: Int>(_: FixedList<c, UInt16>.Type, atLeast minimum: Int = 0) -> FixedList<c, UInt16> {
        var list = FixedList<c, UInt16>()
        let count = minimum + below(c - minimum + 1)
        for _ in 0..<count { list.append(u16()) }
        return list
    }

    /// Text of 1- to 4-byte characters, at most 16 bytes of UTF-8.
    mutating func text() -> ShortText {
        let characters = ["a", "Z", "7", " ", "-", "é", "ß", "→", "温", "𝄞"]
        var text = ShortText()
        for _ in 0..<below(WireLimits.maxTextLength + 1) {
            let utf8 = Array(characters[below(characters.count)].utf8)
            guard text.count + utf8.count <= WireLimits.maxTextLength else { break }
            for byte in utf8 { text.append(byte) }
        }
        return text
    }

    /// Any well-formed message of any type.
    mutating func message() -> Message {
        let types = MessageType.allCases
        switch types[below(types.count)] {
        case .hello:
            let a = u8(), b = u8()
            return .hello(Hello(minVersion: min(a, b), maxVersion: max(a, b)))
        case .setOutputs:
            return .setOutputs(SetOutputs(leaseMilliseconds: u16(), heaterSetpoint: u16(), intensities: list(Intensities.self)))
        case .stop: return .stop
        case .heartbeat: return .heartbeat
        case .getStatus: return .getStatus
        case .setConfig: return .setConfig(ConfigEntry(key: ConfigKey(rawValue: u8()), value: u32()))
        case .getConfig: return .getConfig(ConfigKey(rawValue: u8()))
        case .clearFault: return .clearFault
        case .getInfo:
            return .getInfo(InfoRequest(section: InfoSection(rawValue: UInt8(below(4))) ?? .device, index: u8()))
        case .info:
            switch below(4) {
            case 0:
                return .info(.device(DeviceInfo(
                    protocolVersion: u8(), firmwareMajor: u8(), firmwareMinor: u8(), firmwarePatch: u8(),
                    actuatorCount: UInt8(below(17)), layout: ActuatorLayout(rawValue: UInt8(below(4))) ?? .none,
                    matZoneCount: UInt8(below(65)), heaterCap: u16(), heaterCapLimit: u16(), maxOutputRateHz: u16(),
                    watchdogMilliseconds: u16(), maxLeaseMilliseconds: u16(), statusPeriodMilliseconds: u16(),
                    matPeriodMilliseconds: u16(), doseLimit: u16())))
            case 1:
                return .info(.identity(DeviceIdentity(vendor: text(), model: text(), serial: text())))
            case 2:
                return .info(.actuator(index: u8(), ActuatorInfo(
                    placement: ActuatorPlacement(rawValue: UInt8(below(3))) ?? .centre, angle: u16(), x: i16(), y: i16(),
                    acceleration: u16(), spinUpMilliseconds: u16())))
            default:
                return .info(.faultRecord(FaultRecord(code: u8(), faults: FaultSet(rawValue: u16()), detail: i16(),
                                                      uptimeMicroseconds: u64())))
            }
        case .status: return .status(status())
        case .statusReport: return .statusReport(status())
        case .matReport:
            let pressures = list(Pressures.self, atLeast: 1)
            let first = UInt8(below(WireLimits.maxMatZones - pressures.count + 1))
            return .matReport(MatReport(timestampMicroseconds: u64(), firstZone: first, pressures: pressures))
        case .fault:
            return .fault(FaultReport(code: u8(), faults: FaultSet(rawValue: u16()), detail: i16(), uptimeMicroseconds: u64()))
        case .ack: return .ack(ackedType: u8())
        case .nak: return .nak(Nak(rejectedType: u8(), reason: NakReason(rawValue: u8())))
        case .config: return .config(ConfigEntry(key: ConfigKey(rawValue: u8()), value: u32()))
        }
    }

    mutating func status() -> Status {
        Status(
            state: DeviceState(rawValue: UInt8(below(4))) ?? .idle, faults: FaultSet(rawValue: u16()),
            temperature: i16(), heaterSetpoint: u16(), heaterDuty: u8(), uptimeMicroseconds: u64(),
            framesBad: u16(), framesSuperseded: u16(), dose: u16(), outputs: list(Intensities.self))
    }

    /// Any frame a receiver accepts: version 2, or version 1 for the negotiation types
    /// (Hello, Info, Nak).
    mutating func frame() -> Frame {
        let sequence = u8()
        let message = message()
        let old = message.type.isNegotiation && u8() & 1 == 1
        return Frame(version: old ? WireLimits.negotiationVersion : WireLimits.protocolVersion,
                     sequence: sequence, message: message)
    }
}

/// Every event a fresh decoder yields for `bytes` fed in pieces of the given sizes
/// (cycled; the rest in one piece when `chunkSizes` is empty).
func decodeAll(_ bytes: [UInt8], chunkSizes: [Int] = []) -> (events: [DecodeEvent], decoder: FrameDecoder) {
    var decoder = FrameDecoder()
    var events: [DecodeEvent] = []
    var start = 0
    var chunk = 0
    while start < bytes.count {
        let size = chunkSizes.isEmpty ? bytes.count : max(1, chunkSizes[chunk % chunkSizes.count])
        let end = min(bytes.count, start + size)
        decoder.feed(bytes[start..<end]) { events.append($0) }
        start = end
        chunk += 1
    }
    return (events, decoder)
}

/// A frame with any header and payload, CRC-32C and COBS applied: for vectors of frames
/// this code would never send (unknown types, other versions, bad payloads).
func wire(version: UInt8 = WireLimits.protocolVersion, type: UInt8, sequence: UInt8, payload: [UInt8]) -> [UInt8] {
    var raw = [version, type, sequence] + payload
    let crc = CRC32C.checksum(raw)
    raw += [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)]
    return cobs(raw) + [0]
}

/// COBS of any bytes, written from the definition (independent of the COBS type).
func cobs(_ raw: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var block: [UInt8] = []
    for byte in raw {
        if byte == 0 {
            out += [UInt8(block.count + 1)] + block
            block = []
        } else {
            block.append(byte)
            if block.count == 254 {
                out += [0xFF] + block
                block = []
            }
        }
    }
    return out + [UInt8(block.count + 1)] + block
}
