import Foundation
import Testing

/// The shell completions as a shell runs them: the generated bash script calls back into
/// massagectl for program names, profiles and device URIs, and those callbacks answer
/// with the built-ins, the person's own programs and the simulators. Through the binary.
@Suite struct ShellCompletionTests {
    /// `massagectl ---completion …`: what ArgumentParser's scripts run on Tab.
    static func complete(_ command: [String], _ argument: String, words: [String], environment: [String: String] = [:]) throws -> [String] {
        let result = try MassagectlProcess.run(
            ["---completion"] + command + ["--", argument, String(words.count - 1), String(words.last?.count ?? 0)] + words,
            environment: environment)
        #expect(result.status == 0, "\(result.standardError)")
        return result.lines
    }

    @Test("the bash script holds the custom completion calls: programs, devices, profiles")
    func bashScriptCallsBack() throws {
        let result = try MassagectlProcess.run(["--generate-completion-script", "bash"])
        #expect(result.status == 0)
        let script = result.output
        #expect(script.contains("---completion show -- positional@0"), "no program completion for show")
        #expect(script.contains("---completion new -- --from"), "no program completion for new --from")
        #expect(script.contains("---completion info -- --device"), "no device completion for info")
        #expect(script.contains("---completion mat session -- --device"), "no device completion for mat session")
        #expect(script.contains("---completion simulate -- --profile"), "no profile completion for simulate")
        for shell in ["zsh", "fish"] {
            let other = try MassagectlProcess.run(["--generate-completion-script", shell])
            #expect(other.status == 0 && other.output.contains("---completion"), "\(shell)")
        }
    }

    @Test("program names: every built-in, yours beside them, filtered by what is typed")
    func programNames() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let environment = ["XDG_CONFIG_HOME": directory.file("config")]
        let all = try Self.complete(["show"], "positional@0", words: ["massagectl", "show", ""], environment: environment)
        #expect(all == ["swedish", "deep-tissue", "shiatsu", "trigger-point", "friction", "petrissage",
                        "effleurage-warm-up", "tennis-ball", "heat-and-circles", "heat-warm-up"], "\(all)")
        #expect(try Self.complete(["show"], "positional@0", words: ["massagectl", "show", "sw"]) == ["swedish"])

        let programs = directory.file("config/massage-control/programs")
        try FileManager.default.createDirectory(atPath: programs, withIntermediateDirectories: true)
        for name in ["my-back.yaml", "evening.json", "not a name.yaml", "notes.txt"] {
            try Data("name: x\n".utf8).write(to: URL(fileURLWithPath: programs + "/" + name))
        }
        let mine = try Self.complete(["new"], "--from", words: ["massagectl", "new", "x", "--from", ""], environment: environment)
        #expect(mine.suffix(2) == ["evening", "my-back"], "\(mine)")
        #expect(mine.contains("swedish") && !mine.contains("not a name") && !mine.contains("notes"), "\(mine)")
    }

    @Test("device URIs and profiles: the simulators, the mat's body scenarios, usb")
    func devicesAndProfiles() throws {
        let devices = try Self.complete(["info"], "--device", words: ["massagectl", "info", "--device", ""])
        for uri in ["sim", "sim:handheld-ring4", "sim:mat-16", "sim:mat-16?body=gets-up", "usb"] {
            #expect(devices.contains(uri), "\(uri): \(devices)")
        }
        let mats = try Self.complete(["mat", "session"], "--device", words: ["massagectl", "mat", "session", "--device", "sim"])
        #expect(mats.contains("sim:mat-16") && !mats.contains("sim:handheld-ring4"), "\(mats)")
        let profiles = try Self.complete(["simulate"], "--profile", words: ["massagectl", "simulate", "--profile", "h"])
        #expect(profiles == ["handheld-ring4", "handheld-single"], "\(profiles)")
    }

    @Test("bash itself, with the generated script: Tab after `show sw` and `info --device sim:m` offers the right words")
    func bashCompletes() throws {
        let bash = "/bin/bash"
        try #require(FileManager.default.isExecutableFile(atPath: bash), "no \(bash)")
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let script = directory.file("massagectl.bash")
        try MassagectlProcess.run(["--generate-completion-script", "bash"]).standardOutput.write(to: URL(fileURLWithPath: script))
        let binary = try MassagectlProcess.executable().deletingLastPathComponent().path
        // As bash calls a completion function: COMP_* set, and (command, word, previous word).
        let driver = """
            source '\(script)'
            tab() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
                    _massagectl massagectl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; echo "${COMPREPLY[*]}"; }
            tab massagectl show sw
            tab massagectl info --device sim:m
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bash)
        process.arguments = ["-c", driver]
        process.environment = ProcessInfo.processInfo.environment.merging(["PATH": binary + ":/usr/bin:/bin"]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.first == "swedish", "\(lines)")
        #expect(lines.dropFirst().first?.contains("sim:mat-16") == true, "\(lines)")
    }

    @Test("scripts/install-shell-support installs the three completion files where the shells look")
    func installScript() throws {
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = package.appendingPathComponent("scripts/install-shell-support").path
        guard FileManager.default.isExecutableFile(atPath: script) else {
            Issue.record("no \(script)")
            return
        }
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = ["--no-man"]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "HOME": directory.path, "XDG_DATA_HOME": directory.file("data"), "XDG_CONFIG_HOME": directory.file("config"),
            "MASSAGECTL": try MassagectlProcess.executable().path,
        ]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        for file in ["data/bash-completion/completions/massagectl", ".zfunc/_massagectl", "config/fish/completions/massagectl.fish"] {
            let text = (try? String(contentsOfFile: directory.file(file), encoding: .utf8)) ?? ""
            #expect(text.contains("---completion"), "\(file): \(text.prefix(200))")
        }
    }
}
