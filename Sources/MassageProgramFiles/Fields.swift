import MassageKit

/// The entries of one mapping in a program file, checked against the keys allowed there:
/// an unknown key is reported where it is written, with the nearest allowed key as a
/// suggestion, and a missing required key at the mapping.
struct Fields {
    let path: String
    let mark: SourceMark?
    let entries: [DocumentNode.Entry]
    let decoder: ProgramDecoder

    /// Nil (and an issue) when `node` is not a mapping.
    init?(_ node: DocumentNode, path: String, allowed: [String], what: String, decoder: ProgramDecoder) {
        guard case .map(let entries) = node.value else {
            decoder.report(path, node.mark, "expected \(what), found \(node.kindName)")
            return nil
        }
        self.path = path
        self.mark = node.mark
        self.entries = entries
        self.decoder = decoder
        for entry in entries where !allowed.contains(entry.key) {
            let place = Self.join(path, entry.key)
            if let suggestion = KeySuggestion.nearest(to: entry.key, in: allowed) {
                decoder.report(place, entry.keyMark ?? entry.value.mark, "unknown key; did you mean \(suggestion)?")
            } else {
                decoder.report(place, entry.keyMark ?? entry.value.mark, "unknown key; expected one of \(allowed.joined(separator: ", "))")
            }
        }
    }

    /// `steps[0]` + `name` → `steps[0].name`; the root's keys have no dot.
    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }

    func optional(_ key: String) -> DocumentNode? {
        entries.first { $0.key == key }?.value
    }

    /// The value of `key`, or nil after reporting it missing with `hint`.
    func required(_ key: String, hint: String) -> DocumentNode? {
        if let value = optional(key) { return value }
        decoder.report(Self.join(path, key), mark, "missing; give \(hint)")
        return nil
    }

    /// Where `key`'s value is written in a mapping node, if anywhere.
    static func valueMark(_ node: DocumentNode, _ key: String) -> SourceMark? {
        guard case .map(let entries) = node.value, let entry = entries.first(where: { $0.key == key }) else { return node.mark }
        return entry.value.mark ?? entry.keyMark
    }
}
