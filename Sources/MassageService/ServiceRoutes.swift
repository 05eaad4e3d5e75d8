/// Every operation of the API, once: the HTTP router, the UNIX socket's method names and
/// the OpenAPI test all read this table, so the two doors and the document cannot drift.
public struct ServiceRoute: Sendable, Equatable {
    public enum Verb: String, Sendable { case get = "GET", post = "POST" }
    public var verb: Verb
    /// The HTTP path; `{device}` is the device's name, percent-encoded.
    public var path: String
    /// The JSON-RPC method on the UNIX socket.
    public var method: String
    /// Needs the token (and, for run commands, control of the device).
    public var changesState: Bool
}

extension ServiceRoute {
    public static let all: [ServiceRoute] = [
        ServiceRoute(verb: .get, path: "/api/v1/devices", method: "devices", changesState: false),
        ServiceRoute(verb: .get, path: "/api/v1/programs", method: "programs", changesState: false),
        ServiceRoute(verb: .get, path: "/api/v1/history", method: "history", changesState: false),
        ServiceRoute(verb: .get, path: "/api/v1/mat/goal", method: "mat-goal", changesState: false),
        ServiceRoute(verb: .post, path: "/api/v1/devices/{device}/start", method: "start", changesState: true),
        ServiceRoute(verb: .post, path: "/api/v1/devices/{device}/pause", method: "pause", changesState: true),
        ServiceRoute(verb: .post, path: "/api/v1/devices/{device}/resume", method: "resume", changesState: true),
        ServiceRoute(verb: .post, path: "/api/v1/devices/{device}/intensity", method: "intensity", changesState: true),
        ServiceRoute(verb: .post, path: "/api/v1/devices/{device}/stop", method: "stop", changesState: true),
        ServiceRoute(verb: .post, path: "/api/v1/devices/{device}/clear-fault", method: "clear-fault", changesState: true),
        ServiceRoute(verb: .post, path: "/api/v1/devices/{device}/mat-session/start", method: "mat-start", changesState: true),
        ServiceRoute(verb: .post, path: "/api/v1/devices/{device}/mat-session/end", method: "mat-end", changesState: true),
    ]

    /// The WebSocket stream of live state (not an operation: no JSON-RPC method).
    public static let streamPath = "/api/v1/stream"

    public static func named(_ method: String) -> ServiceRoute? { all.first { $0.method == method } }
}
