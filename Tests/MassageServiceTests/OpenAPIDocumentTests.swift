import Foundation
import MassageService
import Testing

/// docs/openapi.yaml lists exactly the routes the service registers (ServiceRoute.all is
/// what both the HTTP router and the UNIX socket use), with the same verbs and ids.
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

    @Test func theParserFindsAChange() {
        let text = "paths:\n  /a:\n    get:\n      operationId: a\n  /b:\n    post:\n      operationId: b\n"
        #expect(Self.operations(in: text) == ["GET /a a", "POST /b b"])
    }
}
