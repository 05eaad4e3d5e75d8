import Foundation
import MassageControl
import MassageHistory
import MassageKit
import MassageServiceProtocol
import MassageWire
import Synchronization

/// The service's hold on one configured device: its `DeviceSession` (reconnected by
/// serial number by the session itself), at most one `ProgramRun` at a time, the newest
/// state for the stream, and the run's history row. Commands come from any thread; the
/// session's owner thread only hands events in (``sessionEvent(_:)`` never waits).
public final class DeviceOwner: Sendable {
    /// The name clients use for it: the URI as configured (`sim`, `usb:...`).
    public let name: String
    let connector: DeviceConnector
    let historyPath: String?
    let fifoPriority: Int32?
    let speed: Double
    let session = Mutex<DeviceSession?>(nil)
    let connectError = Mutex<String?>(nil)
    /// What the service did or found at connection (a leftover watchdog cleared, faults
    /// left latched by an earlier host), for the page.
    let connectNote = Mutex<String?>(nil)
    let current = Mutex<ActiveRun?>(nil)
    let lastRun = Mutex<LastRun?>(nil)
    let statusAt = Mutex<Double>(0)
    let mat = Mutex<[Int]>([])
    /// The mat session running or last run on this device (one at a time in the service).
    let matSession = Mutex<MatSessionDriver?>(nil)
    /// Called with every new state (on the session's thread or a run's waiter).
    let onChange: @Sendable (DeviceOwner) -> Void

    struct ActiveRun: Sendable {
        var run: ProgramRun
        var client: String
        /// The ledger's hold this run was started under.
        var claim: UInt64
        var detached: Bool
        var paused: Bool
        var intensity: Int
    }

    struct LastRun: Sendable {
        var program: String
        var note: String
        var stop: String
    }

    init(name: String, connector: DeviceConnector, historyPath: String?, fifoPriority: Int32?, speed: Double,
         onChange: @escaping @Sendable (DeviceOwner) -> Void) {
        self.name = name
        self.connector = connector
        self.historyPath = historyPath
        self.fifoPriority = fifoPriority
        self.speed = speed
        self.onChange = onChange
    }

    /// A connection attempt is under way (``connectInBackground()`` starts one at most).
    let connecting = Atomic<Bool>(false)

    /// Starts ``connect()`` on a thread of the global pool unless connected or already
    /// trying: the service's rounds retry a device that was absent at its start. Once
    /// connected, the session itself reconnects after a link loss (by serial number).
    func connectInBackground() {
        guard !isConnected, connecting.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        DispatchQueue.global().async { [self] in
            connect()
            connecting.store(false, ordering: .releasing)
        }
    }

    /// Connects (blocking, bounded by the session's own timeouts); on failure the device
    /// stays listed with the error, and ``connect()`` may be called again.
    func connect() {
        do {
            var options = DeviceSession.Options()
            options.speed = connector.uri.isSimulator ? speed : 1
            let opened = try connector.connect(options: options)
            _ = opened.addObserver { [weak self] event in self?.sessionEvent(event) }
            connectNote.withLock { $0 = Self.settleLeftoverFaults(opened, device: name) }
            session.withLock { $0 = opened }
            connectError.withLock { $0 = nil }
        } catch {
            connectError.withLock { $0 = "\(error)" }
        }
        onChange(self)
    }

    /// MassageKit's ``LeftoverFaultPolicy`` at connection, as `massagectl run` applies it:
    /// a lone watchdog left by an earlier host is cleared (with a note); other faults stay
    /// latched for the person, and ``start(program:intensity:client:detached:finished:)``
    /// refuses while they are. Returns the note for the page.
    static func settleLeftoverFaults(_ session: DeviceSession, device: String) -> String? {
        guard let capabilities = session.capabilities else { return nil }
        switch LeftoverFaultPolicy(drives: false, deviceURI: device).decide(capabilities) {
        case .proceed:
            return nil
        case .warn(let message), .refuse(let message):
            return message
        case .clearWatchdog(let note):
            do {
                _ = try session.sendWaiting(.clearFault)
                _ = try session.sendWaiting(.getStatus)   // the latest status without the fault
                return note
            } catch {
                return "the device had stopped on its watchdog (an earlier host went silent) and clearing it failed: \(error); press Clear fault"
            }
        }
    }

    var isConnected: Bool { session.withLock { $0 != nil } }

    func sessionEvent(_ event: DeviceSession.Event) {
        switch event {
        case .status:
            statusAt.withLock { $0 = Date().timeIntervalSince1970 }
            onChange(self)
        case .mat(let report):
            let pressures = report.pressures
            mat.withLock { zones in
                let needed = Int(report.firstZone) + pressures.count
                if zones.count < needed { zones += Array(repeating: 0, count: needed - zones.count) }
                for index in 0..<pressures.count { zones[Int(report.firstZone) + index] = Int(pressures[index]) }
            }
            onChange(self)
        case .fault, .connection:
            onChange(self)
        case .outputsRefused:
            break
        }
    }

    func requireSession() throws(RPCError) -> DeviceSession {
        guard let session = session.withLock({ $0 }) else {
            throw RPCError(code: 503, message: "\(name) is not connected (\(connectError.withLock { $0 } ?? "connecting")); check the cable or the URI the service was started with")
        }
        return session
    }

    /// One start (of a run or a mat session) at a time on this device: the checks that
    /// nothing runs, the ledger's hold, and the new run's record happen as one step, so
    /// that two requests at once cannot both pass the checks.
    let starting = Mutex<Void>(())

    /// Starts `program` for `client`, who becomes the device's controller in `ledger`
    /// (unless another client holds it: refused, naming it). A refusal changes nothing:
    /// not the ledger's hold, nor a run that goes on.
    func start(program: Program, intensity: Int, client: String, detached: Bool, ledger: ControlLedger) throws(RPCError) {
        try starting.withLock { (_: inout Void) throws(RPCError) in
            let session = try requireSession()
            try refuseWhileBusy(what: "a program")
            if let faults = session.latestStatus?.faults, !faults.isEmpty {
                let names = FaultExplanation.explain(faults).map(\.name).joined(separator: ", ")
                throw RPCError(code: 409, message: "refused: \(name) has \(names) latched; see what each means on the page, and once the cause is gone use Clear fault (clear-fault)")
            }
            if let capabilities = session.capabilities {
                do {
                    try ProgramFit.check(program, on: capabilities)
                } catch {
                    throw RPCError(code: 422, message: "\(error)")
                }
            }
            let claim = try ledger.acquire(device: name, client: client, detached: detached)
            var settings = PlaybackSettings()
            settings.intensityPercent = intensity
            // A refusal after the hold was taken gives the hold back.
            func refused(_ error: any Error) -> RPCError {
                ledger.release(device: name, claim: claim)
                return RPCError(code: 409, message: "cannot start \(program.name) on \(name): \(error)")
            }
            let run: ProgramRun
            do {
                // The in-process simulator is not hardware: no memory lock for it.
                let realtime = try RealtimeOptions(fifoPriority: fifoPriority, lockMemory: !connector.uri.isSimulator,
                                                   speed: connector.uri.isSimulator ? speed : 1)
                run = try ProgramRun(program: program, session: session, settings: settings,
                                     recorder: startHistory(program: program, intensity: intensity), realtime: realtime)
            } catch {
                throw refused(error)
            }
            // Recorded before it starts: a Stop that comes while it starts finds it (the
            // scheduler honours a stop asked before its first tick), never a device that
            // plays on after the Stop answered.
            current.withLock { $0 = ActiveRun(run: run, client: client, claim: claim, detached: detached, paused: false, intensity: intensity) }
            do {
                try run.start()
            } catch {
                forget(run)
                throw refused(error)
            }
            // The run's waiter: a thread of its own that only waits for the end, then stops
            // the device (Stop and its Ack) and finishes the history row.
            let waiter = Thread { [self] in
                let report = run.wait(every: .milliseconds(100))
                let stop = DeviceShutdown.words(for: report.stop)
                lastRun.withLock { $0 = LastRun(program: program.name, note: report.note, stop: stop) }
                forget(run)
                ledger.release(device: name, claim: claim)
                onChange(self)
            }
            waiter.name = "run \(name)"
            waiter.start()
        }
        onChange(self)
    }

    /// `run` is no longer the device's run (unless another has taken its place).
    func forget(_ run: ProgramRun) { current.withLock { if $0?.run === run { $0 = nil } } }

    /// Refuses (409) while a run or a mat session is on this device.
    func refuseWhileBusy(what: String) throws(RPCError) {
        if let active = current.withLock({ $0 }) {
            throw RPCError(code: 409, message: "refused: \(name) is already running \(active.run.program.name) for \"\(active.client)\"; stop it before \(what)")
        }
        if let by = matSessionStarter {
            throw RPCError(code: 409, message: "refused: a mat session started by \"\(by)\" runs on \(name); end it before \(what) (mat-session/end)")
        }
    }

    /// Starts a mat session toward today's goal for `client`, who holds the device in
    /// `ledger` while it runs (detached: a mat drives nothing, so no dead-man switch ends
    /// it). The caller checked that no other mat session runs in the service.
    func startMatSession(client: String, durationSeconds: Double?, ledger: ControlLedger) throws(RPCError) {
        try starting.withLock { (_: inout Void) throws(RPCError) in
            let session = try requireSession()
            try refuseWhileBusy(what: "a mat session")
            let claim = try ledger.acquire(device: name, client: client, detached: true)
            do throws(RPCError) {
                let driver = try MatSessionDriver(
                    session: session, uri: connector.uri, device: name, speed: connector.uri.isSimulator ? speed : 1,
                    historyPath: historyPath, startedBy: client, durationSeconds: durationSeconds,
                    onChange: { [weak self] in if let self { self.onChange(self) } },
                    finished: { [name] in ledger.release(device: name, claim: claim) })
                matSession.withLock { $0 = driver }
            } catch {
                ledger.release(device: name, claim: claim)
                throw error
            }
        }
        onChange(self)
    }

    /// Ends the mat session, if one runs; whether one did.
    @discardableResult
    func endMatSession(_ reason: String) -> Bool {
        guard let driver = matSession.withLock({ $0 }), driver.isRunning else { return false }
        driver.end(reason)
        return true
    }

    var hasMatSession: Bool { matSession.withLock { $0?.isRunning ?? false } }

    /// Who started the mat session that runs on this device (nil: none runs).
    var matSessionStarter: String? { matSession.withLock { $0?.isRunning == true ? $0?.startedBy : nil } }

    /// The run's history row, written on the recorder's own thread (a locked history
    /// never delays the run or its Stop).
    func startHistory(program: Program, intensity: Int) -> HistoryRecorder? {
        guard let historyPath else { return nil }
        var entry = HistoryEntry(kind: .program, name: program.name, device: name, startedAt: Date())
        entry.deviceKind = connector.uri.isSimulator ? .simulated : .real
        entry.intensityPercent = intensity
        entry.heat = "program"
        return HistoryRecorder(path: historyPath, entry: entry)
    }

    func withRun<T>(_ body: (inout ActiveRun) throws(RPCError) -> T) throws(RPCError) -> T {
        try current.withLock { (active: inout ActiveRun?) throws(RPCError) -> T in
            guard var run = active else { throw RPCError(code: 409, message: "\(name) runs no program; start one first") }
            let result = try body(&run)
            active = run
            return result
        }
    }

    func pause() throws(RPCError) { try withRun { $0.run.pause(); $0.paused = true }; onChange(self) }
    func resume() throws(RPCError) { try withRun { $0.run.resume(); $0.paused = false }; onChange(self) }

    func setIntensity(_ percent: Int) throws(RPCError) {
        try withRun { (active: inout ActiveRun) throws(RPCError) in
            do { try active.run.setIntensity(percent: percent) } catch {
                throw RPCError(code: 400, message: "intensity \(percent): \(error)")
            }
            active.intensity = percent
        }
        onChange(self)
    }

    /// The dead-man switch's stop: the run started under `claim` only. By the time the
    /// switch acts, that run may have ended and another begun (stopped by nobody's
    /// absence), and a mat session is never its business.
    func stopRun(claim: UInt64, note: String) -> Bool {
        guard let active = current.withLock({ $0 }), active.claim == claim else { return false }
        active.run.stop(note: note)
        return true
    }

    /// Stops the run, or (no run) sends the device a Stop anyway: stop always works.
    func stop(note: String) -> Bool {
        // Stop on a mat ends its session too: stop always means "everything off".
        endMatSession(note)
        if let active = current.withLock({ $0 }) {
            active.run.stop(note: note)
            return true
        }
        if let session = session.withLock({ $0 }) { _ = session.stop(within: .seconds(1)) }
        return false
    }

    func clearFault() throws(RPCError) {
        let session = try requireSession()
        do {
            _ = try session.sendWaiting(.clearFault)
        } catch {
            throw RPCError(code: 409, message: "\(name) did not clear its fault: \(error); its cause may still be there (let the surface cool, or end the dose period)")
        }
        onChange(self)
    }

    /// Ends everything: stops a run and a mat session, waits for their ends (history rows
    /// finished), closes the session (Stop + Ack). Says how the device took the Stop.
    func shutDown() -> DeviceShutdown {
        if endMatSession("ended: the service shut down") {
            for _ in 0..<60 where hasMatSession { Thread.sleep(forTimeInterval: 0.05) }
        }
        if let active = current.withLock({ $0 }) {
            active.run.stop(note: "stopped: the service shut down")
            for _ in 0..<50 where current.withLock({ $0 != nil }) { Thread.sleep(forTimeInterval: 0.05) }
        }
        let outcome = session.withLock({ $0 })?.close(stopBound: .seconds(1))
        connector.shutDown()
        return DeviceShutdown(device: name, stop: outcome)
    }

    /// The state clients see.
    func snapshot() -> DeviceStateView {
        let session = session.withLock { $0 }
        let capabilities = session?.capabilities
        let status = session?.latestStatus
        var view = DeviceStateView(device: name, connected: capabilities != nil, error: connectError.withLock { $0 })
        view.note = connectNote.withLock { $0 }
        if let capabilities {
            view.model = capabilities.model
            view.vendor = capabilities.vendor
            view.serial = capabilities.serial
            view.motors = capabilities.actuatorCount
            view.hasHeater = capabilities.hasHeater
            view.matZones = capabilities.matZoneCount
        }
        if let status {
            view.outputs = (0..<status.outputs.count).map { Int(status.outputs[$0]) }
            if status.temperature != Status.noTemperature { view.temperatureCelsius = Double(status.temperature) / 10 }
            view.heaterDuty = Int(status.heaterDuty)
            view.dosePoints = Double(status.dose) / 100
            view.faults = FaultView.describe(status.faults)
        }
        view.statusAt = statusAt.withLock { $0 }
        view.matPressures = mat.withLock { $0 }
        if let active = current.withLock({ $0 }) {
            let progress = active.run.progress
            view.run = RunView(program: active.run.program.name, title: active.run.program.title,
                               state: active.paused ? "paused" : "running", seconds: progress.programSeconds,
                               duration: active.run.program.duration, step: progress.stepName,
                               intensity: active.intensity, controller: active.client, detached: active.detached)
        }
        view.matSession = matSession.withLock { $0?.view }
        if let last = lastRun.withLock({ $0 }) { view.lastRun = LastRunView(program: last.program, note: last.note, stop: last.stop) }
        return view
    }
}

/// How one device took the service's shutdown: the Stop's Ack, or why there was none.
public struct DeviceShutdown: Sendable, Equatable, CustomStringConvertible {
    public var device: String
    /// nil: the device was not connected, so no Stop could be sent.
    public var stop: DeviceSession.StopOutcome?

    public var acknowledged: Bool { if case .acknowledged? = stop { true } else { false } }

    public var description: String {
        "\(device): " + (stop.map(Self.words(for:)) ?? "not connected, no Stop sent")
    }

    /// How a Stop went, in the words a run's end and the shutdown both use.
    static func words(for stop: DeviceSession.StopOutcome) -> String {
        switch stop {
        case .acknowledged(let ms): "Stop acknowledged in \(String(format: "%.1f", ms)) ms"
        case .unconfirmed(let error): "Stop not confirmed (\(error)); the device's watchdog stops it"
        }
    }
}
