import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a file a person named (a program, a device table, a mat file) as untrusted input:
/// at most a bounded number of bytes, only from a regular file, and with an error that
/// says what is wrong in words.
///
/// `FileManager` answers "no such file" for a symlink loop or a path too long, and
/// reading a FIFO through it blocks until a writer comes, forever if none does. Here the
/// file is opened without blocking (`O_NONBLOCK`), checked with `fstat` to be a regular
/// file, and only then read; errno becomes a sentence.
public enum UntrustedFile {
    /// Why the file could not be read.
    public enum ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        /// It holds more than the limit (only the limit and one byte were read).
        case tooLarge(limit: Int)
        /// Anything else, as a phrase: "no such file", "not a regular file (a FIFO)…".
        case unreadable(String)

        public var description: String {
            switch self {
            case .tooLarge(let limit): "larger than \(limit) bytes"
            case .unreadable(let problem): problem
            }
        }
    }

    /// The bytes of the regular file at `path`, at most `maximumBytes` of them.
    public static func read(path: String, maximumBytes: Int) throws(ReadError) -> Data {
        guard !path.isEmpty else { throw .unreadable("no such file (the path is empty)") }
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else { throw .unreadable(openProblem(errno)) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .unreadable("cannot be examined: \(describe(errno))") }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else { throw .unreadable(notRegular(type)) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while data.count <= maximumBytes {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable("cannot be read: \(describe(errno))")
            }
            data.append(contentsOf: buffer[0..<count])
        }
        guard data.count <= maximumBytes else { throw .tooLarge(limit: maximumBytes) }
        return data
    }

    static func openProblem(_ code: Int32) -> String {
        switch code {
        case ENOENT: "no such file"
        case ELOOP: "too many levels of symbolic links (a symlink loop?)"
        case ENAMETOOLONG: "the path is too long (ENAMETOOLONG)"
        case ENOTDIR: "a part of the path is not a folder"
        case EACCES, EPERM: "permission denied (check the file's permissions and its folders')"
        case EISDIR: "is a directory, not a file"
        default: "cannot be opened: \(describe(code))"
        }
    }

    static func notRegular(_ type: mode_t) -> String {
        let kind = switch type {
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "not a plain file"
        }
        return type == S_IFDIR ? "is a directory, not a file" : "not a regular file (\(kind)); give a file"
    }

    /// `strerror` and the errno's name in C, e.g. "Input/output error (errno 5)".
    static func describe(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}
