import Foundation
import Glibc
import Testing
import MassageControl
@testable import massagectl

/// `massagectl mat` as a user runs it: the real binary against the simulated 16-zone mat
/// and its body script (empty until 2 s; lies down at 2 s, settled by 3 s; leans right at
/// 6 s; lifts the left hip, zones 12 and 13 on the 4 × 4 mat, from 10 s for 3 s; gets up
/// at 16 s, the mat empty from 17 s), signals, kill -9, and bad input.
@Suite(.serialized) struct MatCommandTests {
    /// The figures a session's summary holds in the history (`summary` of `history --json`).
    struct Summary: Decodable {
        var sessionSeconds: Double
        var timeOnMatSeconds: Double
        var zoneContactSeconds: [Double]
        var longestContactSeconds: Double
        var timesOn: Int
        var timesLeft: Int
        var onMatAtEnd: Bool
        var goalSeconds: Double
        var goalMet: Bool
        var exact: Bool
    }

    /// A row of `history --json`.
    struct Row: Decodable {
        var kind: String
        var outcome: String
        var device: String
        var startedAt: Date
        var updatedAt: Date
        var elapsedSeconds: Double
        var contactSeconds: Double?
        var goalSeconds: Double?
        var note: String?
        /// Nested as an object (keys in snake_case like the rest), not as a string.
        var summary: Summary?

        func decodedSummary() throws -> Summary {
            try #require(summary, "no summary")
        }
    }

    /// Runs `massagectl arguments…` to its end with `environment` added; its own scratch
    /// directory for the output.
    static func runToEnd(_ arguments: [String], environment: [String: String], timeout: Duration)
        throws -> (exit: BackgroundSimulator.Exit, output: String, error: String) {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let process = try BackgroundSimulator(arguments, directory: directory, environment: environment)
        defer { process.kill() }
        let exit = try process.waitForExit(timeout: timeout)
        return (exit, process.standardOutput, process.standardError)
    }

    /// `history --json` of the history under `dataHome`.
    static func history(dataHome: String) throws -> [Row] {
        let result = try runToEnd(["history", "--json"], environment: ["XDG_DATA_HOME": dataHome], timeout: .seconds(20))
        #expect(result.exit.normally && result.exit.status == 0, "history: \(result.exit) \(result.error)")
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode([Row].self, from: Data(result.output.utf8))
    }

    /// The session time at the start of the first output line containing `text` ("0:12.3  …").
    static func time(ofLineContaining text: String, in output: String) -> Double? {
        guard let line = output.split(separator: "\n").first(where: { $0.contains(text) }),
              let stamp = line.split(separator: " ").first else { return nil }
        let parts = stamp.split(separator: ":")
        guard parts.count == 2, let minutes = Double(parts[0]), let seconds = Double(parts[1]) else { return nil }
        return minutes * 60 + seconds
    }

    @Test("a 20 s session on the simulated mat: the summary follows the body script, the goal is announced, the history holds it")
    func sessionFollowsTheBodyScript() throws {
        let data = try ScratchDirectory()
        defer { data.remove() }
        let run = try Self.runToEnd(
            ["mat", "session", "--device", "sim:mat-16", "--speed", "4", "--duration", "20s", "--goal", "10s"],
            environment: ["XDG_DATA_HOME": data.path], timeout: .seconds(40))
        #expect(run.exit.normally && run.exit.status == 0, "exit \(run.exit); stderr: \(run.error)")
        let output = run.output
        #expect(output.contains("today's goal 0:10 (--goal)"), "\(output)")
        // The body lies down at 2 s and is settled by 3 s: contact is accepted within that
        // second plus the 200 ms minimum stable time.
        let on = try #require(Self.time(ofLineContaining: "  on the mat", in: output), "\(output)")
        #expect((2.0...3.3).contains(on), "on the mat at \(on) s")
        // 10 s of contact later (and the detection delay) the goal line comes.
        let goal = try #require(Self.time(ofLineContaining: "goal reached", in: output), "\(output)")
        #expect(goal >= on + 9.7 && goal <= on + 10.5, "goal at \(goal) s, on the mat at \(on) s")
        let left = try #require(Self.time(ofLineContaining: "left the mat (1×)", in: output), "\(output)")
        #expect((16.0...17.4).contains(left), "left the mat at \(left) s")
        #expect(output.contains("--duration reached") && output.contains("time on the mat"), "\(output)")

        let rows = try Self.history(dataHome: data.path)
        let row = try #require(rows.first, "no history row")
        #expect(rows.count == 1 && row.kind == "mat" && row.outcome == "completed" && row.device == "sim:mat-16")
        let summary = try row.decodedSummary()
        #expect(abs(summary.sessionSeconds - 20) < 0.001, "session \(summary.sessionSeconds) s")
        // On the mat from the lie-down ramp (2–3 s) to the get-up ramp (16–17 s): between
        // 13 and 15 s, never more than the session.
        #expect((13.0...15.0).contains(summary.timeOnMatSeconds), "time on the mat \(summary.timeOnMatSeconds) s")
        #expect(summary.timeOnMatSeconds <= summary.sessionSeconds)
        #expect(row.contactSeconds == summary.timeOnMatSeconds && row.goalSeconds == 10)
        #expect(summary.timesOn == 1 && summary.timesLeft == 1 && !summary.onMatAtEnd)
        #expect(summary.longestContactSeconds == summary.timeOnMatSeconds)
        #expect(summary.goalMet && summary.exact)
        #expect(summary.zoneContactSeconds.count == 16)
        // Every zone is pressed while the body lies there, none longer than the body.
        for (zone, seconds) in summary.zoneContactSeconds.enumerated() {
            #expect(seconds > 10 && seconds <= summary.timeOnMatSeconds + 0.001, "zone \(zone): \(seconds) s")
        }
        // The left hip (zones 12, 13) is off the mat for its 3 s lift (with ramps of 0.3 s
        // up and 0.5 s down); the right hip (14, 15) stays down.
        let zones = summary.zoneContactSeconds
        for (lifted, other) in [(12, 15), (13, 14)] {
            let missing = zones[other] - zones[lifted]
            #expect((2.5...3.6).contains(missing), "zone \(lifted) has \(missing) s less than zone \(other)")
        }
        for zone in 0..<12 {
            #expect(abs(zones[zone] - summary.timeOnMatSeconds) < 0.5, "zone \(zone): \(zones[zone]) s of \(summary.timeOnMatSeconds)")
        }
    }

    @Test("kill -9 in the middle of a recorded session: the row is interrupted and holds the contact of its last update")
    func killDashNineLeavesAnInterruptedRow() throws {
        let data = try ScratchDirectory()
        defer { data.remove() }
        let output = try ScratchDirectory()
        defer { output.remove() }
        let session = try BackgroundSimulator(["mat", "session", "--device", "sim:mat-16"], directory: output,
                                              environment: ["XDG_DATA_HOME": data.path])
        defer { session.kill() }
        let started = ContinuousClock.now
        #expect(RunCommandTests.waitFor("  on the mat", in: session, timeout: .seconds(10)),
                "never on the mat: \(session.standardOutput) \(session.standardError)")
        // Writes come at most every 10 s: by 25 s the one near 20 s is in, and the body got
        // up at 17 s, so that update holds all of its contact.
        let remaining = (started + .seconds(25)) - ContinuousClock.now
        Thread.sleep(forTimeInterval: max(0, Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18))
        #expect(Glibc.kill(session.processIdentifier, SIGKILL) == 0)
        let exit = try session.waitForExit(timeout: .seconds(5))
        let killedAfter = Double((ContinuousClock.now - started).components.seconds) + 1
        #expect(!exit.normally && exit.status == SIGKILL, "\(exit)")

        let rows = try Self.history(dataHome: data.path)
        let row = try #require(rows.first, "no history row")
        #expect(rows.count == 1 && row.kind == "mat")
        #expect(row.outcome == "interrupted", "outcome \(row.outcome)")
        #expect(row.note?.contains("ended without finishing") == true, "\(row.note ?? "no note")")
        let contact = try #require(row.contactSeconds)
        #expect(contact >= 10 && contact <= killedAfter, "contact \(contact) s, killed after about \(killedAfter) s")
        #expect(row.updatedAt.timeIntervalSince(row.startedAt) >= 10, "last update \(row.updatedAt.timeIntervalSince(row.startedAt)) s in")
        #expect(row.elapsedSeconds >= 10 && row.elapsedSeconds <= killedAfter, "elapsed \(row.elapsedSeconds) s")
        let summary = try row.decodedSummary()
        #expect(summary.timeOnMatSeconds == contact && summary.zoneContactSeconds.count == 16)

        // The next session counts that contact as earlier today.
        let next = try Self.runToEnd(["mat", "session", "--speed", "4", "--duration", "1s", "--no-history"],
                                     environment: ["XDG_DATA_HOME": data.path], timeout: .seconds(20))
        #expect(next.exit.normally && next.exit.status == 0, "exit \(next.exit); stderr: \(next.error)")
        let expected = MatTextFormat.clock(contact) + " on the mat earlier today"
        #expect(next.output.contains(expected), "expected \"\(expected)\" in: \(next.output)")
        #expect(try Self.history(dataHome: data.path).count == 1, "--no-history recorded a row")
    }

    @Test("Ctrl-C ends a session normally (exit 0) with its summary; SIGTERM too")
    func signalsEndTheSession() throws {
        let data = try ScratchDirectory()
        defer { data.remove() }
        for (signal, name) in [(SIGINT, "Ctrl-C"), (SIGTERM, "SIGTERM")] {
            let output = try ScratchDirectory()
            defer { output.remove() }
            let session = try BackgroundSimulator(["mat", "session", "--speed", "4", "--no-history"], directory: output,
                                                  environment: ["XDG_DATA_HOME": data.path])
            defer { session.kill() }
            #expect(RunCommandTests.waitFor("  on the mat", in: session, timeout: .seconds(10)),
                    "never on the mat: \(session.standardOutput) \(session.standardError)")
            #expect(Glibc.kill(session.processIdentifier, signal) == 0)
            let exit = try session.waitForExit(timeout: .seconds(5))
            #expect(exit.normally && exit.status == 0, "\(name): exit \(exit); stderr: \(session.standardError)")
            #expect(session.standardOutput.contains("(ended by \(name))"), "\(session.standardOutput)")
            #expect(session.standardOutput.contains("time on the mat"), "\(session.standardOutput)")
        }
    }

    @Test("mat watch: a line per change of contact, as the script moves; Ctrl-C ends it with 0")
    func watchFollowsTheBodyScript() throws {
        let run = try Self.runToEnd(["mat", "watch", "--speed", "4", "--duration", "20s"], environment: [:], timeout: .seconds(40))
        #expect(run.exit.normally && run.exit.status == 0, "exit \(run.exit); stderr: \(run.error)")
        let lines = run.output.split(separator: "\n").map(String.init)
        let all = "contact 16/16"
        let hipUp = "contact 14/16: zones 0,1,2,3,4,5,6,7,8,9,10,11,14,15"
        let first = try #require(lines.firstIndex { $0.contains(all) }, "\(run.output)")
        let lift = try #require(lines.firstIndex { $0.contains(hipUp) }, "\(run.output)")
        let back = try #require(lines.indices.first { $0 > lift && lines[$0].contains(all) }, "\(run.output)")
        let empty = try #require(lines.indices.last { lines[$0].contains("contact 0/16: none") }, "\(run.output)")
        #expect(first < lift && lift < back && back < empty)
        let liftTime = try #require(Self.time(ofLineContaining: hipUp, in: run.output))
        #expect((10.0...10.8).contains(liftTime), "the left hip lifted at \(liftTime) s")
        #expect(lines.last == "ended: --duration reached")

        let output = try ScratchDirectory()
        defer { output.remove() }
        let watch = try BackgroundSimulator(["mat", "watch"], directory: output)
        defer { watch.kill() }
        #expect(RunCommandTests.waitFor("contact 0/16", in: watch, timeout: .seconds(10)), "\(watch.standardOutput) \(watch.standardError)")
        #expect(Glibc.kill(watch.processIdentifier, SIGINT) == 0)
        let exit = try watch.waitForExit(timeout: .seconds(5))
        #expect(exit.normally && exit.status == 0 && watch.standardOutput.hasSuffix("ended: Ctrl-C\n"), "\(exit) \(watch.standardOutput)")
    }

    @Test("bad URIs and flags say what is wrong: exit 64; a mat that cannot be opened: exit 1")
    func badInput() throws {
        let usage: [([String], String)] = [
            (["mat", "session", "--device", "gpio:gpiochip0"], "names no contact lines"),
            (["mat", "session", "--device", "gpio:gpiochip0?lines=5,5"], "line 5 is listed twice"),
            (["mat", "watch", "--device", "gpio:gpiochip0?lines=5&bias=pull-down"], "bias=pull-up or bias=as-is"),
            (["mat", "session", "--device", "bluetooth:mat"], "is not a device kind"),
            (["mat", "session", "--device", "gpio:gpiochip0?lines=5", "--speed", "2"], "--speed only works with a simulator"),
            (["mat", "watch", "--device", "unix:/tmp/no-such-mat.sock", "--speed", "2"], "--speed only works with a simulator"),
            (["mat", "session", "--goal", "0s"], "--goal must be 1s–8h"),
            (["mat", "session", "--goal", "ten minutes"], "--goal"),
            (["mat", "session", "--duration", "0s"], "--duration must be more than 0"),
            (["mat", "watch", "--speed", "30"], "--speed must be 1–20"),
            (["mat", "lie-down"], "lie-down"),
        ]
        for (arguments, message) in usage {
            let result = try MassagectlProcess.run(arguments)
            #expect(result.status == 64, "\(arguments): status \(result.status), stderr \(result.standardError)")
            #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
            #expect(!result.output.contains("mat session on"), "\(arguments) started a session")
        }
        let failures: [([String], String)] = [
            (["mat", "session", "--device", "gpio:massagectl-test-no-such-chip?lines=5", "--no-history"], "no GPIO chip"),
            (["mat", "watch", "--device", "sim:handheld-ring4"], "has no mat zones"),
            (["info", "--device", "gpio:gpiochip0?lines=5"], "use it with massagectl mat watch or mat session"),
        ]
        for (arguments, message) in failures {
            let result = try MassagectlProcess.run(arguments)
            #expect(result.status == 1, "\(arguments): status \(result.status), stderr \(result.standardError)")
            #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
        }
        let help = try MassagectlProcess.run(["mat", "session", "--help"])
        #expect(help.status == 0 && help.output.contains("Ctrl-C") && help.output.contains("normal way to end a mat session"))
    }
}

/// The command's `m:ss.s`, written again here so the test does not take the format from
/// the code it checks.
enum MatTextFormat {
    static func clock(_ seconds: Double) -> String {
        let tenths = Int((seconds * 10).rounded())
        return String(format: "%d:%02d.%d", tenths / 600, tenths % 600 / 10, tenths % 10)
    }
}

/// Today's goal from the history's mat days (the command's `MatDailyGoal`), on a fixed
/// calendar so the days do not depend on where the test runs.
@Suite struct MatDailyGoalTests {
    static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar
    }
    /// 2026-03-10 12:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_773_144_000)
    static func day(_ offset: Int, hour: Double = 9) -> Date {
        now.addingTimeInterval(Double(offset) * 86_400 + (hour - 12) * 3600)
    }

    @Test func aFirstDayHasTheFirstGoal() {
        let goal = MatDailyGoal.from(plan: .standard, sessions: [], now: Self.now, calendar: Self.calendar)
        #expect(goal.goalNanoseconds == 300_000_000_000 && goal.earlierTodayNanoseconds == 0 && goal.earlierDays == 0)
    }

    @Test func metDaysRaiseTheGoalAndShortDaysKeepIt() {
        // Day −4: 5:00 met (→ 6); day −3: two sessions of 3:00 add to 6:00, met (→ 7);
        // day −2: 6:59 short of 7 (stays 7); day −1: 7:00 met (→ 8). Today: 2:00 so far.
        let sessions = [
            MatDailyGoal.Session(startedAt: Self.day(-4), contactSeconds: 300),
            MatDailyGoal.Session(startedAt: Self.day(-3, hour: 8), contactSeconds: 180),
            MatDailyGoal.Session(startedAt: Self.day(-3, hour: 20), contactSeconds: 180),
            MatDailyGoal.Session(startedAt: Self.day(-2), contactSeconds: 419),
            MatDailyGoal.Session(startedAt: Self.day(-1, hour: 23.9), contactSeconds: 420),
            MatDailyGoal.Session(startedAt: Self.day(0, hour: 0.1), contactSeconds: 120),
        ]
        let goal = MatDailyGoal.from(plan: .standard, sessions: sessions.reversed(), now: Self.now, calendar: Self.calendar)
        #expect(goal.goalNanoseconds == 8 * 60_000_000_000, "\(goal.goalNanoseconds)")
        #expect(goal.earlierTodayNanoseconds == 120_000_000_000)
        #expect(goal.earlierDays == 4 && goal.metDays == 3)
    }

    @Test func theGoalStopsAtTwentyMinutes() {
        let sessions = (1...40).map { MatDailyGoal.Session(startedAt: Self.day(-$0), contactSeconds: 1500) }
        let goal = MatDailyGoal.from(plan: .standard, sessions: sessions, now: Self.now, calendar: Self.calendar)
        #expect(goal.goalNanoseconds == 20 * 60_000_000_000)
        #expect(goal.metDays == 40)
    }

    @Test func laterSessionsAndBadFiguresDoNotCount() {
        let sessions = [
            MatDailyGoal.Session(startedAt: Self.day(1), contactSeconds: 600),
            MatDailyGoal.Session(startedAt: Self.day(-1), contactSeconds: .nan),
            MatDailyGoal.Session(startedAt: Self.day(-2), contactSeconds: -50),
        ]
        let goal = MatDailyGoal.from(plan: .standard, sessions: sessions, now: Self.now, calendar: Self.calendar)
        #expect(goal.goalNanoseconds == 300_000_000_000 && goal.earlierTodayNanoseconds == 0 && goal.metDays == 0)
    }

    @Test func theLayoutIsTheMostNearlySquareGrid() {
        #expect(MatLayout.nearlySquare(zoneCount: 16) == MatLayout(rows: 4, columns: 4, lineOffsets: nil))
        #expect(MatLayout.nearlySquare(zoneCount: 22) == MatLayout(rows: 11, columns: 2, lineOffsets: nil))
        #expect(MatLayout.nearlySquare(zoneCount: 7) == MatLayout(rows: 1, columns: 7, lineOffsets: nil))
        #expect(MatLayout.nearlySquare(zoneCount: 64) == MatLayout(rows: 8, columns: 8, lineOffsets: nil))
    }
}
