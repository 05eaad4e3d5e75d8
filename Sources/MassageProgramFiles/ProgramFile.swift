import Foundation
import MassageKit

/// The syntax of a program file. Both carry the same structure (see docs/programs.md).
public enum ProgramFileFormat: Sendable, Equatable {
    case yaml
    case json

    /// JSON for a `.json` file, YAML for `.yaml`/`.yml`; otherwise JSON when the text
    /// starts with `{`, else YAML.
    public static func guess(path: String?, data: Data) -> ProgramFileFormat {
        let lowered = path?.lowercased() ?? ""
        if lowered.hasSuffix(".json") { return .json }
        if lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") { return .yaml }
        let first = data.first { ![UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t")].contains($0) }
        return first == UInt8(ascii: "{") ? .json : .yaml
    }
}

/// Reads program files, as untrusted input, into validated ``Program`` values, and writes
/// programs back out as YAML or JSON.
///
/// Reading is bounded (`ProgramFileLimits`: size, depth, node count with aliases expanded,
/// steps, length) and every value is checked: a file either gives a program that
/// `ProgramPlayer` can play as it is, or a ``ProgramFileError`` listing each problem with
/// its file, path (`steps[2].pattern.circular.period`) and, for YAML, line and column.
public enum ProgramFile {
    /// Reads and validates the program file at `path`. The format follows the extension
    /// (see ``ProgramFileFormat/guess(path:data:)``).
    public static func load(path: String) throws(ProgramFileError) -> Program {
        let data = try read(path: path)
        return try parse(data, format: .guess(path: path, data: data), file: path)
    }

    /// The bytes of the file at `path`, refusing more than `ProgramFileLimits.maximumBytes`
    /// without reading past them (so a device file or a huge file costs nothing).
    public static func read(path: String) throws(ProgramFileError) -> Data {
        func failure(_ message: String) -> ProgramFileError {
            ProgramFileError(issues: [ProgramFileIssue(file: path, path: "", message: message)], isUnreadable: true)
        }
        do {
            return try UntrustedFile.read(path: path, maximumBytes: ProgramFileLimits.maximumBytes)
        } catch .tooLarge {
            var error = failure("larger than \(ProgramFileLimits.maximumBytes / 1024) KiB; a program file is a few KiB: is this the right file?")
            error.isUnreadable = false   // read, and not a program file: invalid (65)
            throw error
        } catch .unreadable("is a directory, not a file") {
            throw failure("is a directory, not a program file")
        } catch {
            throw failure(error.description)
        }
    }

    /// Parses and validates a program from a file's bytes. `file` names it in errors.
    public static func parse(_ data: Data, format: ProgramFileFormat, file: String? = nil) throws(ProgramFileError) -> Program {
        let document = try document(data, format: format, file: file)
        let decoder = ProgramDecoder()
        let program = decoder.program(document)
        if let program, decoder.issues.isEmpty { return program }
        var issues = decoder.issues
        if issues.isEmpty {
            // Every failing path reports; this is a guard against a silent nil.
            issues = [ProgramFileIssue(path: "", message: "the program could not be built")]
        }
        throw error(issues, file: file)
    }

    /// Parses and validates a program from text.
    public static func parse(_ text: String, format: ProgramFileFormat, file: String? = nil) throws(ProgramFileError) -> Program {
        try parse(Data(text.utf8), format: format, file: file)
    }

    /// The document tree of a file's bytes, with the size, depth and node bounds applied.
    public static func document(_ data: Data, format: ProgramFileFormat, file: String? = nil) throws(ProgramFileError) -> DocumentNode {
        guard data.count <= ProgramFileLimits.maximumBytes else {
            throw error([ProgramFileIssue(path: "", message:
                "larger than \(ProgramFileLimits.maximumBytes / 1024) KiB; a program file is a few KiB: is this the right file?")], file: file)
        }
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let result: Result<DocumentNode, ProgramFileIssue>
        switch format {
        case .json:
            result = JSONDocumentReader.read(bytes)
        case .yaml:
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw error([ProgramFileIssue(path: "", message: "not UTF-8 text; save the file as UTF-8")], file: file)
            }
            result = YAMLDocumentReader.read(text)
        }
        switch result {
        case .success(let document): return document
        case .failure(let issue): throw error([issue], file: file)
        }
    }

    static func error(_ issues: [ProgramFileIssue], file: String?) -> ProgramFileError {
        // In the file's order where the places are known (YAML); a stable sort keeps the
        // order they were found in otherwise.
        let ordered = issues.enumerated().sorted { a, b in
            switch (a.element.mark, b.element.mark) {
            case let (x?, y?) where (x.line, x.column) != (y.line, y.column): (x.line, x.column) < (y.line, y.column)
            default: a.offset < b.offset
            }
        }.map(\.element)
        let kept = ordered.prefix(ProgramFileLimits.maximumReportedIssues).map { issue in
            var issue = issue
            issue.file = file
            return issue
        }
        return ProgramFileError(issues: Array(kept), omitted: issues.count - kept.count)
    }

    // MARK: Writing

    /// The program as a YAML file that reads back as the same program.
    public static func yaml(_ program: Program) -> String {
        YAMLDocumentWriter.text(ProgramEncoder.document(program))
    }

    /// The program as a JSON file that reads back as the same program.
    public static func json(_ program: Program) -> String {
        JSONDocumentWriter.text(ProgramEncoder.document(program))
    }
}
