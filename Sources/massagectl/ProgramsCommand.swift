import ArgumentParser
import MassageKit
import MassageProgramFiles

/// `massagectl programs`: the built-in program library.
struct ProgramsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "programs",
        abstract: "List the built-in vibration programs, and yours.",
        discussion: """
            Each program follows one massage technique. `massagectl show NAME` draws one; \
            `massagectl show NAME --yaml` prints its file, to copy and edit into your own \
            (see docs/programs.md), which `massagectl validate FILE` checks.

            Your own programs live in $XDG_CONFIG_HOME/massage-control/programs/ \
            (~/.config/massage-control/programs/ by default), one NAME.yaml (or .json) \
            each: they are listed after the built-ins, and `massagectl run NAME` finds \
            them by name. `massagectl new NAME --from swedish` starts one from a built-in.

            EXIT STATUS
              0   listed
              1   a built-in program failed its own checks (a bug: please report it)
            """
    )

    @Flag(help: "Print a JSON array instead of a table (see the README's JSON output).")
    var json = false

    func run() throws {
        let programs: [Program]
        do {
            programs = try BuiltInPrograms.all()
        } catch {
            StandardError.print("Error: a built-in program is invalid (a bug):\n\(error)")
            throw ExitCode.failure
        }
        // The person's own, after the built-ins; one that does not read is named on
        // standard error and left out, so a half-edited file does not hide the list.
        var own: [(program: Program, path: String)] = []
        for path in PersonalPrograms.files() {
            do {
                own.append((try ProgramFile.load(path: path), path))
            } catch {
                StandardError.print("warning: \(path) is left out: \(error.issues.first?.message ?? "not valid") (massagectl validate \(path))")
            }
        }
        if json {
            JSONOutput.print(programs.map { Self.jsonObject($0).merging(["source": "built-in"]) { $1 } }
                + own.map { Self.jsonObject($0.program).merging(["source": $0.path]) { $1 } })
        } else {
            printText(Self.table(programs))
            if !own.isEmpty {
                printText("\nYours, in \(PersonalPrograms.directory() ?? "")/:\n" + Self.table(own.map(\.program)))
            }
        }
    }

    /// One program for `--json` (and `validate --json`).
    static func jsonObject(_ p: Program) -> [String: Any] {
        let heats = p.steps.compactMap(\.heat)
        return [
            "name": p.name, "title": p.title, "technique": p.technique, "description": p.description,
            "duration_s": p.duration, "steps": p.steps.count,
            "heat_c_max": JSONOutput.orNull(heats.max()),
        ]
    }

    static func table(_ programs: [Program]) -> String {
        let header = ["NAME", "TITLE", "TIME", "HEAT", "TECHNIQUE"]
        let rows = programs.map { p in
            [p.name, p.title, clockText(p.duration), p.heats ? "yes" : "no", p.technique]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.indices.map { i in
                i == row.count - 1 ? row[i] : row[i] + String(repeating: " ", count: widths[i] - row[i].count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
