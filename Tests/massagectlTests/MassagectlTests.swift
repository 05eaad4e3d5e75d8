import Testing

@Suite("massagectl")
struct MassagectlTests {
    @Test("help names every subcommand")
    func help() throws {
        let result = try MassagectlProcess.run(["--help"])
        #expect(result.status == 0)
        #expect(result.output.contains("Drive heat-and-vibration massage devices"))
        #expect(result.output.contains("wire"))
        #expect(result.output.contains("version"))
    }

    @Test("decode help documents the exit statuses")
    func decodeHelp() throws {
        let result = try MassagectlProcess.run(["wire", "decode", "--help"])
        #expect(result.status == 0)
        #expect(result.output.contains("EXIT STATUS"))
        #expect(result.output.contains("at least one bad frame"))
    }

    @Test("version names the tool, the protocol and both system libraries")
    func version() throws {
        let result = try MassagectlProcess.run(["version"])
        #expect(result.status == 0)
        let lines = result.lines
        #expect(lines.first == "massagectl 0.1.0")
        #expect(lines.contains("protocol version 2"))
        #expect(lines.contains { $0.hasPrefix("libusb 1.") })
        #expect(lines.contains { $0.hasPrefix("libgpiod ") && $0 != "libgpiod unknown" })
    }

    @Test("an unknown subcommand is a usage error")
    func unknownSubcommand() throws {
        let result = try MassagectlProcess.run(["frobnicate"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("frobnicate"))
    }
}

@Suite("reference codec")
struct ReferenceCodecTests {
    @Test("CRC-32C check value of PROTOCOL.md section 2.2")
    func checkValue() {
        #expect(ReferenceCodec.crc32c(Array("123456789".utf8)) == 0xE306_9283)
    }
}
