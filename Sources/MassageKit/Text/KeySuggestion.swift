/// "Did you mean …?" for a misspelt key: the nearest allowed name by edit distance
/// (insertions, deletions, substitutions and swaps of neighbours), when it is near enough
/// to be a typo rather than a different word.
package enum KeySuggestion {
    /// The allowed name nearest `word`, or nil when none is within a third of its length
    /// (at least 1, at most 3 edits).
    package static func nearest(to word: String, in candidates: [String]) -> String? {
        // A key this long is not a typo of a short name (and bounds the work).
        guard word.count <= 40 else { return nil }
        let budget = min(3, max(1, word.count / 3))
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let d = distance(word.lowercased(), candidate.lowercased())
            if d <= budget, best.map({ d < $0.distance }) ?? true { best = (candidate, d) }
        }
        return best?.name
    }

    /// Optimal string alignment distance (Damerau–Levenshtein without repeated edits of
    /// one substring): a swap of two neighbouring letters costs 1.
    package static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        // Keys are short (the document bounds them), so a full table is cheap.
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0 ... a.count { table[i][0] = i }
        for j in 0 ... b.count { table[0][j] = j }
        for i in 1 ... a.count {
            for j in 1 ... b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var d = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d = min(d, table[i - 2][j - 2] + 1)
                }
                table[i][j] = d
            }
        }
        return table[a.count][b.count]
    }
}
