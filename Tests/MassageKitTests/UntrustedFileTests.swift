import Foundation
import Glibc
import MassageKit
import Testing

@Suite("UntrustedFile: bounded reads of regular files, errno in words")
struct UntrustedFileTests {
    static func withDirectory(_ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("untrusted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory)
    }

    @Test("a file within the limit is read whole; one byte over is refused")
    func limit() throws {
        try Self.withDirectory { directory in
            let path = directory.appendingPathComponent("f").path
            try Data(repeating: 7, count: 100).write(to: URL(fileURLWithPath: path))
            #expect(try UntrustedFile.read(path: path, maximumBytes: 100).count == 100)
            #expect(throws: UntrustedFile.ReadError.tooLarge(limit: 99)) { try UntrustedFile.read(path: path, maximumBytes: 99) }
        }
    }

    @Test("missing, a directory, a FIFO (without blocking), a loop, a long path, /proc/self/mem")
    func problems() throws {
        try Self.withDirectory { directory in
            let fifo = directory.appendingPathComponent("fifo").path
            #expect(mkfifo(fifo, 0o600) == 0)
            let loop = directory.appendingPathComponent("loop").path
            #expect(symlink(loop, loop) == 0)
            let cases: [(String, String)] = [
                (directory.appendingPathComponent("none").path, "no such file"),
                (directory.path, "is a directory, not a file"),
                (fifo, "not a regular file (a FIFO); give a file"),
                (loop, "too many levels of symbolic links (a symlink loop?)"),
                (directory.path + "/" + String(repeating: "x", count: 300), "the path is too long (ENAMETOOLONG)"),
                ("/proc/self/mem", "cannot be read: Input/output error (errno 5)"),
            ]
            for (path, problem) in cases {
                #expect(throws: UntrustedFile.ReadError.unreadable(problem)) { try UntrustedFile.read(path: path, maximumBytes: 1000) }
            }
        }
    }
}
