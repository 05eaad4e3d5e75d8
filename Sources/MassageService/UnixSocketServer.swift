import Foundation
import MassageServiceProtocol
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The door for local tools: newline-delimited JSON-RPC on a UNIX socket of mode 0600 in
/// a folder of mode 0700. Each connection has a thread that reads a line, calls the same
/// ``ServiceCore`` handlers as HTTP, and writes one line back. An open connection keeps
/// its client present for the dead-man switch; its close (the process ended, even by a
/// crash: the kernel closes it) starts the countdown.
public final class UnixSocketServer: Sendable {
    public let path: String
    let listener: Int32
    let core: ServiceCore
    let connections = Atomic<Int>(0)
    let closed = Atomic<Bool>(false)
    static let maxConnections = 64
    static let maxLine = 64 * 1024

    /// Creates the folder (0700) and the socket (0600) at `path`, replacing a stale socket
    /// left by a service that died; refuses when another service answers there.
    public init(path: String, core: ServiceCore) throws(RPCError) {
        self.path = path
        self.core = core
        let folder = (path as NSString).deletingLastPathComponent
        if mkdir(folder, 0o700) != 0 && errno != EEXIST {
            throw RPCError(code: 500, message: "cannot create \(folder): \(String(cString: strerror(errno)))")
        }
        chmod(folder, 0o700)
        if (try? ServiceClient(socketPath: path)) != nil {
            throw RPCError(code: 409, message: "another service already listens on \(path); stop it first (systemctl --user stop massage-control)")
        }
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw RPCError(code: 500, message: "cannot create a UNIX socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            Glibc.close(fd)
            throw RPCError(code: 500, message: "the socket path \(path) is too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        // The umask makes the socket 0600 from the moment it exists; chmod repeats it.
        let previous = umask(0o177)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(previous)
        guard bound == 0, chmod(path, 0o600) == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw RPCError(code: 500, message: "cannot listen on \(path): \(reason)")
        }
        listener = fd
    }

    /// Accepts connections on a thread of its own until ``close()``.
    public func start() {
        let thread = Thread { [self] in
            while !closed.load(ordering: .relaxed) {
                let connection = accept(listener, nil, nil)
                if connection < 0 {
                    if errno == EINTR { continue }
                    break
                }
                guard connections.add(1, ordering: .relaxed).newValue <= Self.maxConnections else {
                    connections.subtract(1, ordering: .relaxed)
                    Self.send(connection, error: RPCError(code: 503, message: "too many connections"), id: nil)
                    Glibc.close(connection)
                    continue
                }
                let worker = Thread { [self] in
                    serve(connection)
                    connections.subtract(1, ordering: .relaxed)
                }
                worker.name = "massaged unix client"
                worker.start()
            }
        }
        thread.name = "massaged unix accept"
        thread.start()
    }

    public func close() {
        closed.store(true, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
        unlink(path)
    }

    func serve(_ fd: Int32) {
        defer { Glibc.close(fd) }
        var pending = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 8192)
        var client: String?
        defer { if let client { core.connection(of: client, opened: false) } }
        while true {
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = Array(pending[..<newline])
                pending.removeFirst(newline + 1)
                guard !line.isEmpty else { continue }
                let request: RPCRequest
                do {
                    request = try JSONDecoder().decode(RPCRequest.self, from: Data(line))
                } catch {
                    Self.send(fd, error: RPCError(code: 400, message: "not a JSON-RPC request ({\"id\":1,\"method\":\"devices\",\"params\":{}}): \(error)"), id: nil)
                    continue
                }
                var params = request.params
                let name = params.removeValue(forKey: "client")?.stringValue ?? "unix socket"
                let token = params.removeValue(forKey: "token")?.stringValue
                // The connection keeps its client present from its first request with the
                // token (as over HTTP, only a caller with the token can be a controller).
                if client == nil && core.tokens.accepts(token) {
                    client = name
                    core.connection(of: name, opened: true)
                }
                let device = params.removeValue(forKey: "device")?.stringValue
                do {
                    let result = try core.handle(method: request.method, device: device, params: params, caller: .init(client: client ?? name, token: token))
                    let id = (try? JSONEncoder().encode(request.id ?? .null)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
                    var answer = Data("{\"jsonrpc\":\"2.0\",\"id\":\(id),\"result\":".utf8)
                    answer.append(result)
                    answer.append(contentsOf: Array("}\n".utf8))
                    guard Self.write(fd, answer) else { return }
                } catch {
                    Self.send(fd, error: error, id: request.id)
                }
            }
            guard pending.count <= Self.maxLine else {
                Self.send(fd, error: RPCError(code: 413, message: "a request line is longer than \(Self.maxLine) bytes"), id: nil)
                return
            }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            pending.append(contentsOf: buffer[0..<count])
        }
    }

    static func send(_ fd: Int32, error: RPCError, id: JSONParam?) {
        struct Answer: Encodable { var jsonrpc = "2.0"; var id: JSONParam; var error: RPCError }
        guard var data = try? JSONEncoder().encode(Answer(id: id ?? .null, error: error)) else { return }
        data.append(0x0A)
        _ = write(fd, data)
    }

    static func write(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return true }
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(fd, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 && errno == EINTR { continue }
                guard sent > 0 else { return false }
                offset += sent
            }
            return true
        }
    }
}
