import ArgumentParser
import Foundation
import MassageHistory
import MassageKit

/// `massagectl history`: the recorded program runs and mat sessions.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show recorded program runs and mat sessions, newest first.",
        discussion: """
            The history lives in $XDG_DATA_HOME/massage-control/history.sqlite \
            (~/.local/share/massage-control/history.sqlite by default). A session is \
            written when it starts and updated at least every 10 s; one whose process died \
            (a crash, kill -9) shows as interrupted, with what was recorded until then.

            EXIT STATUS
              0   shown (an empty history too)
              1   the history file cannot be read
            """
    )

    @Option(help: "How many sessions to show.")
    var limit = 20

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    @Option(help: ArgumentHelp("Read this history file instead of the default.", valueName: "path"))
    var file: String?

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1–10000, not \(limit)") }
    }

    func run() throws {
        guard let path = file ?? HistoryStore.defaultPath() else {
            StandardError.print("Error: neither XDG_DATA_HOME nor HOME is set: give --file PATH")
            throw ExitCode.failure
        }
        let entries: [HistoryEntry]
        do {
            entries = try HistoryStore(path: path).entries(limit: limit)
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitCode.failure
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: (try? encoder.encode(entries)) ?? Data("[]".utf8), as: UTF8.self))
            return
        }
        guard !entries.isEmpty else {
            printText("No sessions recorded yet in \(path).")
            return
        }
        printText(Self.table(entries))
    }

    static func duration(_ seconds: Double?) -> String {
        guard let seconds else { return "" }
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%d:%02d", total / 60, total % 60)
    }

    static func table(_ entries: [HistoryEntry]) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        let header = ["started", "kind", "name", "device", "outcome", "time", "contact", "dose", "note"]
        let rows = entries.map { e in
            [formatter.string(from: e.startedAt), e.kind.rawValue, e.name, e.device, e.outcome.rawValue,
             duration(e.elapsedSeconds), duration(e.contactSeconds),
             e.dosePoints.map { String(format: "%.1f", $0) } ?? "", e.note ?? ""].map { TerminalText.escaped($0) }
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        return ([header] + rows).map { row in
            row.indices.map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
