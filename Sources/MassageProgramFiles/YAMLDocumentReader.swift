import Yams

/// Reads YAML text into a ``DocumentNode`` with Yams, as untrusted input.
///
/// Yams composes a document with every alias sharing its anchor's node, so composing a
/// "billion laughs" document costs no more than its text; the walk into `DocumentNode`
/// then counts each alias use as the nodes it stands for and stops at
/// `ProgramFileLimits.maximumNodes`. Yams hashes mapping keys while composing (to find
/// duplicates), so an alias or a collection used *as a key* would make that hashing walk
/// the whole expansion before any bound could stop it: in a file that uses aliases,
/// such keys are refused from the text before Yams sees it. libyaml itself stops at
/// 1000 levels of nesting, so composing never recurses without bound.
enum YAMLDocumentReader {
    static func read(_ text: String) -> Result<DocumentNode, ProgramFileIssue> {
        if let issue = complexKeyIssue(in: text) { return .failure(issue) }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            return .failure(issue(from: error))
        } catch {
            return .failure(ProgramFileIssue(path: "", message: "not valid YAML: \(error)"))
        }
        guard let root else {
            return .failure(ProgramFileIssue(path: "", message: "the file holds no YAML document; write a program mapping (name:, title:, steps:)"))
        }
        var budget = DocumentBudget()
        do {
            return .success(try convert(root, depth: 1, budget: &budget))
        } catch let error as DocumentLimitError {
            return .failure(error.issue)
        } catch let error as KeyError {
            return .failure(error.issue)
        } catch {
            return .failure(ProgramFileIssue(path: "", message: "\(error)"))
        }
    }

    /// A mapping key that is not a scalar (Yams composes such keys, this reader does not).
    struct KeyError: Error {
        var issue: ProgramFileIssue
    }

    static func convert(_ node: Node, depth: Int, budget: inout DocumentBudget) throws -> DocumentNode {
        let mark = node.mark.map { SourceMark(line: $0.line, column: $0.column) }
        try budget.take(depth: depth, mark: mark)
        switch node {
        case .scalar(let scalar):
            return DocumentNode(.scalar(Self.scalar(scalar, node: node)), mark: mark)
        case .sequence(let sequence):
            var items: [DocumentNode] = []
            for item in sequence {
                items.append(try convert(item, depth: depth + 1, budget: &budget))
            }
            return DocumentNode(.list(items), mark: mark)
        case .mapping(let mapping):
            var entries: [DocumentNode.Entry] = []
            for (key, value) in mapping {
                let keyMark = key.mark.map { SourceMark(line: $0.line, column: $0.column) }
                guard case .scalar(let keyScalar) = key else {
                    throw KeyError(issue: ProgramFileIssue(path: "", mark: keyMark,
                        message: "a mapping key must be a plain name, not a list, mapping or alias"))
                }
                let converted = try convert(value, depth: depth + 1, budget: &budget)
                entries.append(DocumentNode.Entry(key: keyScalar.string, keyMark: keyMark, value: converted))
            }
            return DocumentNode(.map(entries), mark: mark)
        case .alias:
            // Yams resolves aliases to their anchors' nodes while composing; an unresolved
            // one would be a Yams change, reported rather than guessed at.
            throw KeyError(issue: ProgramFileIssue(path: "", mark: mark, message: "an unresolved YAML alias"))
        }
    }

    /// A scalar with the type YAML's resolver gives it (`off` and `no` are false in
    /// YAML 1.1, which Yams follows; quoted text is always text).
    static func scalar(_ scalar: Node.Scalar, node: Node) -> DocumentNode.Scalar {
        let text = scalar.string
        switch Tag.Name(rawValue: node.tag.rawValue) {
        case .int:
            if let value = node.int { return .init(text: text, kind: .number(Double(value))) }
            if let value = node.float { return .init(text: text, kind: .number(value)) }
        case .float:
            if let value = node.float { return .init(text: text, kind: .number(value)) }
        case .bool:
            if let value = node.bool { return .init(text: text, kind: .bool(value)) }
        case .null:
            return .init(text: text, kind: .null)
        default:
            break
        }
        return .init(text: text, kind: .string)
    }

    static func issue(from error: YamlError) -> ProgramFileIssue {
        func place(_ mark: Mark) -> SourceMark { SourceMark(line: mark.line, column: mark.column) }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            var message = "not valid YAML: \(problem)"
            if let context { message += " (\(context.text) at \(context.mark.line):\(context.mark.column))" }
            return ProgramFileIssue(path: "", mark: place(mark), message: message)
        case let .duplicatedKeysInMapping(duplicates, context):
            let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return ProgramFileIssue(path: "", mark: context.mark.line > 0 ? place(context.mark) : nil,
                                    message: "duplicate key \(names) in one mapping; give each key once")
        case let .reader(problem, offset, _, _):
            return ProgramFileIssue(path: "", message: "not readable as YAML: \(problem)" + (offset.map { " at byte \($0)" } ?? ""))
        default:
            return ProgramFileIssue(path: "", message: "not valid YAML: \(error)")
        }
    }

    // MARK: Keys that could make composing exponential

    /// In a file with aliases, the first place where a key is an alias, a flow collection
    /// or an explicit (`? `) key. Conservative: text inside quotes is not told apart, so
    /// a description containing `]: ` is refused too, but only in a file with aliases.
    static func complexKeyIssue(in text: String) -> ProgramFileIssue? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.contains(where: { containsAlias($0) }) else { return nil }
        for (index, line) in lines.enumerated() {
            let scalars = Array(line.unicodeScalars)
            if let column = complexKeyColumn(scalars) {
                return ProgramFileIssue(path: "", mark: SourceMark(line: index + 1, column: column + 1), message:
                    "in a file that uses YAML aliases (*name), every mapping key must be a plain name: "
                    + "an alias, a [list], a {mapping} or a '? ' key is not accepted as a key")
            }
        }
        return nil
    }

    static func isAnchorCharacter(_ c: Unicode.Scalar) -> Bool {
        // libyaml's anchor names: ASCII letters, digits, '-' and '_'.
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "-" || c == "_"
    }

    static func isBlank(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\r" }

    static func containsAlias(_ line: Substring) -> Bool {
        let s = Array(line.unicodeScalars)
        for i in s.indices where s[i] == "*" {
            let before: Unicode.Scalar = i == 0 ? " " : s[i - 1]
            if (isBlank(before) || "[{,".unicodeScalars.contains(before)) && i + 1 < s.count && isAnchorCharacter(s[i + 1]) {
                return true
            }
        }
        return false
    }

    /// Whether the `:` at `i` is a key indicator: followed by a blank, the line's end or
    /// a flow separator.
    static func isKeyColon(_ s: [Unicode.Scalar], _ i: Int) -> Bool {
        s[i] == ":" && (i + 1 == s.count || isBlank(s[i + 1]) || ",]}".unicodeScalars.contains(s[i + 1]))
    }

    static func complexKeyColumn(_ s: [Unicode.Scalar]) -> Int? {
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == "#" && (i == 0 || isBlank(s[i - 1])) { return nil }  // a comment to the end
            // '? ' as an explicit key: at the line's start (after indentation and "- "),
            // or after a flow opener or separator.
            if c == "?" && (i + 1 == s.count || isBlank(s[i + 1])) {
                var j = i - 1
                while j >= 0 && (isBlank(s[j]) || s[j] == "-") { j -= 1 }
                if j < 0 || "[{,".unicodeScalars.contains(s[j]) { return i }
            }
            // An alias followed by ':' is an alias key.
            if c == "*" && i + 1 < s.count && isAnchorCharacter(s[i + 1]) {
                var j = i + 1
                while j < s.count && isAnchorCharacter(s[j]) { j += 1 }
                while j < s.count && isBlank(s[j]) { j += 1 }
                if j < s.count && isKeyColon(s, j) { return i }
            }
            // A flow collection followed by ':' is a collection key.
            if c == "]" || c == "}" {
                var j = i + 1
                while j < s.count && isBlank(s[j]) { j += 1 }
                if j < s.count && isKeyColon(s, j) { return i }
            }
            i += 1
        }
        return nil
    }
}
