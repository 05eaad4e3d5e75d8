import Foundation
import Glibc
import Testing

/// Issue 16's hostile and mistaken inputs, through the binary: text from outside never
/// reaches the terminal raw, values name their range, files say what is wrong with them.
@Suite("massagectl: untrusted text, argument values, files")
struct CommandLineHardeningTests {
    static let osc = "\u{1B}]0;x\u{07}"
    static let shownOSC = #"\u{1B}]0;x\u{7}"#

    /// Whether `text` holds a character a terminal would act on or reorder by.
    static func hasRawControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { s in
            (s.value < 0x20 && s != "\n") || (0x7F...0x9F).contains(s.value)
                || (0x202A...0x202E).contains(s.value) || (0x2066...0x2069).contains(s.value)
        }
    }

    static func withDirectory(_ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hardening-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory)
    }

    static func write(_ text: String, _ name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    // MARK: Untrusted text

    @Test("validate: an escape sequence in a pattern kind and a bidi override in a key are shown escaped")
    func validateEscapes() throws {
        try Self.withDirectory { directory in
            let file = try Self.write("""
                name: evil
                title: Evil
                steps:
                  - {name: a, duration: 1m, pattern: {"\\e]0;x\\a": {period: 1s}}}
                  - {name: b, duration: 1m, pattern: off, "pat\u{202E}tern": 1}
                """, "evil.yaml", in: directory)
            let result = try MassagectlProcess.run(["validate", file])
            #expect(result.status == 65)
            #expect(!Self.hasRawControl(result.standardError), "\(result.standardError)")
            #expect(result.standardError.contains(Self.shownOSC), "\(result.standardError)")
            #expect(result.standardError.contains(#"pat\u{202E}tern"#), "\(result.standardError)")
        }
    }

    @Test("a title with U+202E is refused by name")
    func bidiTitleRefused() throws {
        try Self.withDirectory { directory in
            let file = try Self.write("name: a\ntitle: \"abc\u{202E}fed\"\nsteps:\n  - {name: a, duration: 1m, pattern: off}\n",
                                      "bidi.yaml", in: directory)
            let result = try MassagectlProcess.run(["validate", file])
            #expect(result.status == 65)
            #expect(result.standardError.contains("title: contains the bidirectional-formatting character U+202E"), "\(result.standardError)")
            #expect(!Self.hasRawControl(result.standardError))
        }
    }

    @Test("errors that quote the command line escape it: a parse error, an unknown program")
    func commandLineEchoesEscaped() throws {
        for arguments in [["run", "swedish", "--intensity", Self.osc], ["show", Self.osc], ["run", "x\u{202E}y"]] {
            let result = try MassagectlProcess.run(arguments)
            #expect(result.status != 0)
            #expect(!Self.hasRawControl(result.standardError), "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains(#"\u{"#), "\(arguments): \(result.standardError)")
        }
    }

    @Test("history names a file path with escapes shown")
    func historyPathEscaped() throws {
        try Self.withDirectory { directory in
            let path = directory.appendingPathComponent("h\(Self.osc).sqlite").path
            let result = try MassagectlProcess.run(["history", "--file", path])
            #expect(!Self.hasRawControl(result.output + result.standardError), "\(result.output)\(result.standardError)")
        }
    }

    // MARK: Help and values

    @Test("run --help shows defaults as a person writes them; mat session --help has no dangling 'see below'")
    func helpDefaults() throws {
        let run = try MassagectlProcess.run(["run", "--help"]).output
        #expect(run.contains("default: 100%"))
        #expect(run.contains("(default: 30m)"))
        #expect(!run.contains("PercentArgument") && !run.contains("TimeArgument"), "\(run)")
        let mat = try MassagectlProcess.run(["mat", "session", "--help"]).output
        #expect(!mat.contains("(see below)"), "\(mat)")
    }

    @Test("out-of-range and malformed values name the range and exit 64", arguments: [
        (["--intensity", "150%"], "above the range 0–100%"),
        (["--intensity", "-1%"], "below the range 0–100%"),
        (["--intensity", "nan"], "not a number"),
        (["--max-intensity", "101"], "above the range 0–100%"),
        (["--heat", "50"], "above the range 30–43 °C, or off"),
        (["--heat", "nan"], "not a number"),
        (["--device", "sim:nope"], "no simulator profile 'nope'"),
        (["--device", "sim", "--stuck-motor", "99@1s"], "--stuck-motor 99: profile 'handheld-ring4' has 4 motor(s)"),
    ])
    func valuesNameTheirRange(arguments: [String], message: String) throws {
        let result = try MassagectlProcess.run(["run", "swedish", "--no-history"] + arguments)
        #expect(result.status == 64, "\(arguments): \(result.standardError)")
        #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
    }

    @Test("sim:nope is a usage error for info and mat session too")
    func unknownProfileEverywhere() throws {
        for arguments in [["info", "--device", "sim:nope"], ["mat", "session", "--device", "sim:nope", "--no-history"]] {
            let result = try MassagectlProcess.run(arguments)
            #expect(result.status == 64, "\(arguments): \(result.standardError)")
        }
    }

    @Test("0.6, 60, 60% and 19m59s are accepted; a vibration program on a mat is then refused (exit 65)", arguments: [
        ["--intensity", "0.6"], ["--intensity", "60"], ["--intensity", "60%"], ["--max-session", "19m59s"], ["--max-session", "30:00"],
    ])
    func acceptedValues(arguments: [String]) throws {
        let result = try MassagectlProcess.run(["run", "swedish", "--device", "sim:mat-16", "--no-history"] + arguments)
        #expect(result.status == 65, "\(arguments): \(result.standardError)")
        #expect(result.standardError.contains("swedish cannot be played on"), "\(result.standardError)")
        #expect(result.standardError.contains("has no motors"))
    }

    // MARK: Files

    @Test("a FIFO, a symlink loop, a path too long and /proc/self/mem each say what they are")
    func unreadableFiles() throws {
        try Self.withDirectory { directory in
            let fifo = directory.appendingPathComponent("fifo.yaml").path
            #expect(mkfifo(fifo, 0o600) == 0)
            let loop = directory.appendingPathComponent("loop.yaml").path
            #expect(symlink(loop, loop) == 0)
            let long = directory.path + "/" + String(repeating: "a", count: 300) + ".yaml"
            let cases: [(String, String)] = [
                (fifo, "not a regular file (a FIFO)"),
                (loop, "too many levels of symbolic links"),
                (long, "the path is too long"),
                ("/proc/self/mem", "cannot be read: Input/output error"),
            ]
            for (path, message) in cases {
                for command in ["validate", "run", "show"] {
                    let result = try MassagectlProcess.run([command, path, "--no-history"].filter { command == "run" || $0 != "--no-history" })
                    #expect(result.standardError.contains(message), "\(command) \(path): \(result.standardError)")
                    #expect(!result.standardError.contains("NSCocoaErrorDomain"))
                }
            }
        }
    }

    @Test("a broken or FIFO devices.json warns and lets --device sim work; usb still refuses it")
    func brokenDeviceTable() throws {
        try Self.withDirectory { directory in
            let config = directory.appendingPathComponent("massage-control")
            try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
            let table = config.appendingPathComponent("devices.json")
            try Data("{broken".utf8).write(to: table)
            let environment = ["XDG_CONFIG_HOME": directory.path]
            var result = try MassagectlProcess.run(["info", "--device", "sim"], environment: environment)
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardError.contains("warning: device table"))
            try FileManager.default.removeItem(at: table)
            #expect(mkfifo(table.path, 0o600) == 0)
            result = try MassagectlProcess.run(["info", "--device", "sim"], environment: environment)
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardError.contains("not a regular file (a FIFO)"))
            result = try MassagectlProcess.run(["info", "--device", "usb"], environment: environment)
            #expect(result.status == 64, "\(result.standardError)")
        }
    }

    @Test("--mat-file refuses an unknown key with did-you-mean (exit 65)")
    func matFileUnknownKey() throws {
        try Self.withDirectory { directory in
            let file = try Self.write(#"{"chip": "gpiochip0", "zones": [{"line": 5}], "active_high": true}"#, "mat.json", in: directory)
            let result = try MassagectlProcess.run(["mat", "session", "--mat-file", file, "--no-history"])
            #expect(result.status == 65, "\(result.standardError)")
            #expect(result.standardError.contains("active_high: unknown key; did you mean active_low?"), "\(result.standardError)")
        }
    }

    @Test("wire encode --json - stops reading past 1 MiB, with a usage error")
    func wireEncodeInputLimit() throws {
        let result = try MassagectlProcess.run(["wire", "encode", "--json", "-"], input: Data(repeating: 0x20, count: 2 << 20))
        #expect(result.status == 64)
        #expect(result.standardError.contains("larger than 1 MiB"), "\(result.standardError)")
    }

    // MARK: Programs against devices

    @Test("validate refuses an upside-down range; run refuses a hold on a motor the device lacks")
    func contradictions() throws {
        try Self.withDirectory { directory in
            let inverted = try Self.write("""
                name: inverted
                title: Inverted
                steps:
                  - {name: a, duration: 1m, pattern: {circular: {period: 1s, low: 90%, high: 10%}}}
                """, "inverted.yaml", in: directory)
            let validate = try MassagectlProcess.run(["validate", inverted])
            #expect(validate.status == 65)
            #expect(validate.standardError.contains("steps[0].pattern.circular.low: 90% is above high (10%), so the range is upside down"),
                    "\(validate.standardError)")

            let hold = try Self.write("""
                name: far-hold
                title: Far hold
                steps:
                  - {name: press, duration: 1m, pattern: {hold: {actuator: 15, level: 50%}}}
                """, "hold.yaml", in: directory)
            #expect(try MassagectlProcess.run(["validate", hold]).status == 0)
            let run = try MassagectlProcess.run(["run", hold, "--device", "sim", "--no-history"])
            #expect(run.status == 65, "\(run.standardError)")
            #expect(run.standardError.contains("steps[0] (press): a hold presses actuator 15, but the device has 4 motors (0–3)"), "\(run.standardError)")
        }
    }

    @Test("simulate's closing line names the state in words")
    func simulateStateInWords() throws {
        try Self.withDirectory { directory in
            let socket = directory.appendingPathComponent("s.sock").path
            let result = try MassagectlProcess.run(["simulate", "--listen", "unix:\(socket)", "--duration", "50ms", "--speed", "10"])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.output.contains("state awaiting hello"), "\(result.output)")
            #expect(!result.output.contains("awaitingHello"))
        }
    }
}

/// `--json` for scripts, and completions for shells, through the binary.
@Suite("massagectl: JSON output and shell completions")
struct ScriptOutputTests {
    static func json(_ arguments: [String]) throws -> (Any, MassagectlProcess.Result) {
        let result = try MassagectlProcess.run(arguments)
        return (try JSONSerialization.jsonObject(with: result.standardOutput), result)
    }

    @Test("programs --json: every built-in, snake_case keys with units")
    func programs() throws {
        let (document, result) = try Self.json(["programs", "--json"])
        #expect(result.status == 0)
        let programs = try #require(document as? [[String: Any]])
        let swedish = try #require(programs.first { $0["name"] as? String == "swedish" })
        #expect(swedish["duration_s"] as? Double == 1200)
        #expect(Set(swedish.keys) == ["name", "title", "technique", "description", "duration_s", "steps", "heat_c_max", "source"])
        #expect(swedish["source"] as? String == "built-in")
    }

    @Test("validate --json: one object per file, errors inside, nothing on standard error; exit as without --json")
    func validate() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("bad.yaml")
        try Data("name: bad\ntitle: Bad\nsteps:\n  - {name: a, duration: 1m, patern: off}\n".utf8).write(to: bad)
        let (document, result) = try Self.json(["validate", "--json", bad.path, directory.appendingPathComponent("none.yaml").path])
        #expect(result.status == 66)
        #expect(result.standardError.isEmpty, "\(result.standardError)")
        let files = try #require(document as? [[String: Any]])
        #expect(files.count == 2)
        #expect(files[0]["valid"] as? Bool == false && files[0]["readable"] as? Bool == true)
        let errors = try #require(files[0]["errors"] as? [[String: Any]])
        #expect(errors.contains { $0["path"] as? String == "steps[0].patern" && $0["line"] as? Int == 4 })
        #expect(files[1]["readable"] as? Bool == false)
    }

    @Test("devices --json: usb, serial and simulators")
    func devices() throws {
        let (document, result) = try Self.json(["devices", "--json", "--no-probe"])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try #require(document as? [String: Any])
        let simulators = try #require(object["simulators"] as? [[String: Any]])
        #expect(simulators.contains { $0["uri"] as? String == "sim:mat-16" })
        #expect(object["usb"] is [Any] && object["serial"] is [Any])
    }

    @Test("completion scripts for bash, zsh and fish", arguments: ["bash", "zsh", "fish"])
    func completions(shell: String) throws {
        let result = try MassagectlProcess.run(["--generate-completion-script", shell])
        #expect(result.status == 0)
        #expect(result.output.contains("massagectl") && result.output.contains("run"))
    }
}

/// Programs of one's own: the personal folder, `new`, `programs`, `run NAME`.
@Suite("massagectl: personal programs")
struct PersonalProgramTests {
    @Test("new copies a built-in into the folder; programs lists it; show and validate find it by name")
    func newListAndFind() throws {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: config) }
        let environment = ["XDG_CONFIG_HOME": config.path]
        let made = try MassagectlProcess.run(["new", "my-back", "--from", "shiatsu"], environment: environment)
        #expect(made.status == 0, "\(made.standardError)")
        let path = config.path + "/massage-control/programs/my-back.yaml"
        #expect(made.output == path + "\n")
        #expect(try MassagectlProcess.run(["validate", path]).status == 0)

        let again = try MassagectlProcess.run(["new", "my-back"], environment: environment)
        #expect(again.status == 64 && again.standardError.contains("already there"), "\(again.standardError)")
        #expect(try MassagectlProcess.run(["new", "swedish"], environment: environment).status == 64)
        #expect(try MassagectlProcess.run(["new", "Bad Name"], environment: environment).status == 64)

        let list = try MassagectlProcess.run(["programs"], environment: environment)
        #expect(list.output.contains("Yours, in") && list.output.contains("my-back"), "\(list.output)")
        let listed = try JSONSerialization.jsonObject(with: try MassagectlProcess.run(["programs", "--json"], environment: environment).standardOutput)
        #expect((listed as? [[String: Any]])?.contains { $0["name"] as? String == "my-back" && $0["source"] as? String == path } == true)

        let shown = try MassagectlProcess.run(["show", "my-back", "--width", "80"], environment: environment)
        #expect(shown.status == 0, "\(shown.standardError)")
        #expect(shown.output.contains("my-back") && shown.output.contains("from \(path)"), "\(shown.output)")
        let nearly = try MassagectlProcess.run(["show", "my-bak"], environment: environment)
        #expect(nearly.status == 64 && nearly.standardError.contains("did you mean my-back?"), "\(nearly.standardError)")
    }
}
