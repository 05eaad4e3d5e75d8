import Foundation

/// The one way massagectl writes JSON for scripts (README, "JSON output"): one document
/// on standard output, keys in snake_case and sorted, units in the key's name
/// (`duration_s`, `temperature_c`), absent values as null rather than left out.
enum JSONOutput {
    /// `object` (dictionaries, arrays, strings, numbers, booleans, NSNull) as pretty,
    /// key-sorted JSON text.
    static func text(_ object: Any) -> String {
        guard JSONSerialization.isValidJSONObject(object),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Prints `object` as one JSON document on standard output.
    static func print(_ object: Any) {
        Swift.print(text(object))
    }

    /// `value`, or JSON null.
    static func orNull(_ value: Any?) -> Any { value ?? NSNull() }
}
