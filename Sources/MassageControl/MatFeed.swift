import Foundation
import MassageGPIO
import MassageKit
import MassageSimulator
import MassageWire
import Synchronization

/// Where a mat command's contact comes from: a device's MatReports (pressure per zone,
/// on the device's clock) or a mat's GPIO contact lines (edges on the kernel's monotonic
/// clock). Both feed one `ContactTracker` the same way; the commands do not care which.
///
/// Used from one thread (the command's main loop): the GPIO lines are not `Sendable`, and
/// the device's reports are handed over by a background task through ``MatReportInbox``.
public final class MatFeed {
    /// What the feed reads.
    public enum Kind {
        /// Pressure zones of a device, with its session and the inbox its reports come to.
        case device(DeviceSession, MatReportInbox)
        /// GPIO contact lines.
        case gpio(GPIOContactLines)
    }

    /// What one ``pump(into:waitingAtMost:endAfterNanoseconds:)`` found.
    public enum PumpResult: Equatable {
        /// More may come.
        case going
        /// The session reached its end time (`--duration`): finish the tracker there.
        case reachedEnd(atNanoseconds: UInt64)
        /// The device or the lines failed; the reason in words.
        case lost(String)
    }

    public let kind: Kind
    public let connector: DeviceConnector?
    /// How the zones are drawn.
    public let layout: MatLayout
    /// The tracker's settings: pressure hysteresis for a device, debounce for GPIO.
    public let configuration: ContactTrackerConfiguration
    /// "Mat16 by Massage Control Sim, 16 pressure zones" or "4 contact lines on gpiochip0".
    public let title: String
    /// The newest pressure of each zone, per mille (GPIO: 1000 for a closed contact, 0 open).
    public private(set) var latestPressures: [UInt16]
    /// Device time per wall time (a simulator at --speed); 1 for GPIO and real devices.
    public let speed: Double

    private var batch = ContactEventBatch()
    /// The inbox's observer on a session the feed does not own (``attached(to:uri:speed:)``).
    private var observerToken: Int?
    /// Input stamped past the end was seen: the session is over, nothing more is fed.
    private var reachedEnd = false
    /// The device's timestamps against the host's clock: a jump ends the session.
    private lazy var clockCheck = MatClockCheck(speed: speed)

    private init(kind: Kind, connector: DeviceConnector?, layout: MatLayout,
                 configuration: ContactTrackerConfiguration, title: String, speed: Double) {
        self.kind = kind
        self.connector = connector
        self.layout = layout
        self.configuration = configuration
        self.title = title
        self.speed = speed
        latestPressures = [UInt16](repeating: 0, count: layout.zoneCount)
    }

    /// Opens `--device`: a `gpio:` URI requests its lines; any other connects a device
    /// session (`sim:mat-16` by default in the commands) and checks that it has a mat.
    /// Throws `ValidationFailure` for a URI or flag the user must fix, `DeviceFailure`
    /// when the device cannot be reached or is not a mat.
    public static func open(device: String, speed: Double) throws -> MatFeed {
        let uri: DeviceURI
        do {
            uri = try DeviceURI(parsing: device)
        } catch {
            throw ValidationFailure(message: error.description)
        }
        if case .gpio(let chip, let lines, let wiring) = uri {
            guard speed == 1 else { throw ValidationFailure(message: "--speed only works with a simulator (sim:mat-16): GPIO lines run in real time") }
            return try openLines(chip: chip, lines: lines, wiring: wiring)
        }
        guard speed == 1 || uri.isSimulator else {
            throw ValidationFailure(message: "--speed only works with a simulator (sim:mat-16): a real device runs in real time")
        }
        let connector = try DeviceConnector.make(device: device, simulatorSpeed: speed)
        var options = DeviceSession.Options()
        options.reconnect = false   // a device's clock restarts with it: a lost link ends the session
        options.speed = speed
        let session = try connector.connect(options: options)
        guard let capabilities = session.capabilities, capabilities.matZoneCount > 0 else {
            session.close()
            connector.shutDown()
            let name = session.capabilities.map { "\($0.vendor) \($0.model)" } ?? "the device"
            throw DeviceFailure(message: "\(name) on \(uri) has no mat zones: give a mat, e.g. --device sim:mat-16 or gpio:gpiochip0?lines=5,6,13,19")
        }
        let zones = capabilities.matZoneCount
        let layout = deviceLayout(uri: uri, zones: zones)
        let configuration: ContactTrackerConfiguration
        do {
            configuration = try .pressure(zoneCount: zones)
        } catch {
            session.close()
            connector.shutDown()
            throw DeviceFailure(message: "\(uri): \(error)")
        }
        let inbox = MatReportInbox()
        inbox.drain(session)
        return MatFeed(kind: .device(session, inbox), connector: connector, layout: layout, configuration: configuration,
                       title: "\(capabilities.vendor) \(capabilities.model), \(zones) pressure zones [\(uri)]", speed: speed)
    }

    /// A feed on a session that someone else owns and keeps (the service's): the reports
    /// come through an observer of `session`, removed by ``detach()``. Call ``detach()``
    /// at the end, never ``close()`` (that would close the owner's session).
    public static func attached(to session: DeviceSession, uri: DeviceURI, speed: Double) throws(DeviceFailure) -> MatFeed {
        guard let capabilities = session.capabilities, capabilities.matZoneCount > 0 else {
            let name = session.capabilities.map { "\($0.vendor) \($0.model)" } ?? "the device"
            throw DeviceFailure(message: "\(name) on \(uri) has no mat zones: a mat session needs a mat, e.g. sim:mat-16")
        }
        let zones = capabilities.matZoneCount
        let configuration: ContactTrackerConfiguration
        do {
            configuration = try .pressure(zoneCount: zones)
        } catch {
            throw DeviceFailure(message: "\(uri): \(error)")
        }
        let inbox = MatReportInbox()
        let feed = MatFeed(kind: .device(session, inbox), connector: nil, layout: deviceLayout(uri: uri, zones: zones),
                           configuration: configuration,
                           title: "\(capabilities.vendor) \(capabilities.model), \(zones) pressure zones [\(uri)]", speed: speed)
        feed.observerToken = inbox.drain(session)
        return feed
    }

    /// Stops hearing the session of a feed made by ``attached(to:uri:speed:)``; the
    /// session goes on.
    public func detach() {
        guard case .device(let session, _) = kind, let token = observerToken else { return }
        session.removeObserver(token)
        observerToken = nil
    }

    /// How a device's zones are drawn: a simulator profile's shape, else nearly square.
    private static func deviceLayout(uri: DeviceURI, zones: Int) -> MatLayout {
        if case .sim(let profile?) = uri, let shape = SimulatorProfile.named(profile)?.matShape,
           shape.rows * shape.columns == zones {
            return MatLayout(rows: shape.rows, columns: shape.columns, lineOffsets: nil)
        }
        return MatLayout.nearlySquare(zoneCount: zones)
    }

    public static func openLines(chip: String, lines: [UInt32], wiring: GPIOContactWiring, layout: MatLayout? = nil) throws -> MatFeed {
        let configuration: ContactTrackerConfiguration
        do {
            configuration = try .gpio(zoneCount: lines.count)
        } catch {
            throw ValidationFailure(message: error.description)
        }
        let source: GPIOContactLines
        do {
            source = try GPIOContactLines(chip: chip, offsets: lines,
                                          options: GPIOLineOptions(pullUp: wiring.pullUp, activeLow: wiring.activeLow))
        } catch {
            throw DeviceFailure(message: "cannot open the mat's GPIO lines: \(error.description)")
        }
        let uri = DeviceURI.gpio(chip: chip, lines: lines, options: wiring)
        return MatFeed(kind: .gpio(source), connector: nil, layout: layout ?? MatLayout(rows: 1, columns: lines.count, lineOffsets: lines),
                       configuration: configuration,
                       title: "\(lines.count) contact lines on \(source.chipName) [\(uri)]", speed: 1)
    }

    /// Waits at most `wait` (wall time) for input and feeds it to `tracker`. With
    /// `endAfterNanoseconds`, nothing stamped later than the session's start plus that much
    /// is fed, and the result says when the end is reached.
    public func pump(into tracker: inout ContactTracker, waitingAtMost wait: Duration,
              endAfterNanoseconds length: UInt64?) -> PumpResult {
        guard !reachedEnd else { return endResult(tracker, length) }
        switch kind {
        case .device(_, let inbox):
            let (reports, lost) = inbox.take(waitingAtMost: wait)
            for report in reports {
                let time = report.timestampMicroseconds &* 1000
                switch clockCheck.check(deviceNanoseconds: time, hostNanoseconds: DispatchTime.now().uptimeNanoseconds) {
                case .believable: break
                case .jumpedAhead(let device, let host):
                    return .lost(String(format: "the mat's clock jumped: %.1f s of its time in %.1f s of the host's; contact after the jump is not counted",
                                        Double(device) / 1e9, Double(host) / 1e9))
                case .wentBack(let back):
                    return .lost(String(format: "the mat's clock went back %.1f s; contact after that is not counted", Double(back) / 1e9))
                }
                if let length, let start = tracker.sessionStartNanoseconds, time > start &+ length {
                    reachedEnd = true
                    return endResult(tracker, length)
                }
                tracker.feed(report)
                let first = Int(report.firstZone)
                for i in 0..<report.pressures.count where first + i < latestPressures.count {
                    latestPressures[first + i] = report.pressures[i]
                }
            }
            if let lost { return .lost(lost) }
            return .going
        case .gpio(let source):
            batch.removeAll()
            let (seconds, attoseconds) = wait.components
            let timeout = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
            do {
                try source.read(into: &batch, timeoutNanoseconds: timeout)
            } catch {
                return .lost(error.description)
            }
            for edge in batch.edges {
                if let length, let start = tracker.sessionStartNanoseconds, edge.timestampNanoseconds > start &+ length {
                    reachedEnd = true
                    return endResult(tracker, length)
                }
                tracker.feed(edge)
                latestPressures[edge.zone] = edge.kind == .pressed ? 1000 : 0
            }
            for overflow in batch.overflows {
                tracker.note(overflow)
                if let level = overflow.levelNow { latestPressures[overflow.zone] = level == .pressed ? 1000 : 0 }
            }
            // An edge the kernel stamped just before now may still be on its way into the
            // buffer: move the tracker only to 5 ms before now, so it does not come late.
            let now = source.nowNanoseconds()
            let margin: UInt64 = 5_000_000
            if now > margin { tracker.advance(toNanoseconds: now - margin) }
            if let length, let start = tracker.sessionStartNanoseconds, let clock = tracker.clockNanoseconds,
               clock >= start &+ length {
                reachedEnd = true
                return endResult(tracker, length)
            }
            return .going
        }
    }

    private func endResult(_ tracker: ContactTracker, _ length: UInt64?) -> PumpResult {
        let start = tracker.sessionStartNanoseconds ?? tracker.clockNanoseconds ?? 0
        return .reachedEnd(atNanoseconds: start &+ (length ?? 0))
    }

    /// The clock the feed's timestamps are on, now, ns: for GPIO the kernel's monotonic
    /// clock; for a device, nil (only its reports tell its time).
    public var sourceNowNanoseconds: UInt64? {
        if case .gpio(let source) = kind { return source.nowNanoseconds() }
        return nil
    }

    /// Releases the lines, or closes the device session and stops an in-process simulator.
    public func close() {
        if case .device(let session, _) = kind { session.close() }
        connector?.shutDown()
    }
}

/// Hands a device session's MatReports, and the news of a lost link, from the tasks that
/// read its streams to the thread that runs the mat command.
public final class MatReportInbox: Sendable {
    private struct State {
        public var reports: [MatReport] = []
        public var lost: String?
    }
    private let state = Mutex(State())
    private let arrived = DispatchSemaphore(value: 0)

    /// Hears `session`'s reports and connection events on its owner thread (no task on
    /// the shared pool in between: a mat session on a loaded machine loses nothing).
    @discardableResult
    public func drain(_ session: DeviceSession) -> Int {
        session.addObserver { [self] event in
            switch event {
            case .mat(let report):
                state.withLock { $0.reports.append(report) }
                arrived.signal()
            case .connection(.linkLost(let error)), .connection(.ended(let error)):
                state.withLock { if $0.lost == nil { $0.lost = error.description } }
                arrived.signal()
            default:
                break
            }
        }
    }

    /// The reports that came (waiting at most `wait` for the first), and the reason the
    /// link was lost, if it was.
    public func take(waitingAtMost wait: Duration) -> (reports: [MatReport], lost: String?) {
        let (seconds, attoseconds) = wait.components
        _ = arrived.wait(timeout: .now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)))
        return state.withLock { state in
            defer { state.reports.removeAll(keepingCapacity: true) }
            return (state.reports, state.lost)
        }
    }
}
