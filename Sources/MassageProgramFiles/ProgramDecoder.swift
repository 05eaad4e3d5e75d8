import MassageKit

/// Builds a ``Program`` from a ``DocumentNode``, checking every value and collecting
/// every problem with its place, rather than stopping at the first.
///
/// A reference type for the one thing it is: the list of issues found so far, added to
/// from every level of the walk. Made, used and dropped within one call of
/// ``ProgramFile``; never shared.
final class ProgramDecoder {
    private(set) var issues: [ProgramFileIssue] = []

    static let programKeys = ["name", "title", "technique", "description", "steps"]
    static let stepKeys = ["name", "duration", "intensity", "heat", "pattern"]

    func report(_ path: String, _ mark: SourceMark?, _ message: String) {
        issues.append(ProgramFileIssue(path: path, mark: mark, message: message))
    }

    // MARK: Program

    func program(_ root: DocumentNode) -> Program? {
        guard let fields = Fields(root, path: "", allowed: Self.programKeys, what: "a program (a mapping with name, title, steps, …)", decoder: self) else {
            return nil
        }
        let name = fields.required("name", hint: "an identifier such as my-back-routine").flatMap { identifier($0, path: "name") }
        let title = fields.required("title", hint: "a title for people such as \"My back routine\"").flatMap {
            text($0, path: "title", length: ProgramFileLimits.titleLength, multiline: false)
        }
        let technique = fields.optional("technique").map { text($0, path: "technique", length: ProgramFileLimits.techniqueLength, multiline: false) } ?? ""
        let description = fields.optional("description").map { text($0, path: "description", length: ProgramFileLimits.descriptionLength, multiline: true) } ?? ""
        let steps = fields.required("steps", hint: "a list of steps, each with name, duration and pattern").flatMap { self.steps($0) }
        guard let name, let title, let technique, let description, let steps else { return nil }
        return Program(name: name, title: title, technique: technique, description: description, steps: steps)
    }

    func steps(_ node: DocumentNode) -> [ProgramStep]? {
        guard case .list(let items) = node.value else {
            report("steps", node.mark, "expected a list of steps, found \(node.kindName)")
            return nil
        }
        guard ProgramFileLimits.maximumSteps >= items.count, !items.isEmpty else {
            report("steps", node.mark, items.isEmpty
                ? "no steps; a program needs at least one"
                : "\(items.count) steps; at most \(ProgramFileLimits.maximumSteps) allowed: split it into several programs")
            return nil
        }
        var steps: [ProgramStep] = []
        var failed = false
        var firstUse: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let path = "steps[\(index)]"
            guard let step = step(item, path: path) else { failed = true; continue }
            if let earlier = firstUse[step.name] {
                report(path + ".name", Fields.valueMark(item, "name"),
                       "'\(step.name)' is also the name of steps[\(earlier)]; give each step its own name")
                failed = true
            } else {
                firstUse[step.name] = index
            }
            steps.append(step)
        }
        if failed { return nil }
        let total = steps.reduce(0) { $0 + $1.duration }
        if total > ProgramFileLimits.maximumProgramSeconds {
            report("steps", node.mark, "the steps add up to \(ProgramQuantities.text(seconds: total)); "
                + "a program may last at most \(ProgramQuantities.text(seconds: ProgramFileLimits.maximumProgramSeconds))")
            return nil
        }
        return steps
    }

    func step(_ node: DocumentNode, path: String) -> ProgramStep? {
        guard let fields = Fields(node, path: path, allowed: Self.stepKeys, what: "a step (a mapping with name, duration, pattern, …)", decoder: self) else {
            return nil
        }
        let name = fields.required("name", hint: "what the step is, e.g. kneading").flatMap {
            text($0, path: path + ".name", length: ProgramFileLimits.stepNameLength, multiline: false)
        }
        let duration = fields.required("duration", hint: "how long the step lasts, e.g. 90s or 3m").flatMap { node -> Double? in
            guard let seconds = self.seconds(node, path: path + ".duration") else { return nil }
            guard ProgramFileLimits.stepSeconds.contains(seconds) else {
                let range = ProgramFileLimits.stepSeconds
                report(path + ".duration", node.mark, seconds < range.lowerBound
                    ? "\(ProgramQuantities.text(seconds: seconds)) is below the \(ProgramQuantities.text(seconds: range.lowerBound)) minimum"
                    : "\(ProgramQuantities.text(seconds: seconds)) is above the \(ProgramQuantities.text(seconds: range.upperBound)) maximum")
                return nil
            }
            return seconds
        }
        let intensity: Double? = fields.optional("intensity").map { node -> Double? in
            guard let level = self.level(node, path: path + ".intensity") else { return nil }
            guard (0 ... 1).contains(level) else {
                report(path + ".intensity", node.mark, level > 1
                    ? "\(formatNumber(level * 100))% is above the 100% maximum" + (level <= 100 && !isPercentText(node) ? " (write \(formatNumber(level))% or \(formatNumber(level / 100)))" : "")
                    : "\(formatNumber(level * 100))% is below the 0% minimum")
                return nil
            }
            return level
        } ?? 1
        let heatValue: Double?? = fields.optional("heat").map { heat($0, path: path + ".heat") } ?? .some(nil)
        let pattern = fields.required("pattern", hint: "a mapping naming one pattern kind, e.g. {circular: {period: 1s}}, or off").flatMap {
            self.pattern($0, path: path + ".pattern")
        }
        guard let name, let duration, let intensity, case .some(let heat) = heatValue, let pattern else { return nil }
        return ProgramStep(name: name, duration: duration, pattern: pattern, intensity: intensity, heat: heat)
    }

    // MARK: Scalars

    func scalar(_ node: DocumentNode, path: String, expected: String) -> DocumentNode.Scalar? {
        guard case .scalar(let s) = node.value else {
            report(path, node.mark, "expected \(expected), found \(node.kindName)")
            return nil
        }
        return s
    }

    func text(_ node: DocumentNode, path: String, length: ClosedRange<Int>, multiline: Bool) -> String? {
        guard let s = scalar(node, path: path, expected: "text") else { return nil }
        if case .null = s.kind, length.lowerBound == 0 { return "" }
        let value = s.text
        guard length.contains(value.count) else {
            report(path, node.mark, value.isEmpty ? "empty; write some text"
                : "\(value.count) characters; at most \(length.upperBound) allowed")
            return nil
        }
        // Text from a file is printed on terminals: no escape sequences or other controls.
        if let control = value.unicodeScalars.first(where: { isControl($0, allowNewline: multiline) }) {
            let kind = control.value < 0x20 || (0x7F ... 0x9F).contains(control.value) ? "control" : "bidirectional-formatting"
            report(path, node.mark, "contains the \(kind) character U+\(String(control.value, radix: 16, uppercase: true).leftPadded(to: 4)); only printable text is allowed"
                + (multiline ? "" : " (and no line breaks)"))
            return nil
        }
        return value
    }

    /// Controls and bidi overrides, as ``TerminalText`` names them: a title that reorders
    /// the text around it on screen is as misleading as an escape sequence.
    func isControl(_ c: Unicode.Scalar, allowNewline: Bool) -> Bool {
        if allowNewline && c == "\n" { return false }
        return TerminalText.isUnsafe(c)
    }

    func identifier(_ node: DocumentNode, path: String) -> String? {
        guard let value = text(node, path: path, length: ProgramFileLimits.nameLength, multiline: false) else { return nil }
        let allowed = value.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        guard allowed, value.first != "-", value.last != "-" else {
            report(path, node.mark, "'\(value)' is not a program name; use lowercase letters, digits and dashes, e.g. my-back-routine")
            return nil
        }
        return value
    }

    func seconds(_ node: DocumentNode, path: String) -> Double? {
        guard let s = scalar(node, path: path, expected: "a duration such as 90s") else { return nil }
        switch s.kind {
        case .number(let value):
            return value.isFinite ? value : { report(path, node.mark, "\(s.text) is not a finite number of seconds"); return nil }()
        case .string:
            do { return try ProgramQuantities.seconds(fromText: s.text) } catch {
                report(path, node.mark, error.description)
                return nil
            }
        case .bool, .null:
            report(path, node.mark, "expected a duration such as 90s, 3m or 500ms, found \(node.kindName)")
            return nil
        }
    }

    func level(_ node: DocumentNode, path: String) -> Double? {
        guard let s = scalar(node, path: path, expected: "a level such as 60% or 0.6") else { return nil }
        switch s.kind {
        case .number(let value): return value
        case .string:
            do { return try ProgramQuantities.level(fromText: s.text) } catch {
                report(path, node.mark, error.description)
                return nil
            }
        case .bool, .null:
            report(path, node.mark, "expected a level such as 60% or 0.6, found \(node.kindName)")
            return nil
        }
    }

    func isPercentText(_ node: DocumentNode) -> Bool {
        if case .scalar(let s) = node.value { return s.text.contains("%") }
        return false
    }

    /// nil: an error (reported); .some(nil): heater off; .some(t): t °C.
    func heat(_ node: DocumentNode, path: String) -> Double?? {
        guard let s = scalar(node, path: path, expected: "a temperature such as 39°C, or off") else { return nil }
        let celsius: Double?
        switch s.kind {
        case .number(let value): celsius = value
        case .bool(false), .null: return .some(nil)
        case .bool(true):
            report(path, node.mark, "'\(s.text)' says heat but not how much; write degrees Celsius such as 39°C, or off")
            return nil
        case .string:
            do { celsius = try ProgramQuantities.celsius(fromText: s.text) } catch {
                report(path, node.mark, error.description)
                return nil
            }
        }
        guard let celsius else { return .some(nil) }
        let range = ProgramFileLimits.heat
        guard range.contains(celsius) else {
            report(path, node.mark, celsius > range.upperBound
                ? "\(formatNumber(celsius)) °C is above the \(formatNumber(range.upperBound)) °C maximum (the device also clamps every setpoint to its own heater cap, 41 °C unless set lower)"
                : "\(formatNumber(celsius)) °C is below the \(formatNumber(range.lowerBound)) °C minimum; write off for no heat")
            return nil
        }
        return .some(celsius)
    }

    func degrees(_ node: DocumentNode, path: String) -> Double? {
        guard let s = scalar(node, path: path, expected: "an angle in degrees such as 90") else { return nil }
        switch s.kind {
        case .number(let value): return value
        case .string:
            do { return try ProgramQuantities.degrees(fromText: s.text) } catch {
                report(path, node.mark, error.description)
                return nil
            }
        case .bool, .null:
            report(path, node.mark, "expected an angle in degrees such as 90, found \(node.kindName)")
            return nil
        }
    }

    func fraction(_ node: DocumentNode, path: String) -> Double? {
        level(node, path: path)
    }

    func bool(_ node: DocumentNode, path: String) -> Bool? {
        guard let s = scalar(node, path: path, expected: "true or false") else { return nil }
        if case .bool(let value) = s.kind { return value }
        report(path, node.mark, "expected true or false, found '\(s.text)'")
        return nil
    }

    func integer(_ node: DocumentNode, path: String) -> Int? {
        guard let s = scalar(node, path: path, expected: "a whole number") else { return nil }
        if case .number(let value) = s.kind, value == value.rounded(), abs(value) < 1e9 { return Int(value) }
        report(path, node.mark, "expected a whole number, found '\(s.text)'")
        return nil
    }

    func choice<Value>(_ node: DocumentNode, path: String, _ choices: [(String, Value)]) -> Value? {
        let names = choices.map(\.0)
        guard let s = scalar(node, path: path, expected: "one of " + names.joined(separator: ", ")) else { return nil }
        if let found = choices.first(where: { $0.0 == s.text.lowercased() }) { return found.1 }
        let suggestion = KeySuggestion.nearest(to: s.text, in: names).map { "; did you mean \($0)?" } ?? ""
        report(path, node.mark, "'\(s.text)' is not one of \(names.joined(separator: ", "))\(suggestion)")
        return nil
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
