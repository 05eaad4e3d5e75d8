import Foundation
import MassageWire
import Testing

/// The language-neutral vectors of `firmware-protocol/vectors/` (PROTOCOL.md section 8).
@Suite struct VectorTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("firmware-protocol/vectors")

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        return stride(from: 0, to: digits.count, by: 2).map { i -> UInt8? in
            UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16)
        }.reduce(into: [UInt8]?([])) { result, byte in
            if let byte { result?.append(byte) } else { result = nil }
        }
    }

    static func json(_ value: FieldValue) -> Any {
        switch value {
        case .number(let n): return NSNumber(value: Int64(n))
        case .numbers(let ns): return ns.map { NSNumber(value: Int64($0)) }
        case .text(let s): return s
        }
    }

    static func json(_ event: DecodeEvent) -> [String: Any] {
        switch event {
        case .error(let error): return ["error": "\(error.vectorName)"]
        case .frame(let frame):
            let fields = Dictionary(uniqueKeysWithValues: frame.message.fields.map { ($0.name, json($0.value)) })
            return ["frame": ["version": Int(frame.version), "type": frame.message.type.description,
                              "seq": Int(frame.sequence), "fields": fields]]
        }
    }

    static func document(_ vector: Vector) -> [String: Any] {
        ["name": vector.name, "description": vector.description, "wire": hex(vector.wire),
         "expect": vector.expect.map(json), "exact_encoding": vector.exactEncoding]
    }

    static func load(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any], "\(url.lastPathComponent)")
    }

    /// Writes the catalog's files when asked to; otherwise a no-op.
    @Test func writeVectorsWhenAsked() throws {
        guard ProcessInfo.processInfo.environment["MASSAGE_WRITE_VECTORS"] == "1" else { return }
        try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
        for vector in VectorCatalog.all {
            let data = try JSONSerialization.data(withJSONObject: Self.document(vector), options: [.prettyPrinted, .sortedKeys])
            try (data + Data("\n".utf8)).write(to: Self.directory.appendingPathComponent("\(vector.name).json"))
        }
    }

    @Test func catalogMatchesTheCommittedFiles() throws {
        for vector in VectorCatalog.all {
            let url = Self.directory.appendingPathComponent("\(vector.name).json")
            let committed = try Self.load(url)
            let expected = Self.document(vector)
            #expect(NSDictionary(dictionary: committed).isEqual(to: expected),
                    "\(vector.name).json differs from the catalog: regenerate with MASSAGE_WRITE_VECTORS=1 if the change is intended")
        }
    }

    @Test func everyVectorDecodesAsExpected() throws {
        let files = try FileManager.default.contentsOfDirectory(at: Self.directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
        #expect(files.count >= 30)
        for url in files {
            let vector = try Self.load(url)
            let wire = try #require(Self.bytes(hex: vector["wire"] as? String ?? "x"), "\(url.lastPathComponent): wire")
            let expect = try #require(vector["expect"] as? [[String: Any]], "\(url.lastPathComponent): expect")
            let (events, _) = decodeAll(wire)
            let got = events.map(Self.json)
            #expect(NSArray(array: got).isEqual(to: expect), "\(url.lastPathComponent)")
            if vector["exact_encoding"] as? Bool == true, events.count == 1, case .frame(let frame)? = events.first {
                #expect(Array(frame.encoded()) == wire, "\(url.lastPathComponent): encoding")
            }
        }
    }

    @Test func everyMessageTypeHasAVector() {
        let covered = Set(VectorCatalog.all.flatMap { $0.expect }.compactMap { event -> MessageType? in
            if case .frame(let frame) = event { return frame.message.type }
            return nil
        })
        #expect(covered == Set(MessageType.allCases))
    }

    @Test func largestVectorIsOneUSBPacket() throws {
        let largest = try #require(VectorCatalog.all.first { $0.name == "largest_frame" })
        #expect(largest.wire.count == WireLimits.maxWireFrame)
    }
}
