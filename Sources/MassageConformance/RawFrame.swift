import MassageWire

/// One frame as bytes: header, payload and nothing checked. The suite builds its frames
/// with this rather than with `Frame`, because it must also send what the codec refuses
/// to make (a wrong version, an unknown type, a payload of the wrong length, a bad CRC),
/// and it reads the device's frames with it too, so that a header version the host
/// codec does not accept is still seen and judged by the check, not dropped.
public struct RawFrame: Equatable, Sendable, CustomStringConvertible {
    public var version: UInt8
    public var type: UInt8
    public var sequence: UInt8
    public var payload: [UInt8]

    public init(version: UInt8, type: UInt8, sequence: UInt8, payload: [UInt8] = []) {
        self.version = version
        self.type = type
        self.sequence = sequence
        self.payload = payload
    }

    /// Header, payload and CRC-32C, before COBS.
    public var raw: [UInt8] {
        var bytes = [version, type, sequence] + payload
        let crc = CRC32C.checksum(bytes)
        for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k)))) }
        return bytes
    }

    /// On the wire: COBS, then the 0x00 delimiter.
    public var wire: [UInt8] { RawFrame.cobsEncode(raw) + [0] }

    public var description: String {
        "v\(version) type 0x\(String(type, radix: 16)) seq \(sequence) payload \(payload.count) B"
    }

    /// COBS (PROTOCOL.md 2.3), written out here so the suite does not share the codec's
    /// code paths it is checking the device against.
    public static func cobsEncode(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0]
        var codeIndex = 0
        var code: UInt8 = 1
        for byte in data {
            if byte == 0 {
                out[codeIndex] = code
                codeIndex = out.count
                out.append(0)
                code = 1
            } else {
                out.append(byte)
                code += 1
                if code == 0xFF {
                    out[codeIndex] = code
                    codeIndex = out.count
                    out.append(0)
                    code = 1
                }
            }
        }
        out[codeIndex] = code
        return out
    }

    /// COBS-decodes the bytes between two delimiters; nil when a code byte points past
    /// the end (malformed COBS).
    public static func cobsDecode(_ data: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var i = 0
        while i < data.count {
            let code = Int(data[i])
            if code == 0 || i + code > data.count { return nil }
            out.append(contentsOf: data[(i + 1)..<(i + code)])
            i += code
            if code < 0xFF && i < data.count { out.append(0) }
        }
        return out
    }

    /// Parses the bytes between two delimiters: nil unless COBS, length and CRC are good.
    /// Version, type and payload are not judged here.
    public static func parse(encoded: [UInt8]) -> RawFrame? {
        guard let raw = cobsDecode(encoded), raw.count >= 7 else { return nil }
        let body = Array(raw[0..<(raw.count - 4)])
        let crc = raw[(raw.count - 4)...].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        guard CRC32C.checksum(body) == crc else { return nil }
        return RawFrame(version: raw[0], type: raw[1], sequence: raw[2], payload: Array(body[3...]))
    }
}

/// Type bytes of PROTOCOL.md section 4, version 2 (StatusReport is new in 2).
public enum WireType {
    public static let hello: UInt8 = 0x01
    public static let setOutputs: UInt8 = 0x02
    public static let stop: UInt8 = 0x03
    public static let heartbeat: UInt8 = 0x04
    public static let getStatus: UInt8 = 0x05
    public static let setConfig: UInt8 = 0x06
    public static let getConfig: UInt8 = 0x07
    public static let clearFault: UInt8 = 0x08
    public static let getInfo: UInt8 = 0x09
    public static let info: UInt8 = 0x81
    public static let status: UInt8 = 0x82
    public static let matReport: UInt8 = 0x83
    public static let fault: UInt8 = 0x84
    public static let ack: UInt8 = 0x85
    public static let nak: UInt8 = 0x86
    public static let config: UInt8 = 0x87
    public static let statusReport: UInt8 = 0x88

    /// Frames a device sends of its own accord, numbered by its unsolicited counter.
    public static func isUnsolicited(_ type: UInt8) -> Bool {
        type == statusReport || type == matReport || type == fault
    }
}

/// Nak reasons (PROTOCOL.md 4.16).
public enum NakCode {
    public static let unsupportedVersion: UInt8 = 1
    public static let unknownType: UInt8 = 2
    public static let malformed: UInt8 = 3
    public static let outOfRange: UInt8 = 4
    public static let faultLatched: UInt8 = 5
    public static let notReady: UInt8 = 6
    public static let conditionPersists: UInt8 = 7

    static func name(_ reason: UInt8) -> String {
        switch reason {
        case 1: "unsupported version"
        case 2: "unknown type"
        case 3: "malformed"
        case 4: "out of range"
        case 5: "fault latched"
        case 6: "not ready"
        case 7: "condition persists"
        default: "reason \(reason)"
        }
    }
}

/// Config keys (PROTOCOL.md 4.19).
public enum ConfigCode {
    public static let watchdog: UInt8 = 1
    public static let heaterCap: UInt8 = 2
    public static let statusPeriod: UInt8 = 3
    public static let matPeriod: UInt8 = 4
    public static let heatSessionLimit: UInt8 = 5
    public static let doseLimit: UInt8 = 6
    public static let slew: UInt8 = 7
}

/// Little-endian field writers and a bounds-checked reader, for payloads.
struct PayloadWriter {
    var bytes: [UInt8] = []
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { bytes.append(UInt8(v & 0xFF)); bytes.append(UInt8(v >> 8)) }
    mutating func u32(_ v: UInt32) { for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) } }
}

struct PayloadReader {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var remaining: Int { bytes.count - offset }

    mutating func u8() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }
    mutating func u16() -> UInt16? {
        guard let lo = u8(), let hi = u8() else { return nil }
        return UInt16(lo) | UInt16(hi) << 8
    }
    mutating func i16() -> Int16? { u16().map { Int16(bitPattern: $0) } }
    mutating func u32() -> UInt32? {
        guard let lo = u16(), let hi = u16() else { return nil }
        return UInt32(lo) | UInt32(hi) << 16
    }
    mutating func u64() -> UInt64? {
        guard let lo = u32(), let hi = u32() else { return nil }
        return UInt64(lo) | UInt64(hi) << 32
    }
    mutating func take(_ n: Int) -> [UInt8]? {
        guard n >= 0, remaining >= n else { return nil }
        defer { offset += n }
        return Array(bytes[offset..<(offset + n)])
    }
}
