import Foundation
import MassageControl
import MassageKit
import MassageServiceProtocol
import Synchronization

/// A mat session the service runs toward today's goal on a mat it owns: MassageControl's
/// ``MatSessionRun`` on a thread of its own, fed by the device's MatReports through an
/// observer of the service's session (the session stays the service's). The history row
/// is the CLI's (`massagectl mat session`): started at once, updated every second,
/// finished at the end. Any thread may read ``view`` or ask for the end.
final class MatSessionDriver: Sendable {
    let device: String
    let startedBy: String
    let endRequest = Mutex<String?>(nil)
    let current: Mutex<MatSessionView>
    let ended = Atomic<Bool>(false)

    /// Starts a session on `session` (which must be a mat: checked here, so that the
    /// caller hears the refusal). `onChange` is called at most every `updateInterval`
    /// while it runs and once at the end; `finished` once, after the history row is done.
    init(session: DeviceSession, uri: DeviceURI, device: String, speed: Double, historyPath: String?, startedBy: String,
         durationSeconds: Double?, onChange: @escaping @Sendable () -> Void, finished: @escaping @Sendable () -> Void) throws(RPCError) {
        guard let capabilities = session.capabilities, capabilities.matZoneCount > 0 else {
            throw RPCError(code: 409, message: "\(device) has no mat zones: a mat session needs a mat (for example --device sim:mat-16)")
        }
        self.device = device
        self.startedBy = startedBy
        // The goal for the first answer; the thread reads it again for itself
        // (MatDailyGoal is not Sendable).
        var first = MatSessionView(startedBy: startedBy)
        let (shown, _) = MatSessionRun.todaysGoal(historyPath: historyPath, override: nil, simulated: uri.isSimulator)
        first.set(goal: shown, warning: nil)
        current = Mutex(first)
        let duration = durationSeconds.map { UInt64($0 * 1e9) }
        let thread = Thread { [self] in
            // Today's goal from the history's earlier mat days (a simulated mat counts
            // apart from real ones), read here: MatDailyGoal stays on this thread.
            let (goal, warning) = MatSessionRun.todaysGoal(historyPath: historyPath, override: nil, simulated: uri.isSimulator)
            current.withLock { $0.set(goal: goal, warning: warning) }
            let feed: MatFeed
            do {
                feed = try MatFeed.attached(to: session, uri: uri, speed: speed)
            } catch {
                current.withLock { $0.ended = "could not start: \(error)"; $0.running = false }
                ended.store(true, ordering: .releasing)
                onChange()
                finished()
                return
            }
            let recorder = historyPath.map { MatSessionRun.startHistory(path: $0, device: device, goal: goal) }
            let run = MatSessionRun(feed: feed, goal: goal, device: device, durationNanoseconds: duration, recorder: recorder)
            var lastUpdate = DispatchTime.now().uptimeNanoseconds
            while run.ending == nil {
                if let reason = endRequest.withLock({ $0 }) { run.end(reason); break }
                _ = run.step(waitingAtMost: .milliseconds(100))
                let now = DispatchTime.now().uptimeNanoseconds
                if now - lastUpdate >= 250_000_000, let summary = run.summary {
                    lastUpdate = now
                    let record = MatSessionRecord(summary: summary, goal: goal, device: device, ended: nil)
                    let warnings = run.takeWarnings()
                    current.withLock { $0.update(from: record); $0.warnings += warnings }
                    onChange()
                }
            }
            let record = run.finish()
            feed.detach()
            let warnings = run.takeWarnings()
            current.withLock {
                $0.update(from: record)
                $0.warnings += warnings
                $0.running = false
                $0.ended = record.ended ?? "ended"
            }
            ended.store(true, ordering: .releasing)
            onChange()
            finished()
        }
        thread.name = "mat \(device)"
        thread.start()
    }

    /// Ends the session at its next step (within about 0.1 s); the history row says why.
    func end(_ reason: String) { endRequest.withLock { if $0 == nil { $0 = reason } } }

    var isRunning: Bool { !ended.load(ordering: .acquiring) }

    var view: MatSessionView { current.withLock { $0 } }
}

/// A mat session as the API and the stream show it.
public struct MatSessionView: Codable, Sendable, Equatable {
    /// The client that started it.
    public var startedBy: String
    public var running = true
    public var sessionSeconds = 0.0
    public var timeOnMatSeconds = 0.0
    public var timesOn = 0
    public var timesLeft = 0
    public var onMat = false
    public var goalSeconds = 0.0
    /// Mat time today before this session.
    public var earlierTodaySeconds = 0.0
    public var goalExplanation = ""
    public var goalMet = false
    /// How it ended ("ended by dashboard-3f2a", "the mat was lost: ..."); nil while it runs.
    public var ended: String?
    /// Problems the person should know about (the history could not be written).
    public var warnings: [String] = []

    init(startedBy: String) {
        self.startedBy = startedBy
    }

    mutating func set(goal: MatDailyGoal, warning: String?) {
        goalSeconds = MatSessionRecord.seconds(goal.goalNanoseconds)
        earlierTodaySeconds = MatSessionRecord.seconds(goal.earlierTodayNanoseconds)
        goalExplanation = goal.explanation
        goalMet = goal.earlierTodayNanoseconds >= goal.goalNanoseconds
        if let warning { warnings.append(warning) }
    }

    mutating func update(from record: MatSessionRecord) {
        sessionSeconds = record.sessionSeconds
        timeOnMatSeconds = record.timeOnMatSeconds
        timesOn = record.timesOn
        timesLeft = record.timesLeft
        onMat = record.onMatAtEnd
        goalMet = record.goalMet
    }
}
