import MassageWire

/// The two forms `massagectl wire decode` prints a decoder's events in, one line each.
enum DecodeFormat {
    /// For people: `seq=7 v1 SetOutputs lease_ms=200 …`, or `error: NAME — what it means`.
    case text
    /// For programs: an entry of a test vector's `expect` list (PROTOCOL.md section 8),
    /// `{"frame":{"version":1,"type":…,"seq":…,"fields":{…}}}` or `{"error":"bad_crc"}`.
    /// Keys come in the order of that section and fields in PROTOCOL.md order, so the
    /// output is byte-for-byte stable.
    case json

    func line(for event: DecodeEvent) -> String {
        switch (self, event) {
        case (.text, .frame(let frame)):
            let fields = frame.message.fields.map { " \($0.name)=\(literal($0.value))" }
            return "seq=\(frame.sequence) v\(frame.version) \(frame.message.type)" + fields.joined()
        case (.text, .error(let error)):
            return "error: \(error.vectorName) — \(explanation(of: error))"
        case (.json, .frame(let frame)):
            let fields = frame.message.fields.map { "\(JSONText.string($0.name)):\(literal($0.value))" }
            return #"{"frame":{"version":\#(frame.version),"type":\#(JSONText.string("\(frame.message.type)")),"#
                + #""seq":\#(frame.sequence),"fields":{\#(fields.joined(separator: ","))}}}"#
        case (.json, .error(let error)):
            return #"{"error":\#(JSONText.string("\(error.vectorName)"))}"#
        }
    }

    /// A field's value, the same in both forms: a number, `[1,2]`, or a text quoted and
    /// escaped as in JSON (so one with spaces or control characters stays on its line
    /// and reads back unambiguously).
    private func literal(_ value: FieldValue) -> String {
        switch value {
        case .number(let n): "\(n)"
        case .numbers(let list): "[" + list.map { "\($0)" }.joined(separator: ",") + "]"
        case .text(let s): JSONText.string(s)
        }
    }

    /// What the error means and what the sender should check, for a firmware author
    /// looking at a capture (the cases of PROTOCOL.md section 2.4).
    private func explanation(of error: FrameError) -> String {
        switch error {
        case .malformedCOBS:
            "a COBS code byte points past the end of the frame: bytes were lost, or the sender's "
                + "COBS encoder is wrong (each code byte c is followed by c-1 non-zero bytes)"
        case .truncated(let length):
            "only \(length) byte\(length == 1 ? "" : "s") after COBS decoding, fewer than the 7 of "
                + "header and CRC: the frame was cut short, or a stray 0x00 split it"
        case .badCRC:
            "CRC-32C mismatch: bytes were corrupted or the sender's CRC differs "
                + "(check CRC-32C Castagnoli, little-endian, over version, type, seq and payload)"
        case .tooLong:
            "more than 63 bytes without a 0x00: the sender does not end frames with 0x00, or sent a "
                + "payload over 55 bytes; the newest 63 bytes were still tried as a frame"
        case .unsupportedVersion(let header):
            "\(describe(header)): this host speaks protocol version \(WireLimits.protocolVersion), and reads "
                + "header version \(WireLimits.negotiationVersion) only on Hello, Info and Nak (PROTOCOL.md section 3: "
                + "the version byte comes first; after Hello every frame uses the version it negotiated)"
        case .unknownType(let header):
            "\(describe(header)): no message has this type byte "
                + "(PROTOCOL.md section 4: 0x01-0x09 host to device, 0x81-0x88 device to host)"
        case .malformedPayload(let header):
            "\(describe(header)): the CRC is good but the payload's length or a structural field "
                + "(a count, a section, an enumerated value) is wrong for the type (PROTOCOL.md section 4)"
        }
    }

    /// A trusted header in the same order as a frame line: `seq=7 v1 SetOutputs
    /// (0x02)`, with the raw type byte since that is what the sender got wrong or right.
    private func describe(_ header: FrameHeader) -> String {
        let typeByte = "0x" + HexText.string([header.type])
        let name = MessageType(rawValue: header.type).map { "\($0) (\(typeByte))" } ?? "type \(typeByte)"
        return "seq=\(header.sequence) v\(header.version) \(name)"
    }
}

/// JSON string literals, written by hand so that output keeps the key order of
/// PROTOCOL.md section 8 (Foundation can only sort keys).
enum JSONText {
    /// `text` as a quoted JSON string: `"`, `\` and control characters escaped, the rest
    /// left as UTF-8.
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
