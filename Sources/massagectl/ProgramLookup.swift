import Foundation
import MassageKit
import MassageProgramFiles

/// A program named on the command line: a built-in's name, or a program file's path.
struct ProgramLookup {
    var program: Program
    /// The text the program was read from: the built-in's YAML, or the file's contents.
    var sourceText: String
    /// Where it came from, for headings: `built-in` or the file's path.
    var origin: String

    /// Whether `argument` names a file rather than a built-in: it exists on disk, has a
    /// path separator, or ends in .yaml, .yml or .json.
    static func looksLikeFile(_ argument: String) -> Bool {
        let lowered = argument.lowercased()
        return argument.contains("/") || lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") || lowered.hasSuffix(".json")
            || (BuiltInPrograms.source(named: argument) == nil && FileManager.default.fileExists(atPath: argument))
    }

    /// The program `argument` names: a built-in, a program in the personal folder
    /// (``PersonalPrograms``), or a file. Throws a message for people when it names none
    /// of them, or a file that cannot be read or is not valid.
    static func find(_ argument: String) throws -> ProgramLookup {
        if !looksLikeFile(argument) {
            if BuiltInPrograms.source(named: argument) == nil, let personal = PersonalPrograms.file(named: argument) {
                let data = try ProgramFile.read(path: personal)
                let program = try ProgramFile.parse(data, format: .guess(path: personal, data: data), file: personal)
                return ProgramLookup(program: program, sourceText: String(decoding: data, as: UTF8.self), origin: personal)
            }
            guard let source = BuiltInPrograms.source(named: argument) else {
                let names = BuiltInPrograms.sources.map(\.name) + PersonalPrograms.files().map {
                    URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent
                }
                let nearest = names.min { editDistance($0, argument) < editDistance($1, argument) }
                let hint = nearest.map { editDistance($0, argument) <= 3 ? "did you mean \($0)? " : "" } ?? ""
                throw LookupFailure(message: "no built-in program or file called '\(argument)'; \(hint)`massagectl programs` lists the built-ins and yours")
            }
            let program = try ProgramFile.parse(source.yaml, format: .yaml, file: "built-in \(source.name)")
            return ProgramLookup(program: program, sourceText: source.yaml, origin: "built-in")
        }
        let data = try ProgramFile.read(path: argument)
        let program = try ProgramFile.parse(data, format: .guess(path: argument, data: data), file: argument)
        return ProgramLookup(program: program, sourceText: String(decoding: data, as: UTF8.self), origin: argument)
    }

    struct LookupFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Levenshtein distance, for "did you mean" on a program name.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty, a.count < 100, b.count < 100 else { return max(a.count, b.count) }
        var previous = Array(0 ... b.count)
        for i in 1 ... a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1 ... b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// `m:ss` (or `h:mm:ss`) for program times.
func clockText(_ seconds: Double) -> String {
    let total = Int(seconds.rounded())
    return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
        : String(format: "%d:%02d", total / 60, total % 60)
}
