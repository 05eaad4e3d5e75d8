import ArgumentParser
import Foundation
import MassageKit
import MassageProgramFiles

/// `massagectl validate FILE...`: checks program files without running them.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check program files (YAML or JSON) and report every error with its place.",
        discussion: """
            Prints "FILE: OK" with the program's name, length and steps for a valid file, \
            and every error in an invalid one (up to \(ProgramFileLimits.maximumReportedIssues) \
            per file) on standard error, as FILE:LINE:COLUMN: PATH: MESSAGE (JSON files have \
            no line and column). The file schema is in docs/programs.md.

            EXAMPLES
              massagectl show swedish --yaml > my-swedish.yaml
              massagectl validate my-swedish.yaml

            EXIT STATUS
              0   every file is valid
              64  usage error
              65  at least one file is not valid (and every file could be read)
              66  at least one file cannot be read (missing, not a regular file, no permission)
            """
    )

    @Argument(help: ArgumentHelp("Program files to check.", valueName: "FILE"))
    var files: [String]

    @Flag(help: "Print a JSON array, one object per file, instead of lines (errors included; nothing on standard error).")
    var json = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one program file to check") }
    }

    func run() throws {
        var worst: Int32 = ExitStatus.success
        var objects: [[String: Any]] = []
        for file in files {
            do {
                let program = try ProgramFile.load(path: file)
                if json {
                    objects.append(["file": file, "valid": true, "readable": true, "program": ProgramsCommand.jsonObject(program), "errors": [Any]()])
                    continue
                }
                let steps = program.steps.count
                printText("\(file): OK (\(program.name), \(clockText(program.duration)), \(steps) step\(steps == 1 ? "" : "s")"
                    + (program.heats ? ", heat" : "") + ")")
            } catch {
                worst = max(worst, error.isUnreadable ? ExitStatus.unreadableFile : ExitStatus.invalidFile)
                if json {
                    objects.append(["file": file, "valid": false, "readable": !error.isUnreadable, "program": NSNull(),
                                    "errors": error.issues.map { issue in
                                        ["path": issue.path, "message": issue.message,
                                         "line": JSONOutput.orNull(issue.mark?.line), "column": JSONOutput.orNull(issue.mark?.column)] as [String: Any]
                                    },
                                    "errors_omitted": error.omitted])
                    continue
                }
                StandardError.print(error.description)
            }
        }
        if json { JSONOutput.print(objects) }
        if worst != ExitStatus.success { throw ExitCode(worst) }
    }
}
