import Foundation
import Testing

@Suite("wire encode")
struct WireEncodeTests {
    @Test("an unknown field is a usage error that names it")
    func unknownField() throws {
        let result = try MassagectlProcess.run(
            ["wire", "encode", "SetOutputs", "lease_ms=200", "heater_setpoint=380", "intensity=0", "bogus=1"])
        #expect(result.status == 64)
        #expect(result.output.isEmpty)
        #expect(result.standardError.contains("unknown field bogus"))
    }

    @Test("an out-of-range value names the field and its range")
    func outOfRange() throws {
        let result = try MassagectlProcess.run(
            ["wire", "encode", "SetOutputs", "lease_ms=70000", "heater_setpoint=380", "intensity=0"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("lease_ms"))
        #expect(result.standardError.contains("70000"))
    }

    @Test("an unknown type lists the valid ones")
    func unknownType() throws {
        let result = try MassagectlProcess.run(["wire", "encode", "Heartbeet"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("unknown message type 'Heartbeet'"))
        #expect(result.standardError.contains("Hello, SetOutputs"))
        #expect(result.standardError.contains("Heartbeat"))
    }

    @Test("0x numbers, --seq and JSON give the same bytes")
    func sameFrameThreeWays() throws {
        let decimal = try MassagectlProcess.encode(
            ["SetOutputs", "lease_ms=200", "heater_setpoint=380", "intensity=0,125,1000", "--seq", "7"])
        let hex = try MassagectlProcess.encode(
            ["SetOutputs", "lease_ms=0xc8", "heater_setpoint=0x17C", "intensity=0,0x7d,1000", "--seq", "0x07"])
        let json = try MassagectlProcess.encode(
            ["--json", #"{"type":"SetOutputs","seq":7,"fields":{"lease_ms":200,"heater_setpoint":380,"intensity":[0,125,1000]}}"#])
        #expect(hex == decimal)
        #expect(json == decimal)
    }

    @Test("a line of decode --json reads back through encode --json on standard input")
    func jsonRoundTrip() throws {
        let hex = try MassagectlProcess.encode(
            ["Status", "state=2", "faults=0x11", "temperature=-32768", "heater_setpoint=380", "heater_duty=50",
             "uptime_us=18446744073709551615", "frames_bad=1", "frames_superseded=2", "dose=3", "output=1,2,3"])
        let decoded = try MassagectlProcess.run(["wire", "decode", "--json", hex])
        #expect(decoded.status == 0)
        let reencoded = try MassagectlProcess.run(["wire", "encode", "--json", "-"], input: decoded.standardOutput)
        #expect(reencoded.status == 0)
        #expect(reencoded.output == hex + "\n")
    }

    @Test("--raw writes the bytes themselves")
    func raw() throws {
        let result = try MassagectlProcess.run(["wire", "encode", "Heartbeat", "--raw"])
        #expect(result.status == 0)
        #expect(Array(result.standardOutput) == WireDecodeTests.heartbeat)
    }

    @Test("a frame a receiver would reject is still written, with a warning")
    func rejectedFrame() throws {
        let result = try MassagectlProcess.run(["wire", "encode", "Hello", "min_version=3", "max_version=1"])
        #expect(result.status == 0)
        #expect(result.output == ReferenceCodec.hex(ReferenceCodec.wire([0x01, 0x01, 0x00, 0x03, 0x01])) + "\n")
        #expect(result.standardError.contains("malformed_payload"))
    }

    @Test("JSON mistakes name the key that is wrong", arguments: [
        (#"{"type":"Heartbeat","seq":300}"#, #""seq" must be an integer from 0 to 255, not 300"#),
        (#"{"type":"SetOutputs","fields":{"lease_ms":1.5}}"#, "fields.lease_ms"),
        (#"{"type":"Heartbeat","feilds":{}}"#, #"unknown key "feilds""#),
        (#"{"type":"#, "not valid JSON"),
    ])
    func jsonMistakes(json: String, message: String) throws {
        let result = try MassagectlProcess.run(["wire", "encode", "--json", json])
        #expect(result.status == 64)
        #expect(result.standardError.contains(message))
    }
}
