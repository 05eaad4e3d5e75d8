import Foundation
import MassageWire
import Synchronization

/// The owner thread of a ``DeviceSession``: the only code that touches its engine and its
/// transport. One turn takes the posted commands (in order), the scheduler's newest offer
/// when the engine can use it, runs the timers, sends what the engine queued, hands every
/// event out, and then waits in the transport's receive until bytes come, the next
/// deadline, or a wake-up from a poster. No lock is held across a send or a receive.
///
/// Not Sendable: it is created by the session and then used by its one thread only.
final class SessionLoop {
    typealias Shared = DeviceSession.Shared

    let shared: Shared
    var engine: SessionEngine
    var transport: (any Transport)?
    var completions: [RequestID: DeviceSession.Completion] = [:]
    var readyWaiter: (@Sendable (Result<DeviceCapabilities, SessionError>) -> Void)?
    var capabilities: DeviceCapabilities?
    /// Counters of the engines before the current one (reconnects).
    var totals = SessionStatistics()
    var closeRequested = false
    /// When the last turn began (device µs): a far longer gap means this thread was frozen.
    var lastTurnAt: UInt64?
    var stopBeforeClose = false
    var wrongDeviceReported = false
    /// `.ended` went out on the connection stream (it goes exactly once, last).
    var endReported = false

    init(shared: Shared, ready: @escaping @Sendable (Result<DeviceCapabilities, SessionError>) -> Void) {
        self.shared = shared
        engine = SessionEngine(configuration: shared.options.engine)
        readyWaiter = ready
    }

    var options: DeviceSession.Options { shared.options }

    func run() {
        shared.ownerThread.withLock { $0 = pthread_self() }
        while !closeRequested {
            if transport == nil {
                lastTurnAt = nil
                guard open() else { break }
                continue
            }
            guard let ended = turn() else { continue }
            guard handleEnd(ended) else { break }
        }
        shutDown()
    }

    // MARK: - One turn

    /// Commands, offers, timers, sends, events, then the wait for bytes. Returns the error
    /// when the engine ended during the turn.
    func turn() -> SessionError? {
        let now = shared.deviceNow()
        // A turn never waits longer than the engine's next deadline (well under the link-loss
        // timeout while connected): a gap of half that timeout is this process frozen, not
        // the device silent. Its bytes are waiting in the transport, unread.
        if let last = lastTurnAt, now > last + options.engine.linkLossTimeout / 2 {
            engine.excuseSilence(microseconds: now - last, now: now)
        }
        lastTurnAt = now
        for command in takeCommands() { apply(command, now: now) }
        if closeRequested {
            if stopBeforeClose && engine.phase == .ready {
                engine.submit(.stop, now: now)
                flush()
            }
            engine.close()
            return dispatchEvents()
        }
        takeOffer(now: now)
        engine.advance(now: now)
        flush()
        if let ended = dispatchEvents() { return ended }
        publish()
        waitForBytes(now: now)
        return dispatchEvents()
    }

    func takeCommands() -> [DeviceSession.Command] {
        shared.inbox.withLock { inbox in
            var taken: [DeviceSession.Command] = []
            swap(&taken, &inbox.commands)
            return taken
        }
    }

    func apply(_ command: DeviceSession.Command, now: UInt64) {
        switch command {
        case .outputs(let levels):
            // Checked against the device on the caller's thread; a reconnect in between
            // may still make them not fit, and then they are simply not sent.
            if engine.phase == .ready { try? engine.setOutputs(levels, now: now) }
        case .submit(let command, let completion):
            if command == .stop {
                // An offer already in the mailbox was made before this Stop: it must never
                // go out after it (the engine drops its own pending outputs likewise).
                _ = shared.mailbox.take()
            }
            let id = engine.submit(command, now: now)
            completions[id] = completion
        case .close(let stopFirst):
            closeRequested = true
            stopBeforeClose = stopBeforeClose || stopFirst
        }
    }

    /// The scheduler's newest levels, when the engine would send them (nothing pending:
    /// a pending SetOutputs waits for the rate slot, at which this turn takes the newest).
    func takeOffer(now: UInt64) {
        guard engine.phase == .ready else {
            _ = shared.mailbox.take()   // offers during a handshake are stale by its end
            return
        }
        guard engine.pendingOutputs == nil, let offered = shared.mailbox.take() else { return }
        try? engine.setOutputs(offered, now: now)   // the governor sized them to the device
    }

    /// Sends what the engine queued; a failed send ends the engine (reported as an event).
    func flush() {
        let bytes = engine.takeOutgoing()
        guard !bytes.isEmpty, let transport else { return }
        do throws(TransportError) {
            try transport.send(bytes)
        } catch {
            engine.transportFailed(error)
        }
    }

    /// Waits in the transport until bytes come, the engine's next deadline, or a wake-up.
    func waitForBytes(now: UInt64) {
        guard let transport else { return }
        let wait = engine.nextDeadline(after: now) - now
        // Ask for a wake-up on the next offer only when it would go out at once.
        let wantsOffer = engine.phase == .ready && engine.pendingOutputs == nil
        shared.wantsOffer.store(wantsOffer, ordering: .releasing)
        // Posted before the flag was up: do not wait on it.
        let pending = shared.inbox.withLock { !$0.commands.isEmpty } || (wantsOffer && shared.mailbox.hasNewOffer)
        var bytes: [UInt8] = []
        var failure: TransportError?
        if !pending {
            let wall = UInt64(Double(wait) / max(options.speed, 1))
            do throws(TransportError) {
                bytes = try transport.receive(timeout: .microseconds(Int64(clamping: max(wall, 100))))
            } catch {
                failure = error
            }
        }
        shared.wantsOffer.store(false, ordering: .relaxed)
        if let failure {
            engine.transportFailed(failure)
        } else if !bytes.isEmpty {
            engine.receive(bytes, now: shared.deviceNow())
            flush()
        }
    }

    // MARK: - Events

    /// Hands every event out; returns the error if the engine ended.
    func dispatchEvents() -> SessionError? {
        var ended: SessionError?
        while let event = engine.nextEvent() {
            switch event {
            case .ready(let capabilities):
                self.capabilities = capabilities
                publish()
                if let waiter = readyWaiter {
                    readyWaiter = nil
                    waiter(.success(capabilities))
                } else {
                    wrongDeviceReported = false
                    emit(.connection(.reconnected(capabilities)))
                }
            case .status(let status): emit(.status(status))
            case .mat(let report): emit(.mat(report))
            case .fault(let report): emit(.fault(report))
            case .outputsRefused(let reason): emit(.outputsRefused(reason))
            case .completed(let id, let result):
                // What the answer changed (a GetStatus after a ClearFault) is published
                // before the caller wakes: it reads ``latestStatus`` next.
                publish()
                completions.removeValue(forKey: id)?(result)
            case .ended(let error): ended = error
            }
        }
        return ended
    }

    /// To its stream, then to the observers (on this thread, the moment it is known).
    func emit(_ event: DeviceSession.Event) {
        let streams = shared.streams
        switch event {
        case .status(let status): streams.status.yield(status)
        case .mat(let report): streams.mat.yield(report)
        case .fault(let report): streams.faults.yield(report)
        case .outputsRefused(let reason): streams.refusals.yield(reason)
        case .connection(let change):
            if case .ended = change {
                guard !endReported else { return }
                endReported = true
            }
            streams.connection.yield(change)
        }
        let observers = shared.observers.withLock { $0.handlers }
        for observer in observers { observer.handler(event) }
    }

    func publish() {
        let statistics = DeviceSession.sum(totals, engine.statistics)
        let cpu = Syscalls.threadCPUTime()
        shared.published.withLock { published in
            published.capabilities = capabilities
            published.latestStatus = engine.latestStatus ?? published.latestStatus
            published.statistics = statistics
            published.phase = engine.phase
            published.ownerCPUTime = cpu
        }
    }

    // MARK: - Opening, ending, reconnecting

    /// Opens (or reopens) the transport and starts the handshake. False when the loop
    /// must end (the first open failed, or a close came while waiting to retry).
    func open() -> Bool {
        let serial = capabilities?.serial
        do throws(TransportError) {
            let opened = try shared.open(serial)
            let accepted = shared.inbox.withLock { inbox -> Bool in
                if inbox.closing { return false }
                inbox.transport = opened
                return true
            }
            guard accepted else {
                opened.close()
                closeRequested = true
                return false
            }
            transport = opened
            totals = DeviceSession.sum(totals, engine.statistics)
            var configuration = options.engine
            configuration.expectedSerial = serial
            engine = SessionEngine(configuration: configuration)
            engine.start(now: shared.deviceNow())
            return true
        } catch {
            if capabilities == nil {
                finishReady(.failure(.transport(error)))
                return false
            }
            return pause(for: options.reconnectInterval)
        }
    }

    /// The engine ended with `error`. Closes the transport and reports it; true to look for
    /// the device again.
    func handleEnd(_ error: SessionError) -> Bool {
        dropTransport()
        publish()
        if capabilities == nil {
            // The first handshake failed: connect reports it.
            finishReady(.failure(error))
            return false
        }
        if closeRequested || !options.reconnect || error == .closed {
            emit(.connection(.ended(error)))
            return false
        }
        if case .transport(.closed) = error {
            emit(.connection(.ended(error)))   // someone closed the transport under us
            return false
        }
        if case .wrongDevice = error {
            if !wrongDeviceReported { emit(.connection(.wrongDevice(error))) }
            wrongDeviceReported = true
        } else {
            emit(.connection(.linkLost(error)))
        }
        return pause(for: options.reconnectInterval)
    }

    func dropTransport() {
        let old = transport
        transport = nil
        shared.inbox.withLock { $0.transport = nil }
        old?.close()
    }

    /// Waits `interval` with no link, answering commands at once (there is nothing to send
    /// them to). False when a close came.
    func pause(for interval: Duration) -> Bool {
        let deadline = ContinuousClock.now + interval
        while ContinuousClock.now < deadline {
            let commands = shared.inbox.wait(until: deadline) { inbox -> [DeviceSession.Command]? in
                guard !inbox.commands.isEmpty else { return nil }
                var taken: [DeviceSession.Command] = []
                swap(&taken, &inbox.commands)
                return taken
            } ?? []
            _ = shared.mailbox.take()   // no device to drive
            publish()   // the CPU figure too: a loop that spun here would show
            for command in commands {
                switch command {
                case .outputs: break
                case .submit(_, let completion): completion(.failure(.notConnected))
                case .close:
                    closeRequested = true
                }
            }
            if closeRequested { return false }
        }
        return true
    }

    func finishReady(_ result: Result<DeviceCapabilities, SessionError>) {
        guard let waiter = readyWaiter else { return }
        readyWaiter = nil
        waiter(result)
    }

    /// The end: nothing more is sent; every waiter hears `.closed`; the streams finish.
    func shutDown() {
        dropTransport()
        let leftover = shared.inbox.withLock { inbox -> [DeviceSession.Command] in
            inbox.finished = true
            inbox.closing = true
            var taken: [DeviceSession.Command] = []
            swap(&taken, &inbox.commands)
            return taken
        }
        for command in leftover {
            if case .submit(_, let completion) = command { completion(.failure(.closed)) }
        }
        let pending = completions
        completions.removeAll()
        for completion in pending.values { completion(.failure(.closed)) }
        finishReady(.failure(.closed))
        if capabilities != nil { emit(.connection(.ended(.closed))) }
        publish()
        shared.published.withLock { $0.closed = true }
        shared.streams.finish()
        shared.finished.signal()
    }
}
