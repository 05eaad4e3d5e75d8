import MassageServiceProtocol

/// Who may reach the service over HTTP and WebSocket: the `Host` a request names and the
/// `Origin` a browser attaches are checked against allow-lists on every request and every
/// WebSocket upgrade. A DNS-rebinding page reaches 127.0.0.1 under its own host name and
/// fails the Host check; a cross-site page (including a WebSocket hijack) carries its own
/// Origin and fails the Origin check.
public struct AccessPolicy: Sendable, Equatable {
    /// `host:port` values, lowercased.
    public var allowedHosts: Set<String>
    /// `scheme://host:port` values, lowercased.
    public var allowedOrigins: Set<String>

    /// Loopback names for `port`, and any `extraHosts` the person listed (`name:port`).
    public init(port: Int, extraHosts: [String] = []) {
        var hosts: Set<String> = ["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)"]
        for host in extraHosts { hosts.insert(host.lowercased()) }
        allowedHosts = hosts
        allowedOrigins = Set(hosts.map { "http://\($0)" })
    }

    /// Nil when `host` is allowed; otherwise the refusal (403).
    public func checkHost(_ host: String?) -> RPCError? {
        guard let host, !host.isEmpty else {
            return RPCError(code: 403, message: "refused: the request names no Host; open the dashboard at the URL massagectl serve --show-url prints")
        }
        if allowedHosts.contains(host.lowercased()) { return nil }
        return RPCError(code: 403, message: "refused: Host \(host) is not one this service answers to (allowed: \(allowedHosts.sorted().joined(separator: ", "))); open the URL massagectl serve --show-url prints")
    }

    /// Nil when `origin` is absent (a program that is not a browser; a same-origin GET)
    /// or allowed; otherwise the refusal (403). A browser always sends Origin on a
    /// WebSocket upgrade and on a cross-origin request, so a foreign page is caught.
    public func checkOrigin(_ origin: String?) -> RPCError? {
        guard let origin else { return nil }
        if allowedOrigins.contains(origin.lowercased()) { return nil }
        return RPCError(code: 403, message: "refused: a page from \(origin) may not use this service (cross-origin requests and WebSockets are refused)")
    }

    /// Both checks, Host first.
    public func check(host: String?, origin: String?) -> RPCError? {
        checkHost(host) ?? checkOrigin(origin)
    }
}
