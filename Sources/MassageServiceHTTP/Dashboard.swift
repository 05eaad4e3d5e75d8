// Built only with the Service trait (swift build --traits Service): see Package.swift.
#if Service
import Foundation
import MassageService
import MassageServiceProtocol
import Hummingbird

/// The dashboard's files, read once at start from the folder shipped with the service
/// (plain HTML, CSS and JavaScript; nothing fetched from elsewhere). Only these names are
/// served, so no path from a request ever reaches the file system.
public struct Dashboard: Sendable {
    public let files: [String: Data]
    static let names = ["index.html", "app.js", "style.css"]
    /// The resource bundle SwiftPM builds beside the executable, and the install steps copy
    /// beside an installed massaged.
    static let bundleName = "massage-control_MassageServiceHTTP.resources"

    public init(files: [String: Data]) { self.files = files }

    /// Where the files are looked for when no folder is given, in order: the resource
    /// bundle beside the executable, then the repository's own copy (a build run from its
    /// checkout). SwiftPM's `Bundle.module` is not used: it traps when its bundle is
    /// missing, and a missing bundle is an installation mistake to report, not a crash.
    public static func defaultFolders(executableFolder: URL = Bundle.main.bundleURL) -> [String] {
        [executableFolder.appendingPathComponent(bundleName).appendingPathComponent("Dashboard").path,
         URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Dashboard").path]
    }

    /// Reads the files from `folder`, or from the first of ``defaultFolders(executableFolder:)``
    /// that holds them; refuses, naming the places looked at and the fix, when none does.
    public static func load(folder: String? = nil, executableFolder: URL = Bundle.main.bundleURL) throws(RPCError) -> Dashboard {
        let candidates = folder.map { [$0] } ?? defaultFolders(executableFolder: executableFolder)
        for base in candidates where FileManager.default.fileExists(atPath: base + "/index.html") {
            var files: [String: Data] = [:]
            for name in names {
                guard let data = FileManager.default.contents(atPath: base + "/" + name) else {
                    throw RPCError(code: 500, message: "the dashboard's \(name) cannot be read in \(base); reinstall the dashboard's files there")
                }
                files[name] = data
            }
            return Dashboard(files: files)
        }
        let fix = folder == nil
            ? "copy \(bundleName) from the build folder beside massaged (README, \"As a systemd user service\"), or pass --dashboard FOLDER"
            : "pass --dashboard a folder that holds \(names.joined(separator: ", "))"
        throw RPCError(code: 500, message: "the dashboard's files are not in \(candidates.joined(separator: " or ")): \(fix)")
    }

    func response(for name: String) -> Response {
        let type = name.hasSuffix(".html") ? "text/html; charset=utf-8" : name.hasSuffix(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8"
        var headers: HTTPFields = [.contentType: type, .cacheControl: "no-store"]
        // Only this origin's scripts, styles and connections; no inline script.
        headers[.contentSecurityPolicy] = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: files[name] ?? Data())))
    }
}
#endif
