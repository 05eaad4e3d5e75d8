import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small blocking client for the service's UNIX socket: one JSON line out, one back.
/// What massagectl uses; no event loop, no web stack.
public final class ServiceClient {
    let descriptor: Int32
    var nextID = 1
    var pending = Data()

    /// Connects to `path`; fails when no service listens there.
    public init(socketPath path: String) throws(ServiceClientError) {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .cannotConnect(path: path, reason: String(cString: strerror(errno))) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw .cannotConnect(path: path, reason: "the path is too long for a UNIX socket")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .cannotConnect(path: path, reason: reason)
        }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Calls `method`; the result is the JSON object of the answer's `result`.
    public func call(_ method: String, params: [String: JSONParam] = [:]) throws(ServiceClientError) -> [String: Any] {
        let request = RPCRequest(id: nextID, method: method, params: params)
        nextID += 1
        var line: Data
        do { line = try JSONEncoder().encode(request) } catch { throw .badAnswer("cannot encode the request: \(error)") }
        line.append(0x0A)
        let sent = line.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == line.count else { throw .closed }
        let answer = try readLine()
        guard let object = (try? JSONSerialization.jsonObject(with: answer)) as? [String: Any] else {
            throw .badAnswer(String(decoding: answer.prefix(200), as: UTF8.self))
        }
        if let error = object["error"] as? [String: Any] {
            throw .refused(RPCError(code: error["code"] as? Int ?? 500, message: error["message"] as? String ?? "refused"))
        }
        return object["result"] as? [String: Any] ?? [:]
    }

    func readLine() throws(ServiceClientError) -> Data {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = pending[pending.startIndex..<newline]
                pending = Data(pending[(newline + 1)...])
                return Data(line)
            }
            // An answer longer than 4 MB is not one this client asked for.
            guard pending.count < 4 << 20 else { throw .badAnswer("an answer longer than 4 MB") }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { throw .closed }
            pending.append(contentsOf: buffer[0..<count])
        }
    }
}

/// What went wrong talking to the service.
public enum ServiceClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotConnect(path: String, reason: String)
    case closed
    case badAnswer(String)
    case refused(RPCError)

    public var description: String {
        switch self {
        case .cannotConnect(let path, let reason): "no service answers on \(path) (\(reason)): start it with massagectl serve"
        case .closed: "the service closed the connection"
        case .badAnswer(let text): "the service's answer is not JSON-RPC: \(text)"
        case .refused(let error): "the service refused: \(error.message)"
        }
    }
}
