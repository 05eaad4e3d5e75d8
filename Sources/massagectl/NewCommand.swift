import ArgumentParser
import Foundation
import MassageKit
import MassageProgramFiles

/// `massagectl new NAME --from PROGRAM`: starts a program of one's own, as a copy to edit
/// in the personal program folder.
struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Start a program of your own: a copy of a built-in (or any program) to edit.",
        discussion: """
            Writes NAME.yaml into $XDG_CONFIG_HOME/massage-control/programs/ \
            (~/.config/massage-control/programs/ by default), with the program's name set \
            to NAME. Edit it (docs/programs.md has the format), check it with `massagectl \
            validate`, and play it with `massagectl run NAME`.

            EXAMPLES
              massagectl new my-back --from swedish
              massagectl new evening --from ./evening-draft.yaml

            EXIT STATUS
              0   written; the path is printed
              1   the folder or the file cannot be written
              64  usage error: a bad NAME, a built-in's name, a file that is already there
                  (without --force), or an unknown --from
              65  the --from file is not valid
              66  the --from file cannot be read
            """
    )

    @Argument(help: ArgumentHelp("The new program's name: a-z, 0-9 and -.", valueName: "NAME"))
    var name: String

    @Option(help: ArgumentHelp("The program to start from: a built-in's name, one of yours, or a file.", valueName: "PROGRAM"), completion: ShellCompletions.programs)
    var from: String = "swedish"

    @Flag(help: "Replace a program of yours that has this name.")
    var force = false

    func validate() throws {
        guard PersonalPrograms.isName(name) else {
            throw ValidationError("'\(name)' is not a program name: use a-z, 0-9 and -, e.g. my-back")
        }
        guard BuiltInPrograms.source(named: name) == nil else {
            throw ValidationError("\(name) is a built-in's name; choose another, e.g. my-\(name)")
        }
    }

    func run() throws {
        guard let directory = PersonalPrograms.directory() else {
            StandardError.print("Error: neither XDG_CONFIG_HOME nor HOME is set, so there is no program folder")
            throw ExitCode.failure
        }
        let path = "\(directory)/\(name).yaml"
        if !force, let existing = PersonalPrograms.file(named: name) {
            StandardError.print("Error: \(existing) is already there; edit it, or give --force to replace it")
            throw ExitCode.validationFailure
        }
        var program: Program
        do {
            program = try ProgramLookup.find(from).program
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitStatus.forProgramLookup(error)
        }
        program.name = name
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(ProgramFile.yaml(program).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            StandardError.print("Error: cannot write \(path): \(error.localizedDescription)")
            throw ExitCode.failure
        }
        printText(path)
        StandardError.print("Edit it, check it with `massagectl validate \(path)`, play it with `massagectl run \(name)`.")
    }
}
