// Used by the HTTP suites only: built with the Service trait (swift test --traits Service).
#if Service
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bare HTTP/1.1 client over a TCP socket, so that a test sets any Host and Origin it
/// likes (a real client library fills in the right ones), and sends WebSocket upgrades.
enum RawHTTP {
    struct Answer {
        var status: Int
        var head: String
        var body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
        var errorMessage: String { ((json["error"] as? [String: Any])?["message"] as? String) ?? "" }
    }

    /// The request on a thread of its own: a blocking socket call must not hold one of the
    /// cooperative pool's few threads, which the server's handlers need to answer it.
    static func request(port: Int, method: String = "GET", path: String, host: String? = nil, origin: String? = nil,
                        token: String? = nil, client: String? = nil, body: String? = nil, extra: [String] = []) async throws -> Answer {
        try await onThread {
            try blockingRequest(port: port, method: method, path: path, host: host, origin: origin, token: token, client: client, body: body, extra: extra)
        }
    }

    static func blockingRequest(port: Int, method: String = "GET", path: String, host: String? = nil, origin: String? = nil,
                                token: String? = nil, client: String? = nil, body: String? = nil, extra: [String] = []) throws -> Answer {
        var lines = ["\(method) \(path) HTTP/1.1"]
        lines.append("Host: \(host ?? "127.0.0.1:\(port)")")
        if let origin { lines.append("Origin: \(origin)") }
        if let token { lines.append("Authorization: Bearer \(token)") }
        if let client { lines.append("X-Massage-Client: \(client)") }
        if let body {
            lines.append("Content-Type: application/json")
            lines.append("Content-Length: \(body.utf8.count)")
        } else if method == "POST" {
            lines.append("Content-Length: 0")
        }
        lines.append(contentsOf: extra)
        lines.append(extra.contains { $0.hasPrefix("Upgrade:") } ? "Connection: Upgrade" : "Connection: close")
        let text = lines.joined(separator: "\r\n") + "\r\n\r\n" + (body ?? "")
        let raw = try exchange(port: port, bytes: Array(text.utf8), readUntilClose: !extra.contains { $0.hasPrefix("Upgrade:") })
        let parts = raw.components(separatedBy: "\r\n\r\n")
        let head = parts[0]
        let status = Int(head.split(separator: " ").dropFirst().first ?? "0") ?? 0
        var answerBody = parts.dropFirst().joined(separator: "\r\n\r\n")
        if head.lowercased().contains("transfer-encoding: chunked") { answerBody = dechunk(answerBody) }
        return Answer(status: status, head: head, body: answerBody)
    }

    /// A WebSocket upgrade request with `origin` and `host`: the status line answered.
    static func upgrade(port: Int, host: String? = nil, origin: String?) async throws -> Answer {
        try await request(port: port, path: "/api/v1/stream", host: host, origin: origin,
                    extra: ["Upgrade: websocket", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"])
    }

    static func dechunk(_ text: String) -> String {
        var rest = Substring(text), out = ""
        while let lineEnd = rest.range(of: "\r\n"), let size = Int(rest[..<lineEnd.lowerBound], radix: 16), size > 0 {
            let start = lineEnd.upperBound
            let bytes = Array(rest[start...].utf8)
            out += String(decoding: bytes.prefix(size), as: UTF8.self)
            rest = Substring(String(decoding: bytes.dropFirst(size + 2), as: UTF8.self))
        }
        return out
    }

    static func exchange(port: Int, bytes: [UInt8], readUntilClose: Bool) throws -> String {
        let fd = try connectTCP(port: port)
        defer { close(fd) }
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
            // An accepted upgrade keeps the socket open: its head is the whole answer.
            if !readUntilClose, String(decoding: received, as: UTF8.self).contains("\r\n\r\n") { break }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// A TCP connection to 127.0.0.1:`port`, reads timing out after 10 s.
    static func connectTCP(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        return fd
    }
}

/// A WebSocket client that sends text frames (masked, as a browser does) and never
/// reads: enough to say hello and ping as a page would.
final class RawWebSocket: Sendable {
    let fd: Int32

    init(port: Int) throws {
        fd = try RawHTTP.connectTCP(port: port)
        let head = "GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        _ = Array(head.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var byte: UInt8 = 0
        while !String(decoding: received.suffix(4), as: UTF8.self).hasSuffix("\r\n\r\n"), recv(fd, &byte, 1, 0) == 1 { received.append(byte) }
        guard String(decoding: received, as: UTF8.self).hasPrefix("HTTP/1.1 101") else {
            close(fd)
            throw POSIXError(.EPROTO)
        }
    }

    func send(text: String) {
        let payload = Array(text.utf8)
        precondition(payload.count < 126, "a short frame only")
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        var frame: [UInt8] = [0x81, 0x80 | UInt8(payload.count)] + mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        _ = frame.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads frames until a close frame: its status code (nil: the connection ended or
    /// stayed silent for 10 s first).
    func receiveCloseCode() -> UInt16? {
        func read(_ count: Int) -> [UInt8]? {
            var bytes = [UInt8](repeating: 0, count: count), got = 0
            while got < count {
                let n = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
                guard n > 0 else { return nil }
                got += n
            }
            return bytes
        }
        while let head = read(2) {
            var length = Int(head[1] & 0x7F)
            if length == 126 { guard let more = read(2) else { return nil }; length = Int(more[0]) << 8 | Int(more[1]) }
            if length == 127 { guard let more = read(8) else { return nil }; length = more.reduce(0) { $0 << 8 | Int($1) } }
            guard let payload = read(length) else { return nil }
            if head[0] & 0x0F == 8 { return payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : 0 }
        }
        return nil
    }

    deinit { close(fd) }
}
#endif
