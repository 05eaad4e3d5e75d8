/// The small tree both YAML and JSON files are read into before a program is built from
/// it: the decoder sees one shape whatever the file's syntax, and the bounds on size,
/// depth and node count are enforced while this tree is made.
public struct DocumentNode: Sendable, Equatable {
    /// A scalar as the file wrote it, with the type its syntax gives it.
    public struct Scalar: Sendable, Equatable {
        /// What the file's syntax makes of the text.
        public enum Kind: Sendable, Equatable {
            case string
            case number(Double)
            case bool(Bool)
            case null
        }

        /// The text as written (for JSON numbers, their shortest form).
        public var text: String
        public var kind: Kind

        public init(text: String, kind: Kind) {
            self.text = text
            self.kind = kind
        }
    }

    /// One key and its value in a mapping, in file order.
    public struct Entry: Sendable, Equatable {
        public var key: String
        /// Where the key is written (YAML only).
        public var keyMark: SourceMark?
        public var value: DocumentNode

        public init(key: String, keyMark: SourceMark? = nil, value: DocumentNode) {
            self.key = key
            self.keyMark = keyMark
            self.value = value
        }
    }

    public enum Value: Sendable, Equatable {
        case scalar(Scalar)
        case list([DocumentNode])
        case map([Entry])
    }

    public var value: Value
    /// Where the node starts (YAML only).
    public var mark: SourceMark?

    public init(_ value: Value, mark: SourceMark? = nil) {
        self.value = value
        self.mark = mark
    }

    /// A string scalar.
    public static func string(_ text: String) -> DocumentNode {
        DocumentNode(.scalar(Scalar(text: text, kind: .string)))
    }

    /// A number scalar, written in its shortest exact form.
    public static func number(_ value: Double) -> DocumentNode {
        DocumentNode(.scalar(Scalar(text: formatNumber(value), kind: .number(value))))
    }

    /// A mapping from key–value pairs, in order.
    public static func map(_ pairs: [(String, DocumentNode)]) -> DocumentNode {
        DocumentNode(.map(pairs.map { Entry(key: $0.0, value: $0.1) }))
    }

    /// What kind of node this is, for "wrong type" messages: "a list", "a mapping", "a number".
    var kindName: String {
        switch value {
        case .list: "a list"
        case .map: "a mapping"
        case .scalar(let s):
            switch s.kind {
            case .string: "text"
            case .number: "a number"
            case .bool: "true/false"
            case .null: "empty (null)"
            }
        }
    }
}

/// `12` for 12.0, `0.25` for 0.25: numbers read the way a person would type them, and
/// parse back to the same Double (Swift's shortest round-trip form otherwise).
func formatNumber(_ value: Double) -> String {
    if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return String(value)
}
