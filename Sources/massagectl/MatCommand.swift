import MassageControl
import ArgumentParser
import Foundation
import MassageKit
import MassageSimulator

/// `massagectl mat`: an acupressure mat's contact, live (`watch`) or as a timed session
/// toward the day's goal (`session`).
struct MatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mat",
        abstract: "Read an acupressure mat: a live map of its zones, or a session toward today's goal.",
        discussion: """
            The mat is a device that sends pressure per zone (sim:mat-16, a USB or serial \
            mat) or contact switches wired to GPIO lines (gpio:CHIP?lines=5,6,13,19, zone i \
            on the i-th line; &active-high and &bias=as-is change the default wiring of \
            contacts that close to ground with the pull-up on).

            The simulated mat (sim:mat-16) has a simulated person on it, who follows a \
            body scenario: sim:mat-16?body=SCENARIO&seed=N chooses it (quote the URI in a \
            shell). \(BodyScenario.allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "; ")). \
            The seed (default 1) draws the times: the same seed gives the same session, \
            another seed another one.

            A GPIO mat can also be described in a file (--mat-file mat.json), with a grid \
            and names for the zones:
              { "chip": "gpiochip0", "rows": 2, "columns": 2,
                "zones": [ { "line": 5, "name": "left shoulder" }, { "line": 6 },
                           { "line": 13 }, { "line": 19, "name": "right hip" } ],
                "active_low": true, "bias": "pull-up" }
            """,
        subcommands: [MatWatchCommand.self, MatSessionCommand.self]
    )
}

/// The options both mat commands take: where the mat is, and for how long.
struct MatSourceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The mat: sim:mat-16 (with ?body=SCENARIO&seed=N: see massagectl mat --help), a mat device (usb…, serial:PATH, unix:PATH) or gpio:CHIP?lines=5,6,13,19.", valueName: "URI"), completion: ShellCompletions.mats)
    var device: String = "sim:mat-16"

    @Option(name: .customLong("mat-file"), help: ArgumentHelp("A GPIO mat described in a JSON file (chip, a line per zone, grid, wiring) instead of --device gpio:… (see massagectl mat --help).", valueName: "path"))
    var matFile: String?

    @Option(help: ArgumentHelp("End after this long on the mat's clock (e.g. 20m, 90s); default: until Ctrl-C.", valueName: "time"))
    var duration: TimeArgument?

    @Option(help: ArgumentHelp("With a simulator: run this many times faster than real time (1–20).", valueName: "factor"))
    var speed: Double = 1

    func validate() throws {
        if let duration {
            guard duration.microseconds > 0, duration.microseconds <= 24 * 3_600_000_000 else {
                throw ValidationError("--duration must be more than 0 and at most 24h")
            }
        }
        guard speed.isFinite, (1...20).contains(speed) else { throw ValidationError("--speed must be 1–20, not \(speed)") }
        try SimulatorChoice.check(device: device)
        if matFile != nil && device != "sim:mat-16" {
            throw ValidationError("--mat-file and --device both say where the mat is; give one")
        }
    }

    /// `--duration` in ns.
    var durationNanoseconds: UInt64? { duration.map { $0.microseconds * 1000 } }

    /// Opens the mat, or prints why not and gives the exit status: 64 for a URI or flag to
    /// fix, 65 for a mat file that is not valid, 66 for one that cannot be read, 1 for a
    /// device that cannot be reached or is not a mat.
    func openFeed() throws -> MatFeed {
        let file: MatFile?
        do {
            file = try matFile.map { path throws(MatFileError) in try MatFile.load(path: path) }
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitCode(error.isUnreadable ? ExitStatus.unreadableFile : ExitStatus.invalidFile)
        }
        do {
            if let file {
                return try MatFeed.openLines(chip: file.chip, lines: file.lines, wiring: file.wiring,
                                             layout: MatLayout(rows: file.rows, columns: file.columns, lineOffsets: file.lines))
            }
            let feed = try MatFeed.open(device: device, speed: speed)
            // A lone watchdog left by an earlier host is cleared with a note; any other
            // fault is only warned about: reading a mat drives nothing.
            if case .device(let session, _) = feed.kind {
                LeftoverFaultCheck.settleBeforeReading(session, device: device)
            }
            return feed
        } catch let error as ValidationFailure {
            StandardError.print("Error: \(error)")
            throw ExitCode.validationFailure
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitCode.failure
        }
    }
}

/// Writes to standard output without a newline (for lines redrawn in place).
func emitRaw(_ text: String) {
    writeUnbuffered(text, to: STDOUT_FILENO)
}
