import Foundation

/// One request on the UNIX socket: one JSON object on one line (JSON-RPC 2.0 shape, as
/// Moonraker's UNIX socket takes it). `params` is an object; `token` rides in it for the
/// methods that change state, as the `Authorization` header does over HTTP.
public struct RPCRequest: Codable, Sendable {
    public var jsonrpc = "2.0"
    /// A number or a string, as JSON-RPC allows; the answer carries it back unchanged.
    public var id: JSONParam?
    public var method: String
    public var params: [String: JSONParam]

    public init(id: Int, method: String, params: [String: JSONParam] = [:]) {
        self.id = .number(Double(id))
        self.method = method
        self.params = params
    }

    enum CodingKeys: String, CodingKey { case jsonrpc, id, method, params }

    /// `params` may be left out, as JSON-RPC allows.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        jsonrpc = try container.decodeIfPresent(String.self, forKey: .jsonrpc) ?? "2.0"
        id = try container.decodeIfPresent(JSONParam.self, forKey: .id)
        method = try container.decode(String.self, forKey: .method)
        params = try container.decodeIfPresent([String: JSONParam].self, forKey: .params) ?? [:]
    }
}

/// A parameter or result value: the JSON subset the API uses.
public enum JSONParam: Codable, Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        if let value = try? container.decode(Double.self) { self = .number(value); return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "a parameter is a string, a number, a boolean or null")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    public var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    public var numberValue: Double? { if case .number(let value) = self { value } else { nil } }
    public var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
}

/// An error answer: `code` is the HTTP status the same refusal gets over HTTP, so both
/// doors say the same thing.
public struct RPCError: Codable, Sendable, Equatable, Error, CustomStringConvertible {
    public var code: Int
    public var message: String

    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
