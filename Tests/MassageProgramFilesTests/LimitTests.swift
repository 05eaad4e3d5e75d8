import Foundation
@testable import MassageProgramFiles
import Testing

/// Untrusted input: size, depth, node count (alias bombs), steps and length are bounded.
@Suite("limits on untrusted files")
struct LimitTests {
    func issues(_ text: String, _ format: ProgramFileFormat = .yaml) -> [String] {
        do {
            _ = try ProgramFile.parse(text, format: format)
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test("a file over 256 KiB is refused before it is parsed")
    func size() throws {
        let text = "name: p\ntitle: T\n# " + String(repeating: "x", count: 256 * 1024) + "\nsteps: []\n"
        #expect(issues(text) == ["larger than 256 KiB; a program file is a few KiB: is this the right file?"])
        // And from disk, without reading it all.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("big-\(UUID().uuidString).yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: ProgramFileError.self) { try ProgramFile.load(path: path) }
        #expect(error?.description == "\(path): larger than 256 KiB; a program file is a few KiB: is this the right file?")
    }

    @Test("nesting deeper than 32 levels is refused, in YAML and JSON")
    func depth() {
        let deepYAML = "name: p\nx: " + String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        // The root mapping is level 1, so the 32nd "[" (at column 3 + 32) is level 33.
        #expect(issues(deepYAML) == ["2:35: the document nests more than 32 levels deep; flatten it"])
        let deepJSON = "{\"x\": " + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "}"
        #expect(issues(deepJSON, .json) == ["1:38: the document nests more than 32 levels deep; flatten it"])
        // 32 levels are fine as far as depth goes (the program is wrong in other ways).
        let fine = "{\"x\": " + String(repeating: "[", count: 31) + String(repeating: "]", count: 31) + "}"
        #expect(!issues(fine, .json).contains { $0.contains("levels deep") })
    }

    @Test("nesting far past any limit is an error, not a stack overflow")
    func veryDeep() {
        let yaml = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(issues(yaml).first?.contains("not valid YAML") == true || issues(yaml).first?.contains("levels deep") == true)
        let json = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(issues(json, .json).first?.contains("levels deep") == true)
    }

    static let billionLaughs = """
        a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
        b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
        c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
        d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
        e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
        f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
        g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
        h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
        i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
        """

    @Test("a billion-laughs document fails fast with a clear error")
    func aliasBomb() {
        let clock = ContinuousClock()
        var found: [String] = []
        let elapsed = clock.measure { found = issues(Self.billionLaughs) }
        #expect(found.count == 1)
        #expect(found.first?.contains("the document has more than 20000 values (YAML aliases count once per use)") == true, "\(found)")
        // Not a speed figure: a bound that only a hang or an expansion of the 10⁹ nodes
        // would break (it takes milliseconds).
        #expect(elapsed < .seconds(5), "took \(elapsed)")
    }

    @Test("an alias bomb used as a mapping key is refused before composing", arguments: [
        "? *g\n: 1", "*g : 1", "[*g, *g]: 1", "{? *g : 1}",
    ])
    func aliasKeyBomb(key: String) {
        let text = Self.billionLaughs.split(separator: "\n").prefix(7).joined(separator: "\n") + "\n" + key + "\n"
        let clock = ContinuousClock()
        var found: [String] = []
        let elapsed = clock.measure { found = issues(text) }
        #expect(found.first?.contains("every mapping key must be a plain name") == true, "\(found)")
        #expect(elapsed < .seconds(5), "took \(elapsed)")
    }

    @Test("aliases that stay small are allowed: a pattern shared by two steps")
    func smallAliases() throws {
        let text = """
            name: shared
            title: Shared
            steps:
              - {name: a, duration: 1m, pattern: &circles {circular: {period: 1s}}}
              - {name: b, duration: 1m, pattern: *circles}
            """
        let program = try ProgramFile.parse(text, format: .yaml)
        #expect(program.steps[0].pattern == program.steps[1].pattern)
    }

    @Test("more than 20 000 values are refused, even without aliases")
    func manyNodes() {
        let list = "[" + Array(repeating: "1", count: 25_000).joined(separator: ",") + "]"
        #expect(issues("x: " + list).first?.contains("more than 20000 values") == true)
        #expect(issues("{\"x\": \(list)}", .json).first?.contains("more than 20000 values") == true)
    }

    @Test("more than 200 steps are refused")
    func manySteps() {
        var text = "name: p\ntitle: T\nsteps:\n"
        for i in 0 ..< 201 { text += "  - {name: s\(i), duration: 1s, pattern: off}\n" }
        #expect(issues(text) == ["4:3: steps: 201 steps; at most 200 allowed: split it into several programs"])
    }

    @Test("text that is not UTF-8 is refused")
    func notUTF8() {
        let error = #expect(throws: ProgramFileError.self) {
            try ProgramFile.parse(Data([0x6E, 0x61, 0x6D, 0x65, 0x3A, 0x20, 0xFF, 0xFE]), format: .yaml)
        }
        #expect(error?.description == "not UTF-8 text; save the file as UTF-8")
    }
}
