import Foundation
@testable import MassageWire
import PropertyBased
import Testing

/// The CRC-32C engines: the CPU's instruction (CCRC32C, chosen at run time) must give
/// exactly the tables' register for every range of every buffer, and the run-time choice
/// must be the CPU's instruction wherever the CPU has one.
@Suite struct CRC32CEngineTests {
    /// The engine this CPU should get, from the kernel's own list of CPU features
    /// (/proc/cpuinfo), independent of the detection under test; nil when unknown here.
    static var expectedEngine: CRC32C.Engine? {
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        let flags = Set(cpuinfo.split(separator: "\n")
            .filter { $0.hasPrefix("flags") || $0.hasPrefix("Features") }
            .flatMap { $0.split(separator: ":").dropFirst().joined().split(separator: " ").map(String.init) })
        #if arch(x86_64)
        return flags.contains("sse4_2") ? .sse42 : .software
        #elseif arch(arm64)
        return flags.contains("crc32") ? .armv8CRC32 : .software
        #else
        return .software
        #endif
    }

    /// The engines, fed `bytes[start ..< end]` from `initial`: (tables, hardware or nil).
    static func registers(_ bytes: [UInt8], _ start: Int, _ end: Int, from initial: UInt32) -> (UInt32, UInt32?) {
        let span = bytes.span
        var software = CRC32C()
        software._register = initial
        _ = software.update(span, from: start, to: end, using: .software)
        var hardware = CRC32C()
        hardware._register = initial
        let fed = hardware.update(span, from: start, to: end, using: CRC32C.engine)
        return (software.register, fed ? hardware.register : nil)
    }

    @Test func dispatchPicksTheCPUsInstructions() throws {
        let expected = try #require(Self.expectedEngine, "/proc/cpuinfo is not readable here")
        print("CRC-32C engine on this machine: \(CRC32C.engine) (expected from /proc/cpuinfo: \(expected))")
        #expect(CRC32C.engine == expected)
        #expect(CRC32C.usesHardware == (expected != .software))
    }

    @Test(.enabled(if: CRC32C.usesHardware, "this CPU has no CRC-32C instructions: only the tables run"))
    func hardwareAgreesWithTablesOnEveryRange() async {
        // Random buffers up to 80 bytes (every frame length and then some), every start
        // and end in them: unaligned starts, 0-7 byte tails, whole 8-byte words.
        await propertyCheck(count: 300, input: Gen.uint8().array(of: 0...80), Gen.uint32()) { bytes, initial in
            for start in 0...bytes.count {
                for end in start...bytes.count {
                    let (software, hardware) = Self.registers(bytes, start, end, from: initial)
                    #expect(hardware == software, "bytes \(start) ..< \(end) of \(bytes.count), register \(initial)")
                }
            }
        }
    }

    @Test(.enabled(if: CRC32C.usesHardware, "this CPU has no CRC-32C instructions: only the tables run"))
    func hardwareAgreesWithTablesOnLongBuffers() async {
        await propertyCheck(count: 200, input: Gen.uint8().array(of: 0...4096)) { bytes in
            let (software, hardware) = Self.registers(bytes, 0, bytes.count, from: 0xFFFF_FFFF)
            #expect(hardware == software)
            #expect(CRC32C.checksum(bytes) == software ^ 0xFFFF_FFFF)
        }
    }

    @Test func publicChecksumUsesTheDetectedEngineAndMatchesTheCheckValue() {
        // Whatever engine runs: the check value of PROTOCOL.md section 2.2.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        var crc = CRC32C()
        let bytes = Array("123456789".utf8)
        _ = crc.update(bytes.span, from: 0, to: bytes.count, using: CRC32C.engine)
        #expect(crc.value == 0xE306_9283)
    }
}
