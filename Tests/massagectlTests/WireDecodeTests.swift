import Foundation
import Testing

@Suite("wire decode")
struct WireDecodeTests {
    /// Heartbeat, seq 0: raw 02 04 00 + CRC, worked out by hand from the definition.
    static let heartbeat = ReferenceCodec.wire([0x02, 0x04, 0x00])

    @Test("the encoder's Heartbeat matches CRC-32C and COBS computed from the definition")
    func heartbeatBytes() throws {
        let expected = ReferenceCodec.hex(Self.heartbeat)
        // Pinned too, so a change to the reference code cannot move both sides at once.
        #expect(expected == "03020405ab90816100")
        #expect(try MassagectlProcess.encode(["Heartbeat"]) == expected)
        let decoded = try MassagectlProcess.run(["wire", "decode", expected])
        #expect(decoded.status == 0)
        #expect(decoded.lines == ["seq=0 v2 Heartbeat"])
    }

    @Test("an encoded SetOutputs decodes to its fields, in text and in JSON")
    func roundTrip() throws {
        let hex = try MassagectlProcess.encode(
            ["SetOutputs", "lease_ms=200", "heater_setpoint=380", "intensity=0,125,250", "--seq", "7"])
        let text = try MassagectlProcess.run(["wire", "decode", hex])
        #expect(text.status == 0)
        #expect(text.lines == ["seq=7 v2 SetOutputs lease_ms=200 heater_setpoint=380 intensity=[0,125,250]"])
        let json = try MassagectlProcess.run(["wire", "decode", "--json", hex])
        #expect(json.lines == [
            #"{"frame":{"version":2,"type":"SetOutputs","seq":7,"fields":{"lease_ms":200,"heater_setpoint":380,"intensity":[0,125,250]}}}"#
        ])
    }

    @Test("text fields are quoted and escaped")
    func textFields() throws {
        let hex = try MassagectlProcess.encode(["Info", "section=1", "index=0", "vendor=Acme \"A\"", "model=M1", "serial="])
        let result = try MassagectlProcess.run(["wire", "decode", hex])
        #expect(result.lines == [#"seq=0 v2 Info section=1 index=0 vendor="Acme \"A\"" model="M1" serial="""#])
    }

    @Test("hex in every accepted form, split over arguments, and from standard input")
    func hexForms() throws {
        let heartbeat = ["seq=0 v2 Heartbeat"]
        let spaced = try MassagectlProcess.run(["wire", "decode", "0x03:02:04:05", "AB,90 0x81", "61", "00"])
        #expect(spaced.lines == heartbeat)
        let piped = try MassagectlProcess.run(["wire", "decode", "--hex"], input: Data("03 02 04 05\nab 90 81 61 00\n".utf8))
        #expect(piped.lines == heartbeat)
        let raw = try MassagectlProcess.run(["wire", "decode"], input: Data(Self.heartbeat + Self.heartbeat))
        #expect(raw.lines == heartbeat + heartbeat)
    }

    @Test("a corrupted frame is one error line and exit status 1")
    func badCRC() throws {
        var corrupted = Self.heartbeat
        corrupted[5] ^= 0x01
        let hex = ReferenceCodec.hex(corrupted)
        let text = try MassagectlProcess.run(["wire", "decode", hex])
        #expect(text.status == 1)
        #expect(text.lines.count == 1)
        #expect(text.lines.first?.hasPrefix("error: bad_crc — CRC-32C mismatch") == true)
        let json = try MassagectlProcess.run(["wire", "decode", "--json", hex])
        #expect(json.status == 1)
        #expect(json.lines == [#"{"error":"bad_crc"}"#])
    }

    @Test("errors with a trusted header show version, type byte and seq")
    func headerErrors() throws {
        let unknownType = ReferenceCodec.hex(ReferenceCodec.wire([0x02, 0x42, 0x09]))
        // Header version 1 is for Hello, Info and Nak only (PROTOCOL.md section 3).
        let badVersion = ReferenceCodec.hex(ReferenceCodec.wire([0x01, 0x04, 0x0A]))
        let badPayload = ReferenceCodec.hex(ReferenceCodec.wire([0x02, 0x04, 0x0B, 0xFF]))  // Heartbeat is empty
        let result = try MassagectlProcess.run(["wire", "decode", unknownType + badVersion + badPayload])
        #expect(result.status == 1)
        #expect(result.lines.count == 3)
        #expect(result.lines[0].hasPrefix("error: unknown_type — seq=9 v2 type 0x42"))
        #expect(result.lines[1].hasPrefix("error: unsupported_version — seq=10 v1 Heartbeat (0x04)"))
        #expect(result.lines[2].hasPrefix("error: malformed_payload — seq=11 v2 Heartbeat (0x04)"))
        let json = try MassagectlProcess.run(["wire", "decode", "--json", unknownType + badVersion + badPayload])
        #expect(json.lines == [#"{"error":"unknown_type"}"#, #"{"error":"unsupported_version"}"#, #"{"error":"malformed_payload"}"#])
    }

    @Test("garbage gives error lines, exit status 1, and a good frame after it is still found")
    func garbage() throws {
        let garbage: [UInt8] = [0x55, 0x00, 0x01, 0x02, 0x03, 0x00] + Array(repeating: 0xAA, count: 80) + [0x00]
        let result = try MassagectlProcess.run(["wire", "decode"], input: Data(garbage + Self.heartbeat))
        #expect(result.exitedNormally)
        #expect(result.status == 1)
        #expect(result.lines.count >= 3)
        #expect(result.lines.dropLast().allSatisfy { $0.hasPrefix("error: ") })
        #expect(result.lines.last == "seq=0 v2 Heartbeat")
    }

    @Test("bytes left without a 0x00 get a note on standard error, not an error")
    func partialFrame() throws {
        let result = try MassagectlProcess.run(["wire", "decode", ReferenceCodec.hex(Self.heartbeat) + "0301"])
        #expect(result.status == 0)
        #expect(result.lines == ["seq=0 v2 Heartbeat"])
        #expect(result.standardError.contains("2 bytes after the last 0x00 were not a complete frame"))
    }

    @Test("unreadable hex is a usage error naming the character and where it is", arguments: [
        (["0103", "04g5"], "'g'", "argument 2, position 3"),
        (["01 0x02 zz"], "'z'", "argument 1, position 9"),
        (["0a\u{7}"], "U+0007", "position 3"),
    ])
    func invalidHex(arguments: [String], character: String, place: String) throws {
        let result = try MassagectlProcess.run(["wire", "decode"] + arguments)
        #expect(result.status == 64)
        #expect(result.output.isEmpty)
        #expect(result.standardError.contains("invalid hex character \(character)"))
        #expect(result.standardError.contains(place))
    }

    @Test("unreadable hex on standard input names its line and column")
    func invalidHexOnStandardInput() throws {
        let result = try MassagectlProcess.run(["wire", "decode", "--hex"], input: Data("03 01\n04 0q\n".utf8))
        #expect(result.status == 64)
        #expect(result.output.isEmpty)
        #expect(result.standardError.contains("invalid hex character 'q'"))
        #expect(result.standardError.contains("line 2, column 5"))
    }

    @Test("an odd number of hex digits is a usage error that says so")
    func oddHex() throws {
        let result = try MassagectlProcess.run(["wire", "decode", "03 01 0"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("odd number of hex digits (5)"))
    }

    @Test("random bytes never crash the decoder: exit status 0 or 1 only")
    func randomBytes() throws {
        var random = SplitMix64(seed: 0x6D61_7373_6167_6521)
        // A third of the inputs are short and zero-heavy, so COBS, length and header
        // checks are reached often, not only the CRC.
        let inputs = (0..<300).map { i in
            let length = Int(random.next() % (i % 3 == 0 ? 24 : 200))
            return (0..<length).map { _ in
                let r = random.next()
                return i % 3 == 0 && r % 4 == 0 ? 0 : UInt8(truncatingIfNeeded: r >> 8)
            }
        }
        let results = try MassagectlProcess.run(["wire", "decode"], inputs: inputs.map { Data($0) })
        for (bytes, result) in zip(inputs, results) {
            #expect(result.exitedNormally && (result.status == 0 || result.status == 1),
                    "input \(ReferenceCodec.hex(bytes)): status \(result.status), \(result.standardError)")
        }
    }

    @Test("random text given as hex never crashes: exit status 0, 1 or 64 only")
    func randomHexText() throws {
        var random = SplitMix64(seed: 42)
        let alphabet = Array("0123456789abcdefABCDEFxX :,\n\t0x0xzé\u{0}")
        let texts = (0..<60).map { _ in
            String((0..<Int(random.next() % 80)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
        }
        let results = try MassagectlProcess.run(["wire", "decode", "--hex"], inputs: texts.map { Data($0.utf8) })
        for (text, result) in zip(texts, results) {
            #expect(result.exitedNormally && [0, 1, 64].contains(result.status),
                    "input \(text.debugDescription): status \(result.status), \(result.standardError)")
        }
    }
}

/// A small seeded generator (SplitMix64), so a failing input can be found again.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
