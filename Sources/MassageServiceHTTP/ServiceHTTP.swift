// Built only with the Service trait (swift build --traits Service): see Package.swift.
#if Service
import Foundation
import MassageService
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import MassageServiceProtocol
import Synchronization

/// The HTTP and WebSocket door: the routes of ``ServiceRoute/all`` onto ``ServiceCore``,
/// the live state stream, and the dashboard's files. Every request and every WebSocket
/// upgrade passes the ``AccessPolicy`` first.
public enum ServiceHTTP {
    /// The policy's port is known once the server has bound (port 0 in tests).
    public final class PolicyBox: Sendable {
        let value: Mutex<AccessPolicy>
        let extraHosts: [String]
        public init(port: Int, extraHosts: [String]) {
            value = Mutex(AccessPolicy(port: port, extraHosts: extraHosts))
            self.extraHosts = extraHosts
        }
        public var policy: AccessPolicy { value.withLock { $0 } }
        public func bound(port: Int) { value.withLock { $0 = AccessPolicy(port: port, extraHosts: extraHosts) } }
    }

    /// The longest request body read, bytes.
    static let maxBody = 16 * 1024

    public static func makeApplication(core: ServiceCore, dashboard: Dashboard, host: String, port: Int, policy: PolicyBox,
                                       onBound: @escaping @Sendable (Int) async -> Void = { _ in },
                                       logger: Logger = Logger(label: "massaged")) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(AccessMiddleware(policy: policy))
        for route in ServiceRoute.all {
            let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
                await call(core: core, route: route, request: request, context: context)
            }
            switch route.verb {
            case .get: router.get(RouterPath(route.path.replacingOccurrences(of: "{device}", with: ":device")), use: handler)
            case .post: router.post(RouterPath(route.path.replacingOccurrences(of: "{device}", with: ":device")), use: handler)
            }
        }
        // A plain GET of the stream path: the upgrade was refused or not asked for.
        router.get(RouterPath(ServiceRoute.streamPath)) { _, _ in
            if core.hub.isFull { return errorResponse(streamsFull(core)) }
            return errorResponse(RPCError(code: 400, message: "this is the WebSocket stream: connect with a WebSocket from an allowed origin"))
        }
        for file in dashboard.files.keys {
            router.get(RouterPath(file == "index.html" ? "/" : "/\(file)")) { _, _ in dashboard.response(for: file) }
        }
        return Application(
            router: router,
            server: .http1WebSocketUpgrade { request, _, _ in
                guard request.path == ServiceRoute.streamPath else { return .dontUpgrade }
                // Refused upgrades fall through to the router, whose middleware answers 403.
                if policy.policy.check(host: request.authority, origin: request.headerFields[.origin]) != nil { return .dontUpgrade }
                return .upgrade([:]) { inbound, outbound, _ in
                    try await stream(core: core, inbound: inbound, outbound: outbound)
                }
            },
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                policy.bound(port: bound)
                await onBound(bound)
            },
            logger: logger
        )
    }

    static func call(core: ServiceCore, route: ServiceRoute, request: Request, context: BasicRequestContext) async -> Response {
        let client = request.headers[.massageClient] ?? "http"
        var token: String?
        if let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer ") {
            token = String(authorization.dropFirst("Bearer ".count))
        }
        var params: [String: JSONParam] = [:]
        if route.verb == .post {
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: maxBody)
            } catch {
                return errorResponse(RPCError(code: 413, message: "the body is longer than \(maxBody) bytes"))
            }
            if body.readableBytes > 0 {
                do {
                    params = try JSONDecoder().decode([String: JSONParam].self, from: Data(body.readableBytesView))
                } catch {
                    return errorResponse(RPCError(code: 400, message: "the body is not a JSON object of strings, numbers and booleans: \(error)"))
                }
            }
        }
        for item in request.uri.queryParameters {
            let key = String(item.key), value = String(item.value)
            params[key] = Double(value).map(JSONParam.number) ?? .string(value)
        }
        let device = context.parameters.get("device").map { $0.removingPercentEncoding ?? $0 }
        do throws(RPCError) {
            let data = try core.handle(method: route.method, device: device, params: params, caller: .init(client: client, token: token))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        } catch {
            return errorResponse(error)
        }
    }

    static func streamsFull(_ core: ServiceCore) -> RPCError {
        RPCError(code: 503, message: "the service has \(core.hub.maxSubscribers) live streams open, its limit; close a page or a client that watches, then connect again")
    }

    static func errorResponse(_ error: RPCError) -> Response {
        let body = (try? JSONEncoder().encode(["error": error])) ?? Data()
        return Response(status: HTTPResponse.Status(code: error.code), headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// One WebSocket client: the newest state out, hello and pings in. A hello that
    /// carries the token makes the pings keep that client present for the dead-man
    /// switch; without it the client only watches (anyone could say hello under any name).
    static func stream(core: ServiceCore, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        // Past the limit: closed at once with 1013, "try again later" (a browser sees the
        // close code, not an HTTP status; a plain GET of the path says 503 and why).
        guard let (id, states) = core.hub.subscribe() else {
            try await outbound.close(.init(codeNumber: 1013), reason: "too many live streams (\(core.hub.maxSubscribers)); close another page")
            return
        }
        defer { core.hub.unsubscribe(id) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await message in states { try await outbound.write(.text(message)) }
            }
            group.addTask {
                var client: String?
                for try await message in inbound.messages(maxSize: 4096) {
                    guard case .text(let text) = message,
                          let object = try? JSONDecoder().decode([String: JSONParam].self, from: Data(text.utf8)) else { continue }
                    if object["type"]?.stringValue == "hello", let name = object["client"]?.stringValue, !name.isEmpty,
                       core.tokens.accepts(object["token"]?.stringValue) {
                        client = String(name.prefix(80))
                    }
                    if let client { core.heard(from: client) }
                }
            }
            // Either side ending (the client closed, or the stream ended) ends both.
            try await group.next()
            group.cancelAll()
        }
    }
}

extension HTTPField.Name {
    /// The client's self-chosen name, for control and refusals.
    static let massageClient = HTTPField.Name("X-Massage-Client")!
}

/// Host and Origin on every request (the upgrade's refusals reach here too).
struct AccessMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: ServiceHTTP.PolicyBox

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let refusal = policy.policy.check(host: request.head.authority, origin: request.headers[.origin]) {
            return ServiceHTTP.errorResponse(refusal)
        }
        var response = try await next(request, context)
        // No CORS headers at all: a page from elsewhere cannot read any answer. No framing.
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("X-Content-Type-Options")!] = "nosniff"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        return response
    }
}
#endif
