import Foundation
import Synchronization
import Testing

/// Runs the built `massagectl` binary, as a person or a script would.
///
/// The tests go through the binary rather than the command types so that they pin
/// what users see: help text, exit statuses and the split between standard output
/// and standard error.
enum MassagectlProcess {
    struct Result {
        var status: Int32
        /// False when the process died of a signal: a crash, whatever the status.
        var exitedNormally: Bool
        var standardOutput: Data
        var standardError: String
        var output: String { String(decoding: standardOutput, as: UTF8.self) }
        var lines: [String] { output.split(separator: "\n").map(String.init) }
    }

    /// The binary: `MASSAGECTL` if set, else beside the test runner (SwiftPM puts every
    /// product of a build in one directory), else the debug products of this package.
    static func executable() throws -> URL {
        var candidates: [URL] = []
        if let path = ProcessInfo.processInfo.environment["MASSAGECTL"] {
            candidates.append(URL(fileURLWithPath: path))
        }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(runner.deletingLastPathComponent().appendingPathComponent("massagectl"))
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("massagectl"))
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("massagectl"))
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(package.appendingPathComponent(".build/debug/massagectl"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw NotFound(searched: candidates.map(\.path))
        }
        return found
    }

    struct NotFound: Error, CustomStringConvertible {
        var searched: [String]
        var description: String {
            "massagectl binary not found (run `swift build --product massagectl`, or set MASSAGECTL); looked at "
                + searched.joined(separator: ", ")
        }
    }

    /// Runs `massagectl arguments…` with `input` on standard input, and `environment`
    /// added to this process's. Streams go through temporary files, not pipes, so no
    /// output size can deadlock the test.
    static func run(_ arguments: [String], input: Data = Data(), environment: [String: String] = [:]) throws -> Result {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("massagectl-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inURL = directory.appendingPathComponent("in")
        let outURL = directory.appendingPathComponent("out")
        let errURL = directory.appendingPathComponent("err")
        try input.write(to: inURL)
        try Data().write(to: outURL)
        try Data().write(to: errURL)

        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let stdin = try FileHandle(forReadingFrom: inURL)
        let stdout = try FileHandle(forWritingTo: outURL)
        let stderr = try FileHandle(forWritingTo: errURL)
        defer { try? stdin.close(); try? stdout.close(); try? stderr.close() }
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        // A termination handler rather than waitUntilExit(), which on Linux polls a run
        // loop and adds tens of milliseconds to every run.
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        exited.wait()

        return Result(
            status: process.terminationStatus,
            exitedNormally: process.terminationReason == .exit,
            standardOutput: try Data(contentsOf: outURL),
            standardError: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Runs `massagectl arguments…` once per input, a few at a time: for the fuzz tests,
    /// whose hundreds of runs would otherwise wait on process start-up one by one.
    static func run(_ arguments: [String], inputs: [Data]) throws -> [Result] {
        let results = Mutex<[Swift.Result<Result, any Error>?]>(Array(repeating: nil, count: inputs.count))
        DispatchQueue.concurrentPerform(iterations: inputs.count) { i in
            let result = Swift.Result { try run(arguments, input: inputs[i]) }
            results.withLock { $0[i] = result }
        }
        // concurrentPerform returns only after every iteration has stored its result.
        return try results.withLock { try $0.map { try $0!.get() } }
    }

    /// The hex line `wire encode` prints for these arguments; records an issue if it fails.
    static func encode(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(["wire", "encode"] + arguments)
        #expect(result.status == 0, "wire encode \(arguments): \(result.standardError)", sourceLocation: sourceLocation)
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
