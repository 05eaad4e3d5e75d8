import MassageKit
import Glibc

/// Why a transport could not be opened or used. Every message says what went wrong and
/// what to do about it; operating-system failures carry the `errno` text.
///
/// A host leaving is not an error for a ``DevicePort``: it shows as
/// ``DevicePort/isConnected`` turning false and a ``PortEvent/disconnected(_:)``.
/// The errors below mean the operation could not be done at all.
public enum PortError: Error, Sendable, Equatable, CustomStringConvertible {
    /// This end was closed (``DevicePort/close()`` or `disconnect()` on this side).
    case closed(port: String)
    /// The other end went away; this end cannot be reattached.
    case disconnected(port: String, reason: String)
    /// An in-memory link's queue toward the device already holds `capacity` bytes.
    case bufferFull(port: String, capacity: Int)
    /// A path that cannot be used at all (empty, or containing a NUL byte).
    case invalidPath(path: String, reason: String)
    /// A UNIX socket path longer than `sockaddr_un.sun_path` can hold.
    case pathTooLong(path: String, byteCount: Int, limit: Int)
    /// Something other than a socket is in the way of the socket.
    case notASocket(path: String)
    /// Another process is listening on the socket path.
    case socketInUse(path: String)
    /// Something is in the way of a symlink this port would create.
    case pathInUse(path: String, detail: String)
    /// The socket file did not end up owner-only (0600) and could not be made so.
    case insecureMode(path: String, mode: UInt32)
    /// A system call failed.
    case system(operation: String, path: String?, errno: Int32)

    public var description: String {
        switch self {
        case .closed(let port):
            return "\(port) is closed: open a new port to talk to the device again"
        case .disconnected(let port, let reason):
            return "\(port) is disconnected (\(reason)): make a new link to talk again"
        case .bufferFull(let port, let capacity):
            return "\(port): the device has not yet read the \(capacity) bytes already queued for it:"
                + " let the simulator run, write less at a time, or make the link with a larger capacity"
        case .invalidPath(let path, let reason):
            return "cannot use the path \"\(path)\": \(reason)"
        case .pathTooLong(let path, let byteCount, let limit):
            return "\(path) is \(byteCount) bytes long, but a UNIX socket path can be at most \(limit) bytes:"
                + " choose a shorter path (for example in /tmp or $XDG_RUNTIME_DIR)"
        case .notASocket(let path):
            return "\(path) exists and is not a socket: remove it or choose another path"
        case .socketInUse(let path):
            return "another process (another simulator?) is listening on \(path):"
                + " stop it or choose another path"
        case .pathInUse(let path, let detail):
            return "\(path) exists (\(detail)): remove it or choose another path"
        case .insecureMode(let path, let mode):
            return "\(path) has mode \(octal(mode)), not 0600, and could not be made owner-only:"
                + " choose a directory on a file system with UNIX permissions"
        case .system(let operation, let path, let code):
            let subject = path.map { "\(operation) \($0)" } ?? operation
            return "\(subject) failed: \(Errno(code).description)\(hint(for: code))"
        }
    }
}

private func hint(for code: Int32) -> String {
    switch code {
    case EACCES, EPERM: return ": check the permissions of the file and its directory"
    case ENOENT, ENOTDIR: return ": check that the directory exists"
    case EROFS: return ": the file system is read-only; choose another path"
    case EMFILE, ENFILE: return ": too many open files; close some ports or raise the limit (ulimit -n)"
    case ENOSPC, EDQUOT: return ": free some space or choose another path"
    default: return ""
    }
}

private func octal(_ mode: UInt32) -> String {
    let digits = String(mode & 0o7777, radix: 8)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
