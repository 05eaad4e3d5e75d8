import ArgumentParser
import Foundation
import MassageWire

/// A frame given as JSON to `wire encode --json`: the frame object of a test vector's
/// `{"frame": …}` entry (PROTOCOL.md section 8), with or without that wrapper, so a
/// line of `wire decode --json` reads back. `version` and `seq` may be left out.
///
/// Read through JSONSerialization rather than Decodable: JSONDecoder reports a `seq`
/// of 300 or a fractional number only as "not valid JSON", and a person fixing the
/// input needs to know which value was wrong.
struct FrameObject {
    var version: UInt8?
    var type: String
    var seq: UInt8?
    var fields: [String: FieldValue] = [:]

    /// Reads the object; a usage error names the key or field that is wrong.
    init(json data: Data) throws(ValidationError) {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            throw ValidationError("--json: not valid JSON" + (reason.map { ": \($0)" } ?? ""))
        }
        guard var object = root as? [String: Any] else {
            throw ValidationError(#"--json: expected an object, {"type":…,"seq":…,"fields":{…}}"#)
        }
        if let frame = object["frame"] {
            guard let inner = frame as? [String: Any], object.count == 1 else {
                throw ValidationError(#"--json: "frame" must be the only key, and hold an object"#)
            }
            object = inner
        }
        // A misspelt key ("feilds") would otherwise be dropped without a word.
        let keys: Set = ["version", "type", "seq", "fields"]
        if let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) {
            throw ValidationError("--json: unknown key \"\(unknown)\"; the keys are version, type, seq and fields")
        }
        guard let type = object["type"] as? String else {
            throw ValidationError(#"--json: "type" must be given, as a string such as "SetOutputs""#)
        }
        self.type = type
        version = try FrameObject.byte(object["version"], key: "version")
        seq = try FrameObject.byte(object["seq"], key: "seq")
        if let fieldsValue = object["fields"] {
            guard let fields = fieldsValue as? [String: Any] else {
                throw ValidationError(#"--json: "fields" must be an object of name: value"#)
            }
            for (name, value) in fields {
                self.fields[name] = try FrameObject.field(value, name: name)
            }
        }
    }

    private static func byte(_ value: Any?, key: String) throws(ValidationError) -> UInt8? {
        guard let value else { return nil }
        guard let n = integer(value), let byte = UInt8(exactly: n) else {
            throw ValidationError("--json: \"\(key)\" must be an integer from 0 to 255, not \(literal(value))")
        }
        return byte
    }

    /// A field's value by its JSON kind, as section 8 writes them: a number, a list of
    /// numbers (a repeated field) or a string (a text field).
    private static func field(_ value: Any, name: String) throws(ValidationError) -> FieldValue {
        if let n = integer(value) { return .number(n) }
        if let text = value as? String { return .text(text) }
        if let list = value as? [Any] {
            var numbers: [Int128] = []
            for element in list {
                guard let n = integer(element) else {
                    throw ValidationError("--json: fields.\(name): \(literal(element)) in the list is not an integer")
                }
                numbers.append(n)
            }
            return .numbers(numbers)
        }
        throw ValidationError("--json: fields.\(name): expected an integer, a list of integers or a string, not \(literal(value))")
    }

    /// A value roughly as it was written, for an error message.
    private static func literal(_ value: Any) -> String {
        if let number = value as? NSNumber, String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
        if let text = value as? String { return JSONText.string(text) }
        if value is NSNull { return "null" }
        if value is [Any] { return "a list" }
        if value is [String: Any] { return "an object" }
        return "\(value)"
    }

    /// The value as an integer: exact, neither a fraction nor a boolean (which
    /// JSONSerialization also hands out as NSNumber). Int64 holds the signed fields and
    /// UInt64 the top half of the u64 ones (uptime_us).
    private static func integer(_ value: Any) -> Int128? {
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
        if let n = value as? Int64 { return Int128(n) }
        if let n = value as? UInt64 { return Int128(n) }
        return nil
    }
}
