import MassageKit

/// Patterns in a file: a mapping with exactly one key, the pattern's kind, whose value
/// maps the kind's parameters; combinators take nested patterns the same way. `off` (or
/// `false`) is every actuator off, and `constant` also takes a level directly.
extension ProgramDecoder {
    /// Every kind and the parameters it takes, in the order documentation lists them.
    static let patternParameters: [(kind: String, parameters: [String])] = [
        ("constant", ["level"]),
        ("ramp", ["from", "to", "duration"]),
        ("pulse", ["period", "duty", "attack", "release", "low", "high"]),
        ("circular", ["period", "width", "direction", "low", "high"]),
        ("wave", ["period", "width", "direction", "axis", "low", "high"]),
        ("knead", ["period", "grouping", "axis", "low", "high"]),
        ("tap", ["period", "burst", "alternating", "low", "high"]),
        ("hold", ["actuator", "towards", "level", "build", "surround"]),
        ("rock", ["period", "width", "axis", "low", "high"]),
        ("envelope", ["attack", "decay", "sustain", "release", "length", "pattern"]),
        ("scale", ["factor", "pattern"]),
        ("sequence", ["steps", "repeats"]),
        ("crossfade", ["from", "to", "start", "duration"]),
        ("mix", ["patterns", "mode"]),
    ]

    static var patternKinds: [String] { patternParameters.map(\.kind) }

    func pattern(_ node: DocumentNode, path: String) -> Pattern? {
        let kinds = Self.patternKinds
        switch node.value {
        case .scalar(let s):
            if s.text.lowercased() == "off" || s.kind == .bool(false) { return .off }
            report(path, node.mark, "'\(s.text)' is not a pattern; write a mapping naming one kind (\(kinds.joined(separator: ", "))), or off")
            return nil
        case .list:
            report(path, node.mark, "expected a mapping naming one pattern kind, found a list; to play patterns one after another use sequence, at once use mix")
            return nil
        case .map(let entries):
            guard entries.count == 1, let entry = entries.first else {
                report(path, node.mark, entries.isEmpty
                    ? "empty; name one pattern kind: \(kinds.joined(separator: ", "))"
                    : "\(entries.count) kinds given (\(entries.map(\.key).joined(separator: ", "))); a pattern names exactly one: combine several with mix (at once) or sequence (in turn)")
                return nil
            }
            let kindPath = Fields.join(path, entry.key)
            guard let parameters = Self.patternParameters.first(where: { $0.kind == entry.key })?.parameters else {
                let suggestion = KeySuggestion.nearest(to: entry.key, in: kinds).map { "did you mean \($0)?" }
                    ?? "expected one of \(kinds.joined(separator: ", "))"
                report(kindPath, entry.keyMark ?? entry.value.mark, "unknown pattern kind; \(suggestion)")
                return nil
            }
            if entry.key == "constant", case .scalar = entry.value.value {
                guard let level = self.level(entry.value, path: kindPath) else { return nil }
                return build(kindPath, parameters: nil) { () throws(PatternError) in .constant(try Constant(level: level)) }
            }
            guard let fields = Fields(entry.value, path: kindPath, allowed: parameters,
                                      what: "the \(entry.key) pattern's parameters (\(parameters.joined(separator: ", ")))", decoder: self) else {
                return nil
            }
            return pattern(kind: entry.key, fields)
        }
    }

    /// A parameter's value: `fallback` when absent (nil fallback: required), nil after an
    /// error has been reported.
    func parameter<T>(_ fields: Fields, _ key: String, _ fallback: T?, _ read: (DocumentNode, String) -> T?) -> T? {
        guard let node = fields.optional(key) else {
            if let fallback { return fallback }
            fields.decoder.report(Fields.join(fields.path, key), fields.mark, "missing; \(fields.path.split(separator: ".").last ?? "") needs a \(key)")
            return nil
        }
        return read(node, Fields.join(fields.path, key))
    }

    func pattern(kind: String, _ f: Fields) -> Pattern? {
        let p = f.path
        switch kind {
        case "constant":
            guard let level = parameter(f, "level", nil, self.level) else { return nil }
            return build(p, parameters: f) { () throws(PatternError) in .constant(try Constant(level: level)) }
        case "ramp":
            let from = parameter(f, "from", nil, level), to = parameter(f, "to", nil, level)
            let duration = parameter(f, "duration", nil, seconds)
            guard let from, let to, let duration else { return nil }
            return build(p, parameters: f) { () throws(PatternError) in .ramp(try Ramp(from: from, to: to, duration: duration)) }
        case "pulse":
            let period = parameter(f, "period", nil, seconds), duty = parameter(f, "duty", 0.5, fraction)
            let attack = parameter(f, "attack", 0, seconds), release = parameter(f, "release", 0, seconds)
            let low = parameter(f, "low", 0, level), high = parameter(f, "high", 1, level)
            guard let period, let duty, let attack, let release, let low, let high else { return nil }
            return build(p, parameters: f) { () throws(PatternError) in
                .pulse(try Pulse(period: period, duty: duty, attack: attack, release: release, low: low, high: high))
            }
        case "circular":
            let period = parameter(f, "period", nil, seconds), width = parameter(f, "width", 180, degrees)
            let direction = parameter(f, "direction", RotationDirection.clockwise) { node, path in
                self.choice(node, path: path, [("clockwise", RotationDirection.clockwise), ("counterclockwise", .counterclockwise)])
            }
            let low = parameter(f, "low", 0, level), high = parameter(f, "high", 1, level)
            guard let period, let width, let direction, let low, let high else { return nil }
            return build(p, parameters: f) { () throws(PatternError) in
                .circular(try Circular(period: period, width: width, direction: direction, low: low, high: high))
            }
        case "wave":
            let period = parameter(f, "period", nil, seconds), width = parameter(f, "width", 0.5, fraction)
            let direction = parameter(f, "direction", TravelDirection.forward) { node, path in
                self.choice(node, path: path, [("forward", TravelDirection.forward), ("backward", .backward)])
            }
            let axis = parameter(f, "axis", 0, degrees)
            let low = parameter(f, "low", 0, level), high = parameter(f, "high", 1, level)
            guard let period, let width, let direction, let axis, let low, let high else { return nil }
            return build(p, parameters: f) { () throws(PatternError) in
                .wave(try Wave(period: period, width: width, direction: direction, axis: axis, low: low, high: high))
            }
        case "knead":
            let period = parameter(f, "period", nil, seconds)
            let halves = parameter(f, "grouping", false) { node, path in
                self.choice(node, path: path, [("alternating", false), ("halves", true)])
            }
            let axis = parameter(f, "axis", 0, degrees)
            let low = parameter(f, "low", 0, level), high = parameter(f, "high", 1, level)
            guard let period, let halves, let axis, let low, let high else { return nil }
            if !halves, f.optional("axis") != nil {
                report(Fields.join(p, "axis"), Fields.valueMark(DocumentNode(.map(f.entries), mark: f.mark), "axis"),
                       "only kneading in halves has an axis; add grouping: halves or remove axis")
                return nil
            }
            return build(p, parameters: f) { () throws(PatternError) in
                .knead(try Knead(period: period, grouping: halves ? .halves(axis: axis) : .alternating, low: low, high: high))
            }
        case "tap":
            let period = parameter(f, "period", nil, seconds), burst = parameter(f, "burst", 0.04, seconds)
            let alternating = parameter(f, "alternating", false, bool)
            let low = parameter(f, "low", 0, level), high = parameter(f, "high", 1, level)
            guard let period, let burst, let alternating, let low, let high else { return nil }
            return build(p, parameters: f) { () throws(PatternError) in
                .tap(try Tap(period: period, burst: burst, alternating: alternating, low: low, high: high))
            }
        case "hold":
            let actuator = f.optional("actuator").map { integer($0, path: Fields.join(p, "actuator")) }
            let towards = f.optional("towards").map { degrees($0, path: Fields.join(p, "towards")) }
            let level = parameter(f, "level", nil, self.level)
            let build = parameter(f, "build", 0, seconds), surround = parameter(f, "surround", 0, self.level)
            let target: HoldTarget?
            switch (actuator, towards) {
            case (.some(let index?), nil): target = .actuator(index)
            case (nil, .some(let angle?)): target = .towards(angle)
            case (nil, nil):
                report(p, f.mark, "missing; a hold needs either actuator (an index) or towards (an angle)")
                target = nil
            case (.some, .some):
                report(p, f.mark, "both actuator and towards given; a hold presses with one: keep one of them")
                target = nil
            default: target = nil  // a value that could not be read, already reported
            }
            guard let target, let level, let build, let surround else { return nil }
            return self.build(p, parameters: f) { () throws(PatternError) in
                .hold(try Hold(target: target, level: level, build: build, surround: surround))
            }
        case "rock":
            let period = parameter(f, "period", nil, seconds), width = parameter(f, "width", 1, fraction)
            let axis = parameter(f, "axis", 0, degrees)
            let low = parameter(f, "low", 0, level), high = parameter(f, "high", 1, level)
            guard let period, let width, let axis, let low, let high else { return nil }
            return build(p, parameters: f) { () throws(PatternError) in
                .rock(try Rock(period: period, width: width, axis: axis, low: low, high: high))
            }
        case "envelope":
            let attack = parameter(f, "attack", nil, seconds), decay = parameter(f, "decay", 0, seconds)
            let sustain = parameter(f, "sustain", 1, level), release = parameter(f, "release", nil, seconds)
            let length = parameter(f, "length", nil, seconds)
            let inner = parameter(f, "pattern", nil, pattern)
            guard let attack, let decay, let sustain, let release, let length, let inner else { return nil }
            return build(p, parameters: f) { () throws(PatternError) in
                .envelope(try Envelope(attack: attack, decay: decay, sustain: sustain, release: release, length: length, of: inner))
            }
        case "scale":
            let factor = parameter(f, "factor", nil, level), inner = parameter(f, "pattern", nil, pattern)
            guard let factor, let inner else { return nil }
            return build(p, parameters: f) { () throws(PatternError) in .scale(try Scale(factor, of: inner)) }
        case "sequence":
            let steps = parameter(f, "steps", nil, sequenceSteps), repeats = parameter(f, "repeats", false, bool)
            guard let steps, let repeats else { return nil }
            return build(p, parameters: f) { () throws(PatternError) in .sequence(try PatternSequence(steps, repeats: repeats)) }
        case "crossfade":
            let from = parameter(f, "from", nil, pattern), to = parameter(f, "to", nil, pattern)
            let start = parameter(f, "start", 0, seconds), duration = parameter(f, "duration", nil, seconds)
            guard let from, let to, let start, let duration else { return nil }
            return build(p, parameters: f) { () throws(PatternError) in
                .crossfade(try Crossfade(from: from, to: to, start: start, duration: duration))
            }
        case "mix":
            let patterns = parameter(f, "patterns", nil, patternList)
            let mode = parameter(f, "mode", MixMode.max) { node, path in self.choice(node, path: path, [("max", MixMode.max), ("sum", .sum)]) }
            guard let patterns, let mode else { return nil }
            return build(p, parameters: f) { () throws(PatternError) in .mix(try Mix(patterns, mode: mode)) }
        default:
            return nil
        }
    }

    func patternList(_ node: DocumentNode, path: String) -> [Pattern]? {
        guard case .list(let items) = node.value else {
            report(path, node.mark, "expected a list of patterns, found \(node.kindName)")
            return nil
        }
        let patterns = items.enumerated().map { pattern($0.element, path: "\(path)[\($0.offset)]") }
        guard patterns.allSatisfy({ $0 != nil }) else { return nil }
        return patterns.compactMap { $0 }
    }

    func sequenceSteps(_ node: DocumentNode, path: String) -> [SequenceStep]? {
        guard case .list(let items) = node.value else {
            report(path, node.mark, "expected a list of {pattern, duration} steps, found \(node.kindName)")
            return nil
        }
        var steps: [SequenceStep] = []
        var failed = false
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let fields = Fields(item, path: itemPath, allowed: ["pattern", "duration"],
                                      what: "a sequence step (a mapping with pattern and duration)", decoder: self) else {
                failed = true
                continue
            }
            let inner = parameter(fields, "pattern", nil, pattern), duration = parameter(fields, "duration", nil, seconds)
            guard let inner, let duration,
                  let step = build(itemPath, parameters: fields, { () throws(PatternError) in try SequenceStep(inner, for: duration) }) else {
                failed = true
                continue
            }
            steps.append(step)
        }
        return failed ? nil : steps
    }

    /// Runs a pattern's initialiser, turning its `PatternError` into an issue at the
    /// parameter it names (`steps[2].pattern.circular.period: 12 s is above …`).
    func build<Value>(_ path: String, parameters: Fields?, _ make: () throws(PatternError) -> Value) -> Value? {
        do {
            return try make()
        } catch {
            let parameter: String? = switch error {
            case let .outOfRange(parameter, _, _, _), let .exceeds(parameter, _, _, _, _),
                 let .count(parameter, _, _), let .actuatorIndex(parameter, _, _),
                 let .inverted(parameter, _, _, _, _): parameter
            case .tooDeep, .tooManyNodes: nil
            }
            var message = error.description
            var place = path
            var mark = parameters?.mark
            if let parameter, message.hasPrefix(parameter + ": ") {
                message.removeFirst(parameter.count + 2)
                place = Fields.join(path, parameter)
                if let entry = parameters?.entries.first(where: { $0.key == parameter }) {
                    mark = entry.value.mark ?? entry.keyMark
                }
            }
            report(place, mark, message)
            return nil
        }
    }
}
