/// Counts nodes and tracks depth while a document is walked, and says when a bound is
/// broken. Walking counts every alias expansion, so a document that would expand
/// exponentially stops at `ProgramFileLimits.maximumNodes` nodes of work.
struct DocumentBudget {
    var nodes = 0
    let maximumNodes: Int
    let maximumDepth: Int

    init(maximumNodes: Int = ProgramFileLimits.maximumNodes, maximumDepth: Int = ProgramFileLimits.maximumDepth) {
        self.maximumNodes = maximumNodes
        self.maximumDepth = maximumDepth
    }

    /// Takes one node at `depth` (the root is at 1), or throws the bound it breaks.
    mutating func take(depth: Int, mark: SourceMark?) throws(DocumentLimitError) {
        nodes += 1
        guard nodes <= maximumNodes else {
            throw .tooManyNodes(maximum: maximumNodes, mark: mark)
        }
        guard depth <= maximumDepth else {
            throw .tooDeep(maximum: maximumDepth, mark: mark)
        }
    }
}

/// A document that is too large to read: stops the walk at once.
enum DocumentLimitError: Error {
    case tooManyNodes(maximum: Int, mark: SourceMark?)
    case tooDeep(maximum: Int, mark: SourceMark?)

    var issue: ProgramFileIssue {
        switch self {
        case let .tooManyNodes(maximum, mark):
            ProgramFileIssue(path: "", mark: mark, message:
                "the document has more than \(maximum) values (YAML aliases count once per use); "
                + "a program needs far fewer: is it an alias bomb?")
        case let .tooDeep(maximum, mark):
            ProgramFileIssue(path: "", mark: mark, message:
                "the document nests more than \(maximum) levels deep; flatten it")
        }
    }
}
