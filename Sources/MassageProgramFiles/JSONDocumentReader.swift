import Foundation

/// Reads JSON text into a ``DocumentNode`` with Foundation's JSONSerialization, as
/// untrusted input: the nesting depth is measured from the bytes first (so the parser
/// never recurses deeper than `ProgramFileLimits.maximumDepth`), then the walk counts
/// nodes. JSONSerialization gives no positions and keeps only the last of duplicate
/// keys; keys come out in sorted order, so errors are listed in a stable order.
enum JSONDocumentReader {
    static func read(_ data: Data) -> Result<DocumentNode, ProgramFileIssue> {
        if let issue = depthIssue(in: data) { return .failure(issue) }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            return .failure(ProgramFileIssue(path: "", message: "not valid JSON: \(detail)"))
        }
        var budget = DocumentBudget()
        do {
            return .success(try convert(object, depth: 1, budget: &budget))
        } catch {
            return .failure(error.issue)
        }
    }

    static func convert(_ object: Any, depth: Int, budget: inout DocumentBudget) throws(DocumentLimitError) -> DocumentNode {
        try budget.take(depth: depth, mark: nil)
        switch object {
        case let dictionary as [String: Any]:
            var entries: [DocumentNode.Entry] = []
            for key in dictionary.keys.sorted() {
                // The key came from the dictionary's own keys.
                guard let value = dictionary[key] else { continue }
                entries.append(DocumentNode.Entry(key: key, value: try convert(value, depth: depth + 1, budget: &budget)))
            }
            return DocumentNode(.map(entries))
        case let array as [Any]:
            var items: [DocumentNode] = []
            for item in array { items.append(try convert(item, depth: depth + 1, budget: &budget)) }
            return DocumentNode(.list(items))
        case let string as String:
            return .string(string)
        case let number as NSNumber:
            if isBoolean(number) {
                return DocumentNode(.scalar(.init(text: number.boolValue ? "true" : "false", kind: .bool(number.boolValue))))
            }
            // Foundation on Linux hands long decimals over as NSDecimalNumber, whose
            // doubleValue can be an ulp or two off; its decimal text converts exactly.
            if let decimal = number as? NSDecimalNumber, let exact = Double(decimal.stringValue) {
                return .number(exact)
            }
            return .number(number.doubleValue)
        case is NSNull:
            return DocumentNode(.scalar(.init(text: "null", kind: .null)))
        default:
            return .string("\(object)")
        }
    }

    /// JSON's true and false arrive as NSNumbers; they are the ones typed as a C bool or
    /// char ("B"/"c"), which no JSON number is.
    static func isBoolean(_ number: NSNumber) -> Bool {
        let type = String(cString: number.objCType)
        return type == "B" || type == "c"
    }

    /// Where the nesting first goes deeper than the limit, from the bytes: brackets
    /// outside strings, with the line and column of the bracket that goes too deep.
    static func depthIssue(in data: Data) -> ProgramFileIssue? {
        var depth = 0
        var inString = false
        var escaped = false
        var line = 1
        var column = 0
        for byte in data {
            column += 1
            if byte == UInt8(ascii: "\n") { line += 1; column = 0; continue }
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > ProgramFileLimits.maximumDepth {
                    return DocumentLimitError.tooDeep(maximum: ProgramFileLimits.maximumDepth,
                                                      mark: SourceMark(line: line, column: column)).issue
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return nil
    }
}
