import ArgumentParser
import Foundation

/// Standard input read whole, with a bound: `wire encode --json -` fed /dev/zero would
/// otherwise grow until memory runs out.
enum StandardInput {
    /// All of standard input, or a usage error once it passes `limit` bytes (only
    /// `limit` and one more chunk are read).
    static func read(limit: Int, what: String) throws -> Data {
        var data = Data()
        while let chunk = try FileHandle.standardInput.read(upToCount: 64 * 1024), !chunk.isEmpty {
            data.append(chunk)
            if data.count > limit {
                throw ValidationError("\(what) on standard input is larger than \(limitText(limit)); is this the right input?")
            }
        }
        return data
    }

    static func limitText(_ bytes: Int) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : bytes % 1024 == 0 ? "\(bytes >> 10) KiB" : "\(bytes) bytes"
    }
}
