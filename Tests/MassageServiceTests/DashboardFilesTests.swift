// The HTTP door's types exist only with the Service trait (see ServiceTraitTests).
#if Service
import Foundation
import MassageServiceHTTP
import MassageServiceProtocol
import Testing

/// Where massaged finds the dashboard's files: an installed massaged reads the resource
/// bundle copied beside it, and a bundle that was not copied is a clear error that says
/// what to do, never a trap (SwiftPM's Bundle.module would fatalError).
@Suite struct DashboardFilesTests {
    func temporaryFolder() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("dashboard-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func theBundleBesideTheExecutableComesFirst() throws {
        let bin = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: bin) }
        let folder = bin.appendingPathComponent("massage-control_MassageServiceHTTP.resources/Dashboard")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["index.html", "app.js", "style.css"] {
            try Data("installed \(name)".utf8).write(to: folder.appendingPathComponent(name))
        }
        let dashboard = try Dashboard.load(executableFolder: bin)
        #expect(dashboard.files["index.html"] == Data("installed index.html".utf8))
        #expect(dashboard.files["style.css"] == Data("installed style.css".utf8))
    }

    @Test func withoutTheBundleTheRepositoryCopyIsUsed() throws {
        let bin = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: bin) }
        let dashboard = try Dashboard.load(executableFolder: bin)
        let page = String(decoding: dashboard.files["index.html"] ?? Data(), as: UTF8.self)
        #expect(page.contains("app.js"))
        #expect(Dashboard.defaultFolders(executableFolder: bin).last?.hasSuffix("Sources/MassageServiceHTTP/Dashboard") == true)
    }

    @Test func aFolderWithoutTheFilesIsAnErrorThatSaysWhatToDo() throws {
        let empty = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: empty) }
        let error = #expect(throws: RPCError.self) { try Dashboard.load(folder: empty.path) }
        #expect(error?.message.contains(empty.path) == true)
        #expect(error?.message.contains("--dashboard") == true)
        // A folder with index.html but not the rest: the missing file is named.
        try Data("<html>".utf8).write(to: empty.appendingPathComponent("index.html"))
        let partial = #expect(throws: RPCError.self) { try Dashboard.load(folder: empty.path) }
        #expect(partial?.message.contains("app.js") == true)
    }
}
#endif
