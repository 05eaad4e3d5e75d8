// Built only with the Service trait (swift build --traits Service): see Package.swift.
#if Service
import Foundation
import MassageService
import Hummingbird

/// The dashboard's files, read once at start from the folder shipped with the service
/// (plain HTML, CSS and JavaScript; nothing fetched from elsewhere). Only these names are
/// served, so no path from a request ever reaches the file system.
public struct Dashboard: Sendable {
    public let files: [String: Data]
    static let names = ["index.html", "app.js", "style.css"]

    public init(files: [String: Data]) { self.files = files }

    /// Reads the files from `folder` (by default the copy shipped inside the service's
    /// resource bundle).
    public static func load(folder: String? = nil) throws -> Dashboard {
        let base = folder ?? Bundle.module.resourceURL.map { $0.appendingPathComponent("Dashboard").path } ?? "Dashboard"
        var files: [String: Data] = [:]
        for name in names {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: base + "/" + name))
        }
        return Dashboard(files: files)
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
