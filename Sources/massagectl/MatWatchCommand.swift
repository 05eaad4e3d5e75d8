import MassageControl
import ArgumentParser
import Foundation
import MassageKit

/// `massagectl mat watch`: the mat's zones live, as a map redrawn in place on a terminal,
/// or a line per change in contact when the output is a file or a pipe.
struct MatWatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Show the mat's zones live: pressure and contact.",
        discussion: """
            On a terminal the map is redrawn in place ten times a second: a shade per zone \
            for its pressure (GPIO lines: closed or open) and ● for a zone in contact (◦ \
            while a change is settling: pressure needs 200 ms above its threshold, a GPIO \
            contact 30 ms without bouncing). Written to a file or a pipe, it prints a line \
            each time the set of zones in contact changes. Nothing is recorded.

            Ctrl-C (or SIGTERM) ends it.

            EXAMPLES
              massagectl mat watch
              massagectl mat watch --device gpio:gpiochip0?lines=5,6,13,19
              massagectl mat watch --device sim:mat-16 --speed 5 --duration 20s > contact.log

            EXIT STATUS
              0    ended by Ctrl-C, SIGTERM or --duration
              1    the mat could not be opened, or was lost
              64   usage error
            """
    )

    @OptionGroup var source: MatSourceOptions

    func run() throws {
        SignalFlag.install()
        let feed = try source.openFeed()
        defer { feed.close() }
        var tracker = ContactTracker(configuration: feed.configuration)
        let interactive = isatty(STDOUT_FILENO) != 0
        emit("watching \(feed.title)\(interactive ? "; Ctrl-C ends" : "")")
        let layout = feed.layout
        var drawnLines = 0
        var lastDraw = Date.distantPast
        var lastContact: ZoneSet? = nil
        var ending: String? = nil
        var failed = false

        while ending == nil {
            let result = feed.pump(into: &tracker, waitingAtMost: .milliseconds(100),
                                   endAfterNanoseconds: source.durationNanoseconds)
            switch result {
            case .going: break
            case .reachedEnd(let end):
                tracker.advance(toNanoseconds: end)
                ending = "--duration reached"
            case .lost(let reason):
                ending = "the mat was lost: \(reason)"
                failed = true
            }
            if SignalFlag.received != 0, ending == nil { ending = SignalFlag.received == SIGTERM ? "SIGTERM" : "Ctrl-C" }
            let seconds = Self.sessionSeconds(tracker)
            let contact = tracker.contactZones
            if interactive {
                guard Date().timeIntervalSince(lastDraw) >= 0.1 || ending != nil else { continue }
                lastDraw = Date()
                var lines = ["  \(MatSessionRecord.clock(seconds))  contact: \(contact.count)/\(layout.zoneCount) zones\(tracker.isBodyOnMat ? ", body on the mat" : "")"]
                lines += layout.mapLines(pressures: feed.latestPressures, contact: contact, raw: tracker.rawContactZones)
                lines.append("  \(layout.legend)")
                var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
                for line in lines { text += "\r" + line + "\u{1B}[K\n" }
                emitRaw(text)
                drawnLines = lines.count
            } else if contact != lastContact {
                lastContact = contact
                emit("\(MatSessionRecord.clock(seconds))  contact \(contact.count)/\(layout.zoneCount): \(Self.names(contact, layout))")
            }
        }
        emit("ended: \(ending ?? "")")
        if failed { throw ExitCode.failure }
    }

    /// Seconds since the session's start on the tracker's clock.
    static func sessionSeconds(_ tracker: ContactTracker) -> Double {
        guard let start = tracker.sessionStartNanoseconds, let clock = tracker.clockNanoseconds else { return 0 }
        return Double(clock - start) / 1e9
    }

    /// "none", "zones 0,1,2" or, for GPIO, "zones 0,1 (lines 5,6)".
    static func names(_ zones: ZoneSet, _ layout: MatLayout) -> String {
        guard !zones.isEmpty else { return "none" }
        let list = zones.zones
        var text = "zones " + list.map(String.init).joined(separator: ",")
        if let offsets = layout.lineOffsets {
            text += " (lines " + list.map { $0 < offsets.count ? String(offsets[$0]) : "?" }.joined(separator: ",") + ")"
        }
        return text
    }
}
