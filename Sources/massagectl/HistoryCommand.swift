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
            written when it starts and updated every 10 s of session time; one whose \
            process ended without finishing it (a crash, kill -9) shows as interrupted, \
            with what was recorded until then.

            Reading never changes the file, and works on a read-only one. Rows that \
            cannot be read (a damaged file) are skipped and counted on standard error. \
            --delete is the one option that writes.

            "time" is session time (program time at any --speed, the mat's clock); \
            "wall" is the time it took. --json prints snake_case keys, the session's \
            summary as an object.

            EXAMPLES
              massagectl history --since 7d --kind mat --real
              massagectl history --totals week
              massagectl history --delete 12 --delete 13

            EXIT STATUS
              0   shown (an empty history too)
              1   the history file cannot be read (or, with --delete, written)
              64  usage error
            """
    )

    enum Totals: String, ExpressibleByArgument, CaseIterable {
        case day, week
    }

    @Option(help: "How many sessions to show.")
    var limit = 20

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    @Option(help: ArgumentHelp("Read this history file instead of the default (its folder must exist).", valueName: "path"))
    var file: String?

    @Option(help: ArgumentHelp("Only sessions started since this day (YYYY-MM-DD, local time) or this long ago (7d, 12h).", valueName: "when"))
    var since: SinceArgument?

    @Option(help: ArgumentHelp("Only program runs or only mat sessions.", valueName: "program|mat"))
    var kind: HistoryEntry.Kind?

    @Option(help: ArgumentHelp("Only sessions on this device URI.", valueName: "URI"))
    var device: String?

    @Flag(name: .customLong("real"), help: "Only sessions on real devices.")
    var realOnly = false

    @Flag(name: .customLong("simulated"), help: "Only sessions on the simulator.")
    var simulatedOnly = false

    @Option(help: ArgumentHelp("Totals per day or week instead of the sessions (session time, mat contact, runs).", valueName: "day|week"))
    var totals: Totals?

    @Option(help: ArgumentHelp("Delete the session with this id (repeatable; ids are in --json).", valueName: "id"))
    var delete: [Int64] = []

    func validate() throws {
        guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be 1–100000, not \(limit)") }
        if realOnly && simulatedOnly { throw ValidationError("--real and --simulated exclude each other") }
        if !delete.isEmpty && (json || totals != nil) { throw ValidationError("--delete does not combine with --json or --totals") }
    }

    var filter: HistoryStore.Filter {
        HistoryStore.Filter(kind: kind, device: device, since: since?.date(now: Date(), calendar: .current),
                            simulated: realOnly ? false : simulatedOnly ? true : nil)
    }

    func run() throws {
        guard let path = file ?? HistoryStore.defaultPath() else {
            StandardError.print("Error: \(HistoryStore.noDefaultPathReason): give --file PATH")
            throw ExitCode.failure
        }
        if !delete.isEmpty {
            do {
                let removed = try HistoryStore(path: path, access: .readWrite, createFolder: false).delete(ids: delete)
                print("deleted \(removed) of \(delete.count) session\(delete.count == 1 ? "" : "s")")
                return
            } catch {
                StandardError.print("Error: \(error)")
                throw ExitCode.failure
            }
        }
        guard FileManager.default.fileExists(atPath: path) else {
            if json { print("[]") } else { printText("No sessions recorded yet in \(path).") }
            return
        }
        let reading: HistoryReading
        do {
            let store = try HistoryStore(path: path, access: .readOnly)
            if let note = store.readNote { StandardError.print("warning: history \(path): \(note)") }
            reading = try store.read(limit: totals == nil ? limit : 1_000_000, filter: filter)
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitCode.failure
        }
        if reading.damagedRows > 0 {
            StandardError.print("warning: history \(path): \(reading.damagedRows) damaged row\(reading.damagedRows == 1 ? "" : "s") skipped (the file is left as it is)")
        }
        if let totals {
            let rows = Self.totals(reading.entries, by: totals, calendar: .current)
            let streak = Self.goalStreak(reading.entries, now: Date(), calendar: .current)
            if json {
                print(Self.json(TotalsReport(periods: rows, goalStreakDays: streak)))
            } else if rows.isEmpty {
                print("No sessions match.")
            } else {
                printText(Self.table(rows))
                print("mat goal streak: \(streak) day\(streak == 1 ? "" : "s") in a row")
            }
            return
        }
        if json {
            print(Self.json(reading.entries))
            return
        }
        guard !reading.entries.isEmpty else {
            printText("No sessions recorded yet in \(path).")
            return
        }
        printText(Self.table(reading.entries))
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: (try? encoder.encode(value)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "" }
        let total = Int(min(max(seconds, 0), 1e12).rounded())
        return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%d:%02d", total / 60, total % 60)
    }

    static func table(_ entries: [HistoryEntry]) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        let header = ["id", "started", "kind", "name", "device", "outcome", "time", "wall", "contact", "dose", "note"]
        let rows = entries.map { e in
            [e.id.map { String($0) } ?? "", formatter.string(from: e.startedAt), e.kind.rawValue,
             e.file.map { ($0 as NSString).lastPathComponent } ?? e.name,
             e.device + (e.isSimulated && !(e.device == "sim" || e.device.hasPrefix("sim:")) ? " (sim)" : ""),
             e.outcome.rawValue, duration(e.elapsedSeconds), duration(e.wallSeconds), duration(e.contactSeconds),
             e.dosePoints.map { String(format: "%.1f", $0) } ?? "", e.note ?? ""].map { TerminalText.escaped($0) }
        }
        return layout(header, rows)
    }

    /// Per day or per week: sessions, session time, mat contact, and whether the mat days
    /// reached their goal.
    struct Total: Encodable, Equatable {
        var period: String
        var sessions: Int
        var programRuns: Int
        var matSessions: Int
        var sessionSeconds: Double
        var contactSeconds: Double
        /// Mat days in the period whose contact reached that day's recorded goal.
        var goalDaysMet: Int

        enum CodingKeys: String, CodingKey {
            case period, sessions
            case programRuns = "program_runs"
            case matSessions = "mat_sessions"
            case sessionSeconds = "session_seconds"
            case contactSeconds = "contact_seconds"
            case goalDaysMet = "goal_days_met"
        }
    }

    static func totals(_ entries: [HistoryEntry], by period: Totals, calendar: Calendar) -> [Total] {
        let dayFormatter = DateFormatter()
        dayFormatter.calendar = calendar
        dayFormatter.timeZone = calendar.timeZone
        dayFormatter.dateFormat = "yyyy-MM-dd"
        func key(_ date: Date) -> String {
            switch period {
            case .day: return dayFormatter.string(from: date)
            case .week:
                let parts = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
                return String(format: "%04d-W%02d", parts.yearForWeekOfYear ?? 0, parts.weekOfYear ?? 0)
            }
        }
        // Goals are per day: a mat day met its goal when its contact reached the largest goal recorded that day.
        var matDays: [String: (contact: Double, goal: Double, period: String)] = [:]
        var result: [String: Total] = [:]
        for entry in entries {
            let period = key(entry.startedAt)
            var total = result[period] ?? Total(period: period, sessions: 0, programRuns: 0, matSessions: 0,
                                                sessionSeconds: 0, contactSeconds: 0, goalDaysMet: 0)
            total.sessions += 1
            total.sessionSeconds += max(0, entry.elapsedSeconds)
            switch entry.kind {
            case .program: total.programRuns += 1
            case .mat:
                total.matSessions += 1
                total.contactSeconds += max(0, entry.contactSeconds ?? 0)
                let day = dayFormatter.string(from: entry.startedAt)
                var sum = matDays[day] ?? (0, 0, period)
                sum.contact += max(0, entry.contactSeconds ?? 0)
                sum.goal = max(sum.goal, entry.goalSeconds ?? 0)
                matDays[day] = sum
            }
            result[period] = total
        }
        for (_, day) in matDays where day.goal > 0 && day.contact >= day.goal {
            result[day.period]?.goalDaysMet += 1
        }
        return result.values.sorted { $0.period > $1.period }
    }

    struct TotalsReport: Encodable {
        var periods: [Total]
        var goalStreakDays: Int
        enum CodingKeys: String, CodingKey {
            case periods
            case goalStreakDays = "goal_streak_days"
        }
    }

    /// Mat days in a row that reached their goal, ending today (or yesterday, while today
    /// is still open), from the sessions given (filter with --real to leave out the
    /// simulator).
    static func goalStreak(_ entries: [HistoryEntry], now: Date, calendar: Calendar) -> Int {
        var days: [Date: (contact: Double, goal: Double)] = [:]
        for entry in entries where entry.kind == .mat {
            let day = calendar.startOfDay(for: entry.startedAt)
            var sum = days[day] ?? (0, 0)
            sum.contact += max(0, entry.contactSeconds ?? 0)
            sum.goal = max(sum.goal, entry.goalSeconds ?? 0)
            days[day] = sum
        }
        func met(_ day: Date) -> Bool {
            guard let sum = days[day] else { return false }
            return sum.goal > 0 && sum.contact >= sum.goal
        }
        var day = calendar.startOfDay(for: now)
        if !met(day), let yesterday = calendar.date(byAdding: .day, value: -1, to: day) { day = yesterday }
        var streak = 0
        while met(day), streak < 100_000, let previous = calendar.date(byAdding: .day, value: -1, to: day) {
            streak += 1
            day = previous
        }
        return streak
    }

    static func table(_ totals: [Total]) -> String {
        let header = ["period", "sessions", "runs", "mat", "time", "on the mat", "goal days met"]
        let rows = totals.map { t in
            [t.period, "\(t.sessions)", "\(t.programRuns)", "\(t.matSessions)", duration(t.sessionSeconds),
             duration(t.contactSeconds), "\(t.goalDaysMet)"]
        }
        return layout(header, rows)
    }

    static func layout(_ header: [String], _ rows: [[String]]) -> String {
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        return ([header] + rows).map { row in
            row.indices.map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}

extension HistoryEntry.Kind: ExpressibleByArgument {}

/// `--since`: a day (`2026-12-01`, local midnight) or a span back from now (`7d`, `12h`).
struct SinceArgument: ExpressibleByArgument {
    enum Value: Equatable {
        case day(year: Int, month: Int, day: Int)
        case ago(seconds: Double)
    }
    var value: Value

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
           (1970...9999).contains(year), (1...12).contains(month), (1...31).contains(day) {
            value = .day(year: year, month: month, day: day)
            return
        }
        let units: [Character: Double] = ["d": 86_400, "h": 3600, "w": 7 * 86_400, "m": 60]
        guard let unit = text.last, let scale = units[unit], let number = Double(text.dropLast()),
              number.isFinite, number >= 0, number <= 100_000 else { return nil }
        value = .ago(seconds: number * scale)
    }

    func date(now: Date, calendar: Calendar) -> Date? {
        switch value {
        case .ago(let seconds): return now - seconds
        case .day(let year, let month, let day):
            return calendar.date(from: DateComponents(year: year, month: month, day: day))
        }
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
