import Foundation
import MassageServiceProtocol
#if canImport(Glibc)
import Glibc
#endif

/// The token that anything changing state must show. Created at the service's first
/// start from the system's random source, kept in a file of mode 0600 (its folder 0700),
/// and read again on later starts so that a bookmarked dashboard URL keeps working.
public struct TokenStore: Sendable {
    public let token: String

    public init(token: String) { self.token = token }

    /// Reads the token at `path`, or creates it there (0600) when there is none. A file
    /// that others may read is refused: its token is no longer a secret.
    public static func loadOrCreate(path: String) throws(RPCError) -> TokenStore {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw RPCError(code: 500, message: "cannot create \(folder) for the service token: \(error.localizedDescription)")
        }
        var info = stat()
        if stat(path, &info) == 0 {
            if info.st_mode & 0o077 != 0 {
                throw RPCError(code: 500, message: "\(path) can be read by others (mode \(String(info.st_mode & 0o777, radix: 8))): its token is not secret any more; delete it and start the service again for a new one")
            }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw RPCError(code: 500, message: "cannot read the service token \(path); delete it and start again")
            }
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard token.count >= 32 else { throw RPCError(code: 500, message: "the service token in \(path) is too short; delete it and start again") }
            return TokenStore(token: token)
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        let token = bytes.map { String(format: "%02x", $0) }.joined()
        // O_EXCL: two services starting at once never overwrite each other's token.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw RPCError(code: 500, message: "cannot create the service token \(path): \(String(cString: strerror(errno)))") }
        let line = Array((token + "\n").utf8)
        let written = write(fd, line, line.count)
        close(fd)
        guard written == line.count else { throw RPCError(code: 500, message: "cannot write the service token \(path)") }
        return TokenStore(token: token)
    }

    /// Whether `candidate` is the token, compared in constant time.
    public func accepts(_ candidate: String?) -> Bool {
        guard let candidate else { return false }
        let a = Array(candidate.utf8), b = Array(token.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
