import Foundation
@testable import MassageService
import Testing

/// docs/openapi.yaml lists exactly the routes the service registers (ServiceRoute.all is
/// what both the HTTP router and the UNIX socket use), with the same verbs and ids, and
/// names exactly the keys of the device state the API and the stream send (snake_case,
/// like every JSON massagectl prints).
@Suite struct OpenAPIDocumentTests {
    static var document: String {
        get throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            return try String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        }
    }

    /// (verb, path, operationId) for each operation in the document's `paths:`.
    static func operations(in text: String) -> Set<String> {
        var result: Set<String> = []
        var inPaths = false, path: String?, verb: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") { path = String(line.dropFirst(2).dropLast()); verb = nil; continue }
            if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") { verb = line.trimmingCharacters(in: .whitespaces).dropLast().uppercased(); continue }
            if let path, let verb, line.trimmingCharacters(in: .whitespaces).hasPrefix("operationId:") {
                let id = line.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces)
                result.insert("\(verb) \(path) \(id)")
            }
        }
        return result
    }

    @Test func theDocumentMatchesTheRoutes() throws {
        let documented = Self.operations(in: try Self.document)
        var registered = Set(ServiceRoute.all.map { "\($0.verb.rawValue) \($0.path) \($0.method)" })
        registered.insert("GET \(ServiceRoute.streamPath) stream")
        #expect(documented == registered, "only in the document: \(documented.subtracting(registered)); only in the code: \(registered.subtracting(documented))")
    }

    @Test func everyStateChangingOperationNeedsTheTokenInTheDocument() throws {
        let text = try Self.document
        for route in ServiceRoute.all where route.changesState {
            let section = text.components(separatedBy: "  \(route.path):\n")[1].components(separatedBy: "\n  /")[0]
            #expect(section.contains("security: [{ token: [] }]"), "\(route.path)")
        }
    }

    /// The `DeviceState` schema's properties: its own (indent 8), and those of each object
    /// property (indent 12), as "key" and "key.nested".
    static func deviceStateKeys(in text: String) -> Set<String> {
        var result: Set<String> = []
        var inSchema = false, parent: String?
        for line in text.split(separator: "\n") {
            let indent = line.prefix(while: { $0 == " " }).count
            let name = line.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
            if line == "    DeviceState:" { inSchema = true; continue }
            guard inSchema else { continue }
            if indent <= 4 { break }
            if indent == 8 { parent = name; result.insert(name) }
            if indent == 12, let parent { result.insert("\(parent).\(name)") }
        }
        return result
    }

    /// Every key a full state has (each optional present), as the stream encodes it.
    static func sentKeys() throws -> Set<String> {
        var view = DeviceStateView(device: "sim", connected: true, error: "e")
        view.note = "n"; view.model = "m"; view.vendor = "v"; view.serial = "s"; view.temperatureCelsius = 30
        view.faults = [FaultView(name: "f", advice: "a")]
        view.run = RunView(program: "p", title: "t", state: "running", seconds: 1, duration: 2, step: "s", intensity: 50, controller: "c", detached: false)
        var mat = MatSessionView(startedBy: "c")
        mat.ended = "ended"
        view.matSession = mat
        view.lastRun = LastRunView(program: "p", note: "n", stop: "s")
        let message = ServiceCore.streamMessage(view, sequence: 1)
        let object = try JSONSerialization.jsonObject(with: Data(message.utf8)) as? [String: Any]
        let state = object?["state"] as? [String: Any] ?? [:]
        var keys: Set<String> = []
        for (key, value) in state {
            keys.insert(key)
            if let nested = value as? [String: Any] { keys.formUnion(nested.keys.map { "\(key).\($0)" }) }
        }
        return keys
    }

    @Test func theDeviceStateSchemaNamesTheKeysTheServiceSends() throws {
        let documented = Self.deviceStateKeys(in: try Self.document)
        let sent = try Self.sentKeys()
        #expect(!sent.isEmpty)
        #expect(documented == sent, "only in the document: \(documented.subtracting(sent).sorted()); only in what is sent: \(sent.subtracting(documented).sorted())")
        let notSnake = sent.filter { $0.contains(where: \.isUppercase) }
        #expect(notSnake.isEmpty, "keys in camelCase: \(notSnake.sorted())")
    }

    @Test func theParserFindsAChange() {
        let text = "paths:\n  /a:\n    get:\n      operationId: a\n  /b:\n    post:\n      operationId: b\n"
        #expect(Self.operations(in: text) == ["GET /a a", "POST /b b"])
        let schema = "    DeviceState:\n      properties:\n        a: {}\n        run:\n          properties:\n            b: {}\npaths:\n"
        #expect(Self.deviceStateKeys(in: schema) == ["a", "run", "run.b"])
    }
}
