/// One thing wrong in a program file: where (the file, the path inside the document such
/// as `steps[2].pattern.circular.period`, and the line and column when the reader knows
/// them) and what, with what is allowed.
public struct ProgramFileIssue: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file's path or a label such as `built-in swedish`; nil when reading text with
    /// no name.
    public var file: String?
    /// Where in the document: `steps[2].pattern.circular.period`; empty for the whole file.
    public var path: String
    /// The line and column in the file's text (YAML only: JSON is read without them).
    public var mark: SourceMark?
    /// What is wrong and what is allowed, without the place.
    public var message: String

    public init(file: String? = nil, path: String, mark: SourceMark? = nil, message: String) {
        self.file = file
        self.path = path
        self.mark = mark
        self.message = message
    }

    /// `swedish.yaml:12:9: steps[2].pattern.circular.period: 12 s is above the 10 s maximum`.
    public var description: String {
        var place = ""
        if let file { place += file + ":" }
        if let mark { place += "\(mark.line):\(mark.column):" }
        if !place.isEmpty { place += " " }
        return place + (path.isEmpty ? message : "\(path): \(message)")
    }
}

/// Why a program file could not be used: every issue found (up to
/// `ProgramFileLimits.maximumReportedIssues`), and how many more there were.
public struct ProgramFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var issues: [ProgramFileIssue]
    /// Issues found beyond those kept in `issues`.
    public var omitted: Int
    /// True when the file could not be read at all (missing, a FIFO, no permission):
    /// commands exit 66 for that and 65 for a file read but invalid.
    public var isUnreadable: Bool

    public init(issues: [ProgramFileIssue], omitted: Int = 0, isUnreadable: Bool = false) {
        self.issues = issues
        self.omitted = omitted
        self.isUnreadable = isUnreadable
    }

    /// One issue per line, then a count of any left out.
    public var description: String {
        var lines = issues.map(\.description)
        if omitted > 0 {
            lines.append("… and \(omitted) more error\(omitted == 1 ? "" : "s") (fix these first)")
        }
        return lines.joined(separator: "\n")
    }
}
