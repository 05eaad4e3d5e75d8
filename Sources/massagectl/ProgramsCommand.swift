import ArgumentParser
import MassageKit
import MassageProgramFiles

/// `massagectl programs`: the built-in program library.
struct ProgramsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "programs",
        abstract: "List the built-in vibration programs.",
        discussion: """
            Each program follows one massage technique. `massagectl show NAME` draws one; \
            `massagectl show NAME --yaml` prints its file, to copy and edit into your own \
            (see docs/programs.md), which `massagectl validate FILE` checks.

            EXIT STATUS
              0   listed
              1   a built-in program failed its own checks (a bug: please report it)
            """
    )

    func run() throws {
        let programs: [Program]
        do {
            programs = try BuiltInPrograms.all()
        } catch {
            StandardError.print("Error: a built-in program is invalid (a bug):\n\(error)")
            throw ExitCode.failure
        }
        printText(Self.table(programs))
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
