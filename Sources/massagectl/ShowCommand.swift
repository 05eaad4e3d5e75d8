import ArgumentParser
import Foundation
import MassageKit
import MassageProgramFiles
import MassageSimulator
import MassageWire

/// `massagectl show PROGRAM|FILE`: draws a program in the terminal, or prints its file.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Draw a program: each motor's intensity and the heat over time, and its steps.",
        discussion: """
            PROGRAM is a built-in's name (see `massagectl programs`) or a program file \
            (YAML or JSON, see docs/programs.md). The picture is sampled from what the \
            player sends, step intensities and the blend between steps included, on a \
            device with the layout --actuators or --profile gives (4 motors on a ring by \
            default).

            EXAMPLES
              massagectl show swedish
              massagectl show friction --actuators 8 --width 120
              massagectl show friction --start 2m --length 6s
              massagectl show trigger-point --profile handheld-single
              massagectl show swedish --yaml > my-swedish.yaml

            EXIT STATUS
              0   shown
              64  usage error, or no built-in program of that name
              65  the program file is not valid
              66  the program file cannot be read (missing, not a regular file, no permission)
            """
    )

    @Argument(help: ArgumentHelp("A built-in program's name or a program file.", valueName: "PROGRAM|FILE"), completion: ShellCompletions.programs)
    var program: String

    @Option(help: ArgumentHelp("Columns to draw in (default: the terminal's width, or 80).", valueName: "N"))
    var width: Int?

    @Option(help: ArgumentHelp("Draw for N motors evenly round a ring (1 is a single motor).", valueName: "N"))
    var actuators: Int?

    @Option(help: ArgumentHelp("Draw for a simulator profile's motors: \(SimulatorProfile.builtIn.map(\.name).joined(separator: ", ")).",
                               valueName: "NAME"))
    var profile: String?

    @Option(help: ArgumentHelp("Draw from this time into the program (e.g. 3m, 90s), to zoom in.", valueName: "TIME"))
    var start: TimeArgument?

    @Option(help: ArgumentHelp("Draw this much of the program (e.g. 10s: each circle or stroke becomes visible).", valueName: "TIME"))
    var length: TimeArgument?

    @Flag(help: "Print the program's file text instead (a built-in's YAML, to copy and edit).")
    var yaml = false

    static let widths = 40 ... 400

    func validate() throws {
        if actuators != nil && profile != nil { throw ValidationError("give --actuators or --profile, not both") }
        if let actuators, !(1 ... ActuatorGeometry.maximumActuators).contains(actuators) {
            throw ValidationError("--actuators must be 1–\(ActuatorGeometry.maximumActuators), not \(actuators)")
        }
        if let width, !Self.widths.contains(width) {
            throw ValidationError("--width must be \(Self.widths.lowerBound)–\(Self.widths.upperBound), not \(width)")
        }
        if let profile, SimulatorProfile.named(profile) == nil {
            throw ValidationError("no profile '\(profile)'; profiles: \(SimulatorProfile.builtIn.map(\.name).joined(separator: ", "))")
        }
    }

    func run() throws {
        let found: ProgramLookup
        do {
            found = try ProgramLookup.find(program)
        } catch let error as ProgramFileError {
            StandardError.print(error.description)
            throw ExitStatus.forProgramLookup(error)
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitStatus.forProgramLookup(error)
        }
        if yaml {
            print(found.sourceText, terminator: found.sourceText.hasSuffix("\n") ? "" : "\n")
            return
        }
        let geometry: ActuatorGeometry
        do {
            geometry = try self.geometry()
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitCode.validationFailure
        }
        guard geometry.count > 0 else {
            StandardError.print("Error: profile \(profile ?? "") has no motors; choose another profile or --actuators N")
            throw ExitCode.validationFailure
        }
        let p = found.program
        var heading = "\(p.name) — \(p.title)  (\(clockText(p.duration)), \(p.steps.count) steps"
        let heats = p.steps.compactMap(\.heat)
        if let low = heats.min(), let high = heats.max() {
            heading += low == high ? ", heat \(ProgramChart.celsiusText(low)) °C" : ", heat \(ProgramChart.celsiusText(low))–\(ProgramChart.celsiusText(high)) °C"
        } else {
            heading += ", no heat"
        }
        heading += found.origin == "built-in" ? ")" : ", from \(found.origin))"
        let columns = width ?? Self.terminalWidth()
        let from = Double(start?.microseconds ?? 0) / 1_000_000
        guard from < p.duration else {
            StandardError.print("Error: --start \(clockText(from)) is past the program's end (\(clockText(p.duration)))")
            throw ExitCode.validationFailure
        }
        let to = min(p.duration, length.map { from + Double($0.microseconds) / 1_000_000 } ?? p.duration)
        guard to > from else {
            StandardError.print("Error: --length must be more than 0")
            throw ExitCode.validationFailure
        }
        if from > 0 || to < p.duration { heading += "; drawn \(clockText(from))–\(clockText(to))" }
        var lines = [heading]
        if !p.technique.isEmpty { lines.append(p.technique) }
        if !p.description.isEmpty { lines += Self.wrap(p.description, width: columns) }
        lines.append("")
        lines.append(ProgramChart(program: p, geometry: geometry, width: columns, window: from ..< to).render())
        printText(lines.joined(separator: "\n"))
    }

    func geometry() throws -> ActuatorGeometry {
        if let profile, let found = SimulatorProfile.named(profile) {
            var infos: [ActuatorInfo] = []
            for i in 0 ..< found.device.actuatorCount { infos.append(found.device.actuators[i]) }
            return try ActuatorGeometry(actuators: infos)
        }
        let count = actuators ?? 4
        return count == 1 ? .single : try .ring(count: count)
    }

    /// $COLUMNS, else the terminal's width, else 80; within the allowed widths.
    static func terminalWidth() -> Int {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let columns = Int(text) {
            return min(max(columns, widths.lowerBound), widths.upperBound)
        }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return min(max(Int(size.ws_col), widths.lowerBound), widths.upperBound)
        }
        return 80
    }

    /// Words into lines of at most `width` characters.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                if !line.isEmpty && line.count + 1 + word.count > width {
                    lines.append(line)
                    line = ""
                }
                line += (line.isEmpty ? "" : " ") + word
            }
            lines.append(line)
        }
        return lines
    }
}
