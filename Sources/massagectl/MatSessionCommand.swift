import MassageControl
import ArgumentParser
import Foundation
import MassageHistory
import MassageKit

/// `massagectl mat session`: times a session on the mat toward today's goal, with live
/// progress, a summary at the end, and a row in the history. A view on ``MatSessionRun``
/// (MassageControl).
struct MatSessionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Time a session on the mat toward today's goal.",
        discussion: """
            Lie on the mat; the session counts the time a body is on it (any zone in \
            contact), per zone, the longest stretch and how often you got up. Press Ctrl-C \
            when you are done: that is the normal way to end a mat session (exit 0). \
            SIGTERM, --duration and a lost device end it too; every ending prints the summary.

            Today's goal, unless --goal gives one, comes from the history: 5 minutes on the \
            first day; each earlier day whose time on the mat (its sessions added up, \
            by local calendar day) reached that day's goal adds 1 minute, up to 20 minutes; \
            a day that fell short or had no mat keeps the goal. Time on the mat earlier \
            today counts toward today's goal. When the goal is reached a line says so and \
            the terminal bell rings.

            The session is recorded in the history (massagectl history) when it starts and \
            updated every 10 s, so a crash or kill -9 loses at most the last 10 s: such a \
            session shows as interrupted. --no-history records nothing.

            EXAMPLES
              massagectl mat session
              massagectl mat session --device gpio:gpiochip0?lines=5,6,13,19 --goal 10m
              massagectl mat session --device sim:mat-16 --speed 10 --duration 20s
              massagectl mat session --duration 20m --json > session.json

            --json prints nothing while the session runs and one JSON document at its end: \
            the summary the history keeps (history --json shows it as "summary"): \
            device, session_seconds, time_on_mat_seconds, zone_contact_seconds (per zone), \
            longest_contact_seconds, times_on, times_left, on_mat_at_end, goal_seconds, \
            earlier_today_seconds, goal_met, exact, overflow_count, late_inputs, ended.

            EXIT STATUS
              0    the session ended: Ctrl-C, SIGTERM or --duration
              1    the mat could not be opened, or was lost during the session (the
                   summary up to then is printed and recorded as failed)
              64   usage error
            """
    )

    @OptionGroup var source: MatSourceOptions

    @Option(help: ArgumentHelp("Today's goal on the mat (e.g. 10m); default: from the plan and your history.", valueName: "time"))
    var goal: TimeArgument?

    @Flag(name: .customLong("no-history"), help: "Do not record the session in the history.")
    var noHistory = false

    @Flag(help: "Print only the summary, as one JSON document (see above), when the session ends.")
    var json = false

    @Flag(name: .shortAndLong, help: "Print only the summary at the end: no header, progress or events.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Also print a line each time the set of zones in contact changes, with the zones.")
    var verbose = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose ask for opposite things; give one") }
        if json && verbose { throw ValidationError("--json prints only the summary; --verbose does not go with it") }
        if let goal {
            guard goal.microseconds >= 1_000_000, goal.microseconds <= 8 * 3_600_000_000 else {
                throw ValidationError("--goal must be 1s–8h")
            }
        }
    }

    func run() throws {
        SignalFlag.install()
        try ServiceCheck.refuseIfHeld(device: source.device, instead: "massagectl call mat-start device=\(source.device)")
        // The mat first: a URI or a device that fails never opens the history.
        let feed = try source.openFeed()
        defer { feed.close() }
        let (today, goalWarning) = MatSessionRun.todaysGoal(historyPath: HistoryStore.defaultPath(),
                                                            override: goal.map { $0.microseconds * 1000 },
                                                            simulated: source.device == "sim" || source.device.hasPrefix("sim:"))
        if let goalWarning { StandardError.print("warning: \(goalWarning)") }
        let session = MatSessionRun(feed: feed, goal: today, device: source.device,
                                    durationNanoseconds: source.durationNanoseconds, recorder: startHistory(goal: today))
        // What people read as it happens: nothing of it with --json or --quiet.
        let chatty = !json && !quiet
        let interactive = chatty && isatty(STDOUT_FILENO) != 0
        func emit(_ text: String) { if chatty { massagectl.emit(text) } }
        let goalSeconds = MatSessionRecord.seconds(today.goalNanoseconds)
        let earlierSeconds = MatSessionRecord.seconds(today.earlierTodayNanoseconds)

        emit("mat session on \(feed.title)")
        emit("today's goal \(MatSessionRecord.minutes(goalSeconds)) (\(today.explanation))"
            + (earlierSeconds > 0 ? ", \(MatSessionRecord.clock(earlierSeconds)) on the mat earlier today" : "")
            + ". Ctrl-C ends the session.")
        if session.goalReached { emit("today's goal is already reached: anything more is a bonus") }

        var lastDraw = Date.distantPast
        var lastLogSecond = 0.0
        var lastContact = ZoneSet.none
        func line(_ text: String) {
            guard chatty else { return }
            emitRaw(interactive ? "\r\(text)\u{1B}[K\n" : "\(text)\n")
            lastDraw = .distantPast   // redraw the progress line under it
        }

        while session.ending == nil {
            for moment in session.step(waitingAtMost: .milliseconds(100)) {
                switch moment {
                case .cameOn(let seconds): line("\(MatSessionRecord.clock(seconds))  on the mat")
                case .left(let seconds, let times): line("\(MatSessionRecord.clock(seconds))  left the mat (\(times)×)")
                case .goalReached(let seconds):
                    line("\(MatSessionRecord.clock(seconds))  goal reached: \(MatSessionRecord.minutes(goalSeconds)) on the mat today")
                    if interactive { emitRaw("\u{07}") }
                }
            }
            if verbose, session.tracker.contactZones != lastContact {
                lastContact = session.tracker.contactZones
                line("\(MatSessionRecord.clock(MatWatchCommand.sessionSeconds(session.tracker)))  contact \(lastContact.count)/\(feed.layout.zoneCount): "
                    + MatWatchCommand.names(lastContact, feed.layout))
            }
            for warning in session.takeWarnings() { StandardError.print("warning: \(warning)") }
            if SignalFlag.received != 0 {
                session.end(SignalFlag.received == SIGTERM ? "ended by SIGTERM" : "ended by Ctrl-C")
            }
            guard session.ending == nil, let summary = session.summary else { continue }
            let progress = session.progress(of: summary)
            let seconds = MatSessionRecord.seconds(summary.sessionNanoseconds)
            if interactive, Date().timeIntervalSince(lastDraw) >= 0.1 {
                lastDraw = Date()
                emitRaw("\r" + Self.progressLine(summary, progress, session.tracker, zones: feed.layout.zoneCount,
                                                  width: StatusLine.terminalWidth()) + "\u{1B}[K")
            } else if !interactive, chatty, seconds - lastLogSecond >= 10 {
                lastLogSecond = seconds
                emit(Self.progressLine(summary, progress, session.tracker, zones: feed.layout.zoneCount))
            }
        }
        if interactive { emitRaw("\r\u{1B}[K") }

        let record = session.finish()
        if json {
            print(Self.json(record))
        } else {
            for text in record.lines(layout: feed.layout, goal: today) { massagectl.emit(text) }
        }
        for warning in session.takeWarnings() { StandardError.print("warning: \(warning)") }
        if session.failed { throw ExitCode.failure }
    }

    /// `record` as the one JSON document of `--json`: the history's summary, its keys in
    /// snake_case (README, "JSON output").
    static func json(_ record: MatSessionRecord) -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(record),
              var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return "null" }
        // A session still running has no ending: null, not a missing key.
        if object["ended"] == nil { object["ended"] = NSNull() }
        return JSONOutput.text(object)
    }

    /// "on the mat 1:02.3 / 5:00 ▕██        ▏ 20 %  14/16 zones  left 0×  session 1:10.0"
    static func progressLine(_ summary: MatSessionSummary, _ progress: MatGoalProgress, _ tracker: ContactTracker, zones: Int,
                             width: Int = .max) -> String {
        let cells = 12
        let filled = Int((progress.fraction * Double(cells)).rounded(.down))
        let bar = "▕" + String(repeating: "█", count: filled) + String(repeating: " ", count: cells - filled) + "▏"
        var line = StatusLine()
        line.add("on the mat \(MatSessionRecord.clock(MatSessionRecord.seconds(summary.timeOnMatNanoseconds)))", rank: 9)
        line.add("/ goal \(MatSessionRecord.minutes(MatSessionRecord.seconds(progress.goalNanoseconds)))", rank: 5)
        line.add(bar, rank: 4)
        line.add("\(Int((progress.fraction * 100).rounded(.down))) %", rank: 8)
        line.add("\(tracker.contactZones.count)/\(zones) zones", rank: 6)
        line.add("left \(summary.timesLeft)×", rank: 2)
        line.add("session \(MatSessionRecord.clock(MatSessionRecord.seconds(summary.sessionNanoseconds)))", rank: 3)
        return line.fitted(width: width, separator: " ")
    }

    func startHistory(goal: MatDailyGoal) -> HistoryRecorder? {
        guard !noHistory else { return nil }
        guard let path = HistoryStore.defaultPath() else {
            StandardError.print("warning: not recording history: \(HistoryStore.noDefaultPathReason)")
            return nil
        }
        return MatSessionRun.startHistory(path: path, device: source.device, goal: goal)
    }
}
