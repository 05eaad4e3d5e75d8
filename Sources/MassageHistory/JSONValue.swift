import Foundation

/// Any JSON document, to nest a stored summary in `history --json` as an object.
enum JSONValue: Codable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Summaries are small; anything bigger than this is not nested (and not parsed).
    static let largestParsed = 1 << 20

    init?(parsing text: String) {
        guard text.utf8.count <= Self.largestParsed,
              let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return nil }
        self = value
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            // Whole numbers print without ".0", as the summaries were written.
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The same document with object keys in snake_case (`timeOnMatSeconds` →
    /// `time_on_mat_seconds`), the one convention of the tools' JSON.
    var snakeCased: JSONValue {
        switch self {
        case .array(let values): return .array(values.map(\.snakeCased))
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for (key, value) in members { result[Self.snakeCase(key)] = value.snakeCased }
            return .object(result)
        default: return self
        }
    }

    static func snakeCase(_ key: String) -> String {
        var result = ""
        var previousWasLowerOrDigit = false
        for character in key {
            if character.isUppercase {
                if previousWasLowerOrDigit { result.append("_") }
                result += character.lowercased()
                previousWasLowerOrDigit = false
            } else {
                result.append(character)
                previousWasLowerOrDigit = character.isLowercase || character.isNumber
            }
        }
        return result
    }
}
