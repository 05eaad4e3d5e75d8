/// Writes a ``DocumentNode`` as YAML: block mappings and lists, a mapping of plain
/// scalars inline (`{period: 1s, width: 180}`), text double-quoted unless it is a plain
/// word that YAML reads back as the same text.
enum YAMLDocumentWriter {
    static func text(_ node: DocumentNode) -> String {
        var lines: [String] = []
        write(node, indent: "", into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    static func write(_ node: DocumentNode, indent: String, into lines: inout [String]) {
        switch node.value {
        case .scalar(let s):
            lines.append(indent + scalar(s))
        case .map(let entries):
            for entry in entries {
                let key = indent + plainOrQuoted(entry.key) + ":"
                if let inline = inline(entry.value) {
                    lines.append(key + " " + inline)
                } else if case .list = entry.value.value {
                    lines.append(key)
                    write(entry.value, indent: indent + "  ", into: &lines)
                } else {
                    lines.append(key)
                    write(entry.value, indent: indent + "  ", into: &lines)
                }
            }
        case .list(let items):
            for item in items {
                if let inline = inline(item) {
                    lines.append(indent + "- " + inline)
                    continue
                }
                // The item's first line goes after "- ", the rest indented under it.
                var itemLines: [String] = []
                write(item, indent: "", into: &itemLines)
                for (i, line) in itemLines.enumerated() {
                    lines.append(indent + (i == 0 ? "- " : "  ") + line)
                }
            }
        }
    }

    /// A scalar, an empty collection, or a mapping of scalars, on one line.
    static func inline(_ node: DocumentNode) -> String? {
        switch node.value {
        case .scalar(let s): return scalar(s)
        case .list(let items) where items.isEmpty: return "[]"
        case .map(let entries) where entries.isEmpty: return "{}"
        case .map(let entries):
            var parts: [String] = []
            for entry in entries {
                guard case .scalar(let s) = entry.value.value else { return nil }
                parts.append(plainOrQuoted(entry.key) + ": " + scalar(s))
            }
            return "{" + parts.joined(separator: ", ") + "}"
        case .list: return nil
        }
    }

    static func scalar(_ s: DocumentNode.Scalar) -> String {
        switch s.kind {
        case .number(let value): formatNumber(value)
        case .bool(let value): value ? "true" : "false"
        case .null: "null"
        case .string: plainOrQuoted(s.text)
        }
    }

    /// Words YAML 1.1 reads as something other than text.
    static let specialWords: Set<String> = ["y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"]

    static func plainOrQuoted(_ text: String) -> String {
        let plainCharacters = text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.%".unicodeScalars.contains($0)
        }
        let startsWell = text.unicodeScalars.first.map { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) } ?? false
        let readsAsText = !specialWords.contains(text.lowercased()) && Double(text) == nil && !text.hasPrefix("0x") && !text.hasPrefix("0o")
            && !text.contains("_")
        if plainCharacters && startsWell && readsAsText { return text }
        return quoted(text)
    }

    /// Double-quoted with JSON's escapes, which YAML's double-quoted style also reads.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for c in text.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 || c.value == 0x7F {
                    out += "\\u" + String(c.value, radix: 16).leftPadded(to: 4)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }
}

/// Writes a ``DocumentNode`` as JSON, keys in document order, two-space indentation.
enum JSONDocumentWriter {
    static func text(_ node: DocumentNode) -> String {
        var out = ""
        write(node, indent: "", into: &out)
        return out + "\n"
    }

    static func write(_ node: DocumentNode, indent: String, into out: inout String) {
        switch node.value {
        case .scalar(let s):
            switch s.kind {
            case .number(let value): out += formatNumber(value)
            case .bool(let value): out += value ? "true" : "false"
            case .null: out += "null"
            case .string: out += YAMLDocumentWriter.quoted(s.text)
            }
        case .list(let items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += indent + "  "
                write(item, indent: indent + "  ", into: &out)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        case .map(let entries):
            guard !entries.isEmpty else { out += "{}"; return }
            out += "{\n"
            for (i, entry) in entries.enumerated() {
                out += indent + "  " + YAMLDocumentWriter.quoted(entry.key) + ": "
                write(entry.value, indent: indent + "  ", into: &out)
                out += i == entries.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        }
    }
}
