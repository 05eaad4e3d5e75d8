import Foundation
import Testing

/// Every command's `--help`, as the binary prints it: no Swift internals where a default
/// belongs (`PercentArgument(percent: 100)`), and no pointer to a part of the help that
/// is not there ("(see below)" with nothing below).
@Suite struct HelpTextTests {
    /// The subcommands a help text lists under SUBCOMMANDS.
    static func subcommands(inHelp help: String) -> [String] {
        guard let start = help.range(of: "SUBCOMMANDS:\n") else { return [] }
        var names: [String] = []
        for line in help[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
            // A name sits two spaces in; continuation lines sit further in.
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first else { continue }
            if name == "See" { break }
            names.append(String(name))
        }
        return names
    }

    /// Every command path, found by walking the SUBCOMMANDS sections from the root.
    static func allCommands() throws -> [[String]] {
        var found: [[String]] = []
        var queue: [[String]] = [[]]
        while let path = queue.first {
            queue.removeFirst()
            found.append(path)
            let help = try MassagectlProcess.run(path + ["--help"]).output
            for name in subcommands(inHelp: help) where !(path.isEmpty && name == "help") {
                queue.append(path + [name])
            }
        }
        return found
    }

    /// What is wrong with one help text: internals printed as values, and references to
    /// a part of the text that does not follow or precede.
    static func problems(in help: String) -> [String] {
        var problems: [String] = []
        // A type's memberwise description: `Name(field: value)`.
        let internals = /[A-Z][A-Za-z]*(Argument|Choice|Options?)\(|\(default: [A-Z][A-Za-z]*\(/
        if help.contains(internals) { problems.append("prints a Swift value where a default belongs") }
        let flat = help.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
        if flat.contains("(see below)") { problems.append("says \"(see below)\" without naming what") }
        for match in flat.matches(of: /see ([A-Z][A-Z ]+[A-Z]) (below|above)/) {
            let section = String(match.1)
            let before = flat[..<match.range.lowerBound]
            let after = flat[match.range.upperBound...]
            let present = match.2 == "below" ? after.contains(section) : before.contains(section)
            if !present { problems.append("says \"see \(section) \(match.2)\" but no \(section) is \(match.2)") }
        }
        return problems
    }

    @Test("every command's --help: exit 0, no Swift internals as defaults, no dangling 'see below'")
    func everyHelpIsClean() throws {
        let commands = try Self.allCommands()
        // The root, the groups (mat, config, wire) and their leaves: all of them.
        #expect(commands.count >= 20, "found only \(commands)")
        #expect(commands.contains(["mat", "session"]))
        for command in commands {
            let result = try MassagectlProcess.run(command + ["--help"])
            #expect(result.status == 0, "\(command) --help: \(result.standardError)")
            #expect(result.output.contains("USAGE:"), "\(command) --help printed no usage")
            let found = Self.problems(in: result.output)
            #expect(found.isEmpty, "massagectl \(command.joined(separator: " ")) --help: \(found)")
        }
    }

    @Test("the checker refuses what the issue found: internals, and a reference to nothing")
    func checkerCatchesTheOldFaults() {
        #expect(!Self.problems(in: "  --intensity <i>  (default: PercentArgument(percent: 100))").isEmpty)
        #expect(!Self.problems(in: "  --max-session <t>  (default: TimeArgument(microseconds: 1800000000))").isEmpty)
        #expect(!Self.problems(in: "  --mat-file <path>  A file (see below).\n  -h, --help").isEmpty)
        #expect(!Self.problems(in: "DEVICE URIS\n  sim\nOPTIONS:\n  --device <URI>  The device (see DEVICE URIS below).").isEmpty)
        #expect(Self.problems(in: "DEVICE URIS\n  sim\nOPTIONS:\n  --device <URI>  The device (see DEVICE URIS above). (default: 30m)").isEmpty)
    }
}
