@testable import MassageProgramFiles
import Testing

/// Bad files and the exact place and words of their errors.
@Suite("errors name the place and the allowed range")
struct ErrorTableTests {
    /// A valid one-step program whose step lines are replaced by `step`.
    static func program(step: String) -> String {
        """
        name: test
        title: Test
        steps:
          - name: first
        \(step)
        """
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var text: String
        /// `line:column: path: message`, exactly, as `ProgramFileIssue` prints without a file.
        var expected: String
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "unknown key with a suggestion",
             text: program(step: "    duration: 1m\n    patern: {constant: 50%}"),
             expected: "6:5: steps[0].patern: unknown key; did you mean pattern?"),
        Case(label: "unknown key with no near match",
             text: program(step: "    duration: 1m\n    pattern: off\n    colour: blue"),
             expected: "7:5: steps[0].colour: unknown key; expected one of name, duration, intensity, heat, pattern"),
        Case(label: "period out of range",
             text: program(step: "    duration: 1m\n    pattern: {circular: {period: 12s}}"),
             expected: "6:34: steps[0].pattern.circular.period: 12 s is above the 10 s maximum"),
        Case(label: "a range error deep in a combinator",
             text: program(step: "    duration: 1m\n    pattern: {mix: {patterns: [{constant: 10%}, {rock: {period: 0.5s}}]}}"),
             expected: "6:65: steps[0].pattern.mix.patterns[1].rock.period: 0.5 s is below the 1 s minimum"),
        Case(label: "bad duration unit",
             text: program(step: "    duration: 12 parsecs\n    pattern: off"),
             expected: "5:15: steps[0].duration: \"12 parsecs\": unknown unit 'parsecs'; durations take ms, s, m (or min) and h, e.g. 90s, 3m, 1m30s, 500ms, or a number of seconds"),
        Case(label: "missing key",
             text: program(step: "    pattern: off"),
             expected: "4:5: steps[0].duration: missing; give how long the step lasts, e.g. 90s or 3m"),
        Case(label: "wrong type",
             text: program(step: "    duration: [1, 2]\n    pattern: off"),
             expected: "5:15: steps[0].duration: expected a duration such as 90s, found a list"),
        Case(label: "intensity above 100 %",
             text: program(step: "    duration: 1m\n    intensity: 120%\n    pattern: off"),
             expected: "6:16: steps[0].intensity: 120% is above the 100% maximum"),
        Case(label: "intensity as a bare percentage",
             text: program(step: "    duration: 1m\n    intensity: 60\n    pattern: off"),
             expected: "6:16: steps[0].intensity: 6000% is above the 100% maximum (write 60% or 0.6)"),
        Case(label: "heat above 43 °C",
             text: program(step: "    duration: 1m\n    heat: 45°C\n    pattern: off"),
             expected: "6:11: steps[0].heat: 45 °C is above the 43 °C maximum (the device also clamps every setpoint to its own heater cap, 41 °C unless set lower)"),
        Case(label: "heat below 30 °C",
             text: program(step: "    duration: 1m\n    heat: 20\n    pattern: off"),
             expected: "6:11: steps[0].heat: 20 °C is below the 30 °C minimum; write off for no heat"),
        Case(label: "unknown pattern kind",
             text: program(step: "    duration: 1m\n    pattern: {circlar: {period: 1s}}"),
             expected: "6:15: steps[0].pattern.circlar: unknown pattern kind; did you mean circular?"),
        Case(label: "two pattern kinds",
             text: program(step: "    duration: 1m\n    pattern: {constant: 50%, pulse: {period: 1s}}"),
             expected: "6:14: steps[0].pattern: 2 kinds given (constant, pulse); a pattern names exactly one: combine several with mix (at once) or sequence (in turn)"),
        Case(label: "an unknown direction",
             text: program(step: "    duration: 1m\n    pattern: {circular: {period: 1s, direction: clockwize}}"),
             expected: "6:49: steps[0].pattern.circular.direction: 'clockwize' is not one of clockwise, counterclockwise; did you mean clockwise?"),
        Case(label: "a pulse whose edges do not fit",
             text: program(step: "    duration: 1m\n    pattern: {pulse: {period: 1s, attack: 0.4s, release: 0.4s}}"),
             expected: "6:22: steps[0].pattern.pulse.attack + release: 0.8 s is longer than the on-time (duty × period) (0.5 s); shorten it or lengthen the on-time (duty × period)"),
        Case(label: "a hold on an actuator that cannot exist",
             text: program(step: "    duration: 1m\n    pattern: {hold: {actuator: 16, level: 50%}}"),
             expected: "6:32: steps[0].pattern.hold.actuator: actuator 16 does not exist; use 0 … 15"),
        Case(label: "duplicate step names",
             text: program(step: "    duration: 1m\n    pattern: off\n  - name: first\n    duration: 1m\n    pattern: off"),
             expected: "7:11: steps[1].name: 'first' is also the name of steps[0]; give each step its own name"),
        Case(label: "duplicate keys",
             text: program(step: "    duration: 1m\n    duration: 2m\n    pattern: off"),
             expected: "5:5: duplicate key 'duration' in one mapping; give each key once"),
        Case(label: "a bad program name",
             text: "name: My Program\ntitle: T\nsteps:\n  - {name: a, duration: 1m, pattern: off}",
             expected: "1:7: name: 'My Program' is not a program name; use lowercase letters, digits and dashes, e.g. my-back-routine"),
        Case(label: "a terminal escape in a title",
             text: "name: p\ntitle: \"bad \\e[2J\"\nsteps:\n  - {name: a, duration: 1m, pattern: off}",
             expected: "2:8: title: contains the control character U+001B; only printable text is allowed (and no line breaks)"),
        Case(label: "a step too short",
             text: program(step: "    duration: 50ms\n    pattern: off"),
             expected: "5:15: steps[0].duration: 0.05s is below the 0.1s minimum"),
        Case(label: "a program longer than 4 hours",
             text: "name: p\ntitle: T\nsteps:\n  - {name: a, duration: 3h, pattern: off}\n  - {name: b, duration: 2h, pattern: off}",
             expected: "4:3: steps: the steps add up to 5h; a program may last at most 4h"),
        Case(label: "no steps",
             text: "name: p\ntitle: T\nsteps: []",
             expected: "3:8: steps: no steps; a program needs at least one"),
        Case(label: "not a mapping at all",
             text: "- just\n- a list",
             expected: "1:1: expected a program (a mapping with name, title, steps, …), found a list"),
        Case(label: "broken YAML",
             text: "name: [unclosed\ntitle: x",
             expected: "2:6: not valid YAML: did not find expected ',' or ']' (while parsing a flow sequence at 1:7)"),
    ]

    @Test("each bad file gives its exact error", arguments: cases)
    func exactError(_ c: Case) throws {
        let error = #expect(throws: ProgramFileError.self) { try ProgramFile.parse(c.text, format: .yaml) }
        let descriptions = error?.issues.map(\.description) ?? []
        #expect(descriptions.contains(c.expected), "got:\n\(descriptions.joined(separator: "\n"))")
    }

    @Test("errors carry the file's name, and every error in the file is reported")
    func allErrorsWithFile() throws {
        let text = """
            name: test
            title: Test
            steps:
              - name: a
                duration: 12 parsecs
                pattern: {circular: {period: 12s}}
              - name: b
                duration: 1m
                intensity: 120%
                heat: 50
                pattern: {knead: {perod: 1s}}
            """
        let error = #expect(throws: ProgramFileError.self) { try ProgramFile.parse(text, format: .yaml, file: "back.yaml") }
        let lines = error?.description.split(separator: "\n").map(String.init) ?? []
        #expect(lines.count == 6, "\(lines)")
        #expect(lines.allSatisfy { $0.hasPrefix("back.yaml:") })
        #expect(lines.contains("back.yaml:11:23: steps[1].pattern.knead.perod: unknown key; did you mean period?"))
        #expect(lines.contains("back.yaml:11:22: steps[1].pattern.knead.period: missing; knead needs a period"))
        // In the file's order.
        let places = error?.issues.compactMap(\.mark).map { [$0.line, $0.column] } ?? []
        #expect(places == places.sorted { $0.lexicographicallyPrecedes($1) })
    }

    @Test("at most 20 errors are listed, the rest counted")
    func manyErrors() throws {
        var text = "name: p\ntitle: T\nsteps:\n"
        for i in 0 ..< 30 { text += "  - {name: s\(i), duration: 1 fortnight, pattern: off}\n" }
        let error = #expect(throws: ProgramFileError.self) { try ProgramFile.parse(text, format: .yaml) }
        #expect(error?.issues.count == 20)
        #expect(error?.omitted == 10)
        #expect(error?.description.hasSuffix("… and 10 more errors (fix these first)") == true)
    }

    @Test("JSON errors name the path (JSON gives no line and column)")
    func jsonErrors() throws {
        let text = #"{"name": "p", "title": "T", "steps": [{"name": "a", "duration": "1m", "pattern": {"wave": {"period": 30}}}]}"#
        let error = #expect(throws: ProgramFileError.self) { try ProgramFile.parse(text, format: .json, file: "p.json") }
        #expect(error?.description == "p.json: steps[0].pattern.wave.period: 30 s is above the 20 s maximum")
        let broken = #expect(throws: ProgramFileError.self) { try ProgramFile.parse("{\"name\": ", format: .json, file: "b.json") }
        #expect(broken?.description.hasPrefix("b.json: not valid JSON") == true)
    }
}
