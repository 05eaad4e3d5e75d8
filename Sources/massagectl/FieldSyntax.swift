import ArgumentParser
import MassageWire

/// How the value of a `name=value` argument is read. PROTOCOL.md section 8 names the
/// only repeated fields and text fields; every other field is a number.
enum FieldSyntax {
    static let repeatedFields: Set = ["intensity", "output", "pressure"]
    static let textFields: Set = ["vendor", "model", "serial"]

    static func value(of name: String, from text: Substring) throws(ValidationError) -> FieldValue {
        if textFields.contains(name) { return .text(String(text)) }
        if repeatedFields.contains(name) {
            // `intensity=` is an empty list: a device with no motors.
            guard !text.isEmpty else { return .numbers([]) }
            var numbers: [Int128] = []
            for element in text.split(separator: ",", omittingEmptySubsequences: false) {
                numbers.append(try number(element, field: name))
            }
            return .numbers(numbers)
        }
        return .number(try number(text, field: name))
    }

    private static func number(_ text: Substring, field: String) throws(ValidationError) -> Int128 {
        guard let n = number(text) else {
            throw ValidationError("\(field): '\(text)' is not a number (write decimal, or hex after 0x)")
        }
        return n
    }

    /// A decimal or 0x-hex integer with an optional sign; nil when malformed or
    /// outside Int128 (the field's own range is checked by `Message(type:fields:)`).
    static func number(_ text: Substring) -> Int128? {
        var digits = text
        var sign = ""
        if let first = digits.first, first == "-" || first == "+" {
            sign = String(first)
            digits = digits.dropFirst()
        }
        var radix = 10
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            radix = 16
            digits = digits.dropFirst(2)
        }
        // Int64(_:radix:) would take a second sign after the prefix ("0x-1"); refuse it.
        guard !digits.isEmpty, digits.allSatisfy(\.isHexDigit) else { return nil }
        return Int128(sign + digits, radix: radix)
    }
}
