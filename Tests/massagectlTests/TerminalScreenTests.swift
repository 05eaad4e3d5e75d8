import Foundation
import Glibc
import Testing
@testable import massagectl

/// `run` and `mat session` on a real 80×24 terminal (a tmux pane): the progress line
/// fits and is redrawn in place, and the keys act on the run. Skipped, saying why, where
/// tmux is missing (CI installs it).
@Suite(.serialized) struct TerminalScreenTests {
    /// A detached tmux session of `columns`×`rows` running one command, its pane kept
    /// after the command ends so its screen and exit status can be read.
    final class Pane {
        let name = "massagectl-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let socket: String

        init(_ command: [String], columns: Int = 80, rows: Int = 24, environment: [String: String], directory: ScratchDirectory) throws {
            socket = directory.file("tmux.sock")
            let exports = environment.map { "\($0.key)=\(Self.quoted($0.value))" }.joined(separator: " ")
            // The shell prints the status: tmux's own #{pane_dead_status} comes out empty
            // for a command that set up real-time threads.
            let line = "env \(exports) " + command.map(Self.quoted).joined(separator: " ") + "; echo \"exit status $?\""
            // The pane stays after its command ends (from the start: a command that fails at
            // once still shows why).
            let configuration = directory.file("tmux.conf")
            try "set -g remain-on-exit on\n".write(toFile: configuration, atomically: true, encoding: .utf8)
            try tmux(["-f", configuration, "new-session", "-d", "-s", name, "-x", "\(columns)", "-y", "\(rows)", line])
        }

        static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

        @discardableResult
        func tmux(_ arguments: [String]) throws -> String {
            let process = Process()
            // Through python3, which clears the signal mask (a test runner's thread blocks
            // signals, a child inherits that, and tmux's server then never reaps its pane)
            // and starts tmux without this process's descriptors (the server, a daemon,
            // would hold them open, and Foundation would never see the client end).
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c",
                                 "import signal, subprocess, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
                                    + "sys.exit(subprocess.call(sys.argv[1:], close_fds=True))",
                                 TerminalScreenTests.tmuxPath ?? "/usr/bin/tmux", "-S", socket] + arguments
            // To a file, not a pipe: the tmux server that new-session starts would hold a
            // pipe open for as long as it lives.
            let outputPath = socket + ".out"
            _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
            defer { try? output.close() }
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            let exited = DispatchSemaphore(value: 0)
            process.terminationHandler = { _ in exited.signal() }   // not waitUntilExit(): see MassagectlProcess
            try process.run()
            exited.wait()
            return (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        }

        /// The screen, a line per row, trailing blanks dropped.
        func screen() throws -> [String] {
            try tmux(["capture-pane", "-p", "-t", name]).split(separator: "\n", omittingEmptySubsequences: false)
                .map { String($0).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
        }

        /// The screen, for a failure's message.
        var shown: [String] { (try? screen()) ?? [] }

        func keys(_ keys: String...) throws { try tmux(["send-keys", "-t", name] + keys) }

        /// The command's exit status once it has ended, waiting up to `timeout`.
        func exitStatus(timeout: Duration) throws -> Int? {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if let line = try screen().last(where: { $0.hasPrefix("exit status ") }) {
                    return Int(line.dropFirst("exit status ".count))
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return nil
        }

        /// Waits until a line of the screen holds `text`.
        func waitFor(_ text: String, timeout: Duration) throws -> Bool {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if try screen().contains(where: { $0.contains(text) }) { return true }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return false
        }

        func close() { _ = try? tmux(["kill-server"]) }
    }

    static let tmuxPath = ["/usr/bin/tmux", "/usr/local/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func environment(_ directory: ScratchDirectory) -> [String: String] {
        ["XDG_DATA_HOME": directory.file("data"), "XDG_CONFIG_HOME": directory.file("config"), "TERM": "xterm-256color",
         "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "NO_COLOR": "1"]
    }

    @Test("run on an 80×24 terminal: one progress line, never wider than the screen; space pauses, − softens, q stops with exit 0",
          .enabled(if: tmuxPath != nil, "tmux is not installed (apt-get install tmux)"))
    func runFitsAndTakesKeys() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let binary = try MassagectlProcess.executable().path
        let pane = try Pane([binary, "run", "swedish", "--device", "sim", "--speed", "10", "--intensity", "60%"],
                            environment: Self.environment(directory), directory: directory)
        defer { pane.close() }
        #expect(try pane.waitFor("keys: space", timeout: .seconds(20)), "no key legend: \(pane.shown)")
        Thread.sleep(forTimeInterval: 2)
        let screen = try pane.screen()
        let progressRows = screen.filter { $0.contains("/ 20:00") }
        #expect(progressRows.count == 1, "the progress line wrapped or repeated: \(screen)")
        #expect(screen.allSatisfy { $0.count <= 80 }, "\(screen)")
        #expect(progressRows.first.map { $0.contains("▕") && $0.contains("°C") } ?? false, "motors and heat kept on 80 columns: \(screen)")

        try pane.keys("Space")
        #expect(try pane.waitFor("PAUSED", timeout: .seconds(3)), "space did not pause: \(pane.shown)")
        try pane.keys("Space")
        try pane.keys("-")
        #expect(try pane.waitFor(" 50 %", timeout: .seconds(3)), "− did not lower the intensity to 50 %: \(pane.shown)")
        try pane.keys("q")
        let status = try pane.exitStatus(timeout: .seconds(10))
        let final = try pane.screen()
        #expect(status == 0, "exit \(String(describing: status)): \(final)")
        #expect(final.contains { $0.contains("stopped with q") } && final.contains { $0.contains("Stop acknowledged") }, "\(final)")
        #expect(final.contains { $0.contains("motors 0 0 0 0 ‰, heater duty 0 %") }, "\(final)")
        print(final.joined(separator: "\n"))
    }

    @Test("mat session on an 80×24 terminal: one progress line, never wider than the screen",
          .enabled(if: tmuxPath != nil, "tmux is not installed (apt-get install tmux)"))
    func matSessionFits() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let binary = try MassagectlProcess.executable().path
        let pane = try Pane([binary, "mat", "session", "--device", "sim:mat-16", "--speed", "20", "--duration", "3m"],
                            environment: Self.environment(directory), directory: directory)
        defer { pane.close() }
        #expect(try pane.waitFor("on the mat", timeout: .seconds(20)), "no progress: \(pane.shown)")
        Thread.sleep(forTimeInterval: 2)
        let screen = try pane.screen()
        #expect(screen.filter { $0.contains("on the mat") && $0.contains("zones") }.count == 1, "\(screen)")
        #expect(screen.allSatisfy { $0.count <= 80 }, "\(screen)")
        print(screen.joined(separator: "\n"))
        try pane.keys("C-c")
        #expect(try pane.exitStatus(timeout: .seconds(10)) == 0)
    }

    @Test("the status line drops its lowest-ranked parts first and never passes the width")
    func statusLineFitting() {
        var line = StatusLine()
        line.add("step 2/5 long strokes", rank: 1)
        line.add("4:50 / 20:00", rank: 7)
        line.add("(15:10 left)", rank: 2)
        line.add("▕▎   ▏ ▕█▏  ▏ ▕▎   ▏ ▕█▏  ▏", rank: 6)
        line.add("38.9 °C", rank: 4)
        line.add("dose 1.51", rank: 3)
        #expect(line.fitted(width: 200) == "step 2/5 long strokes  4:50 / 20:00  (15:10 left)  ▕▎   ▏ ▕█▏  ▏ ▕▎   ▏ ▕█▏  ▏  38.9 °C  dose 1.51")
        let eighty = line.fitted(width: 80)
        #expect(eighty.count <= 79 && !eighty.contains("step") && eighty.contains("38.9 °C"), "\(eighty)")
        let fifty = line.fitted(width: 50)
        #expect(fifty.count <= 49 && fifty.contains("4:50 / 20:00") && fifty.contains("▕") && !fifty.contains("dose"), "\(fifty)")
        let twenty = line.fitted(width: 20)
        #expect(twenty == "4:50 / 20:00", "\(twenty)")
        #expect(line.fitted(width: 8).count <= 7)
    }
}
