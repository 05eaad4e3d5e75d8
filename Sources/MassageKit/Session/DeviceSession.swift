import Foundation
import MassageWire
import Synchronization

/// A live session with one device over a ``Transport``: the ``SessionEngine`` driven by
/// its own I/O thread on the monotonic clock.
///
/// - ``connect(options:open:)`` opens the transport and returns once the handshake is done.
/// - ``setOutputs(_:)`` may be called from any thread (the scheduler's): the newest
///   outputs go out at once when the device's rate allows, never queued behind older ones.
/// - Status, mat and fault reports arrive on ``statusUpdates``, ``matReports`` and
///   ``faults``; connection changes on ``connectionEvents``. Each stream keeps the newest
///   reports if its reader falls behind, so a slow reader never stalls the link.
/// - When the link is lost (nothing heard for 1 s, or the transport fails) the session
///   reports it and, unless told not to, reopens the transport every 250 ms, handshakes,
///   and carries on only with the same device (by serial number). Outputs are not
///   resumed: the device stopped on its watchdog, and the caller decides what comes next.
/// - ``stop(within:)`` sends Stop and waits for the device's Ack at most that long.
public final class DeviceSession: OutputSink {
    /// Opens the transport; `serial` is the device to reconnect to (nil the first time).
    public typealias Opener = @Sendable (_ serial: String?) throws(TransportError) -> any Transport

    public struct Options: Sendable {
        public var engine = SessionEngine.Configuration()
        /// Reopen the transport after link loss and go on with the same device.
        public var reconnect = true
        public var reconnectInterval: Duration = .milliseconds(250)
        /// Device time per wall time: a simulator run at `--speed 10` keeps its watchdog,
        /// rate limit and reports in its own time, so the session's heartbeat, retries and
        /// link-loss bound must run 10 times faster too. 1 for real devices.
        public var speed: Double = 1
        public init() {}
    }

    /// A change in the connection.
    public enum ConnectionEvent: Sendable, Equatable {
        case linkLost(SessionError)
        case reconnected(DeviceCapabilities)
        /// A device answered, but not the one the session was with; still looking.
        case wrongDevice(SessionError)
        /// The session is over (closed, or the link lost with reconnect off).
        case ended(SessionError)
    }

    /// What ``stop(within:)`` found.
    public enum StopOutcome: Sendable, Equatable {
        /// The device acknowledged the Stop after `milliseconds`.
        case acknowledged(milliseconds: Double)
        /// No Ack within the bound (or no link): the device's watchdog stops its outputs
        /// within its watchdog period of the last frame it heard.
        case unconfirmed(SessionError)
    }

    public let statusUpdates: AsyncStream<Status>
    public let matReports: AsyncStream<MatReport>
    public let faults: AsyncStream<FaultReport>
    public let connectionEvents: AsyncStream<ConnectionEvent>

    let options: Options
    let open: Opener
    /// Where the scheduler's real-time thread leaves its levels (``offer(_:)``); the I/O
    /// thread takes the newest every turn (at most 2 ms apart while offers come).
    let mailbox = OutputMailbox()
    /// When the session began, monotonic µs (the origin of the scaled clock).
    let origin = DeviceSession.monotonicMicroseconds()
    let core: Core
    let streams: Streams

    final class Core: Sendable {
        let state: Mutex<State>
        let finished = DispatchSemaphore(value: 0)
        init(state: State) { self.state = Mutex(state) }
    }

    struct State {
        var engine: SessionEngine
        var transport: (any Transport)?
        var completions: [RequestID: @Sendable (Result<CommandAnswer, SessionError>) -> Void] = [:]
        var capabilities: DeviceCapabilities?
        var readyWaiter: (@Sendable (Result<DeviceCapabilities, SessionError>) -> Void)?
        var closing = false
        var totals = SessionStatistics()
    }

    struct Streams: Sendable {
        let status: AsyncStream<Status>.Continuation
        let mat: AsyncStream<MatReport>.Continuation
        let faults: AsyncStream<FaultReport>.Continuation
        let connection: AsyncStream<ConnectionEvent>.Continuation

        func finish() {
            status.finish()
            mat.finish()
            faults.finish()
            connection.finish()
        }
    }

    init(options: Options, open: @escaping Opener) {
        self.options = options
        self.open = open
        core = Core(state: State(engine: SessionEngine(configuration: options.engine)))
        let status = AsyncStream.makeStream(of: Status.self, bufferingPolicy: .bufferingNewest(64))
        let mat = AsyncStream.makeStream(of: MatReport.self, bufferingPolicy: .bufferingNewest(1024))
        let faultPair = AsyncStream.makeStream(of: FaultReport.self, bufferingPolicy: .bufferingNewest(256))
        let connection = AsyncStream.makeStream(of: ConnectionEvent.self, bufferingPolicy: .bufferingNewest(256))
        statusUpdates = status.stream
        matReports = mat.stream
        faults = faultPair.stream
        connectionEvents = connection.stream
        streams = Streams(status: status.continuation, mat: mat.continuation, faults: faultPair.continuation,
                          connection: connection.continuation)
    }

    /// Opens the device with `open` and waits for the handshake (at most about 2 s: the
    /// four tries of each handshake step, or the 1 s link-loss bound).
    public static func connect(options: Options = Options(), open: @escaping Opener) async throws(SessionError) -> DeviceSession {
        let session = DeviceSession(options: options, open: open)
        let result: Result<DeviceCapabilities, SessionError> = await withCheckedContinuation { continuation in
            session.start { continuation.resume(returning: $0) }
        }
        _ = try result.get()
        return session
    }

    /// Same as ``connect(options:open:)`` for callers that are not async; blocks.
    public static func connectWaiting(options: Options = Options(), open: @escaping Opener) throws(SessionError) -> DeviceSession {
        let session = DeviceSession(options: options, open: open)
        let box = ResultBox<DeviceCapabilities>()
        session.start { box.put($0) }
        _ = try box.wait().get()
        return session
    }

    /// What the device said it is, from the handshake (the latest one after a reconnect).
    public var capabilities: DeviceCapabilities? { core.state.withLock { $0.capabilities } }

    /// The newest Status the device sent.
    public var latestStatus: Status? { core.state.withLock { $0.engine.latestStatus } }

    /// Counters over the whole session, reconnects included.
    public var statistics: SessionStatistics {
        core.state.withLock { state in Self.sum(state.totals, state.engine.statistics) }
    }

    /// Sends `levels` as soon as the device's rate allows; newer outputs replace older ones
    /// not yet sent. Never blocks on the device.
    public func setOutputs(_ levels: OutputLevels) throws(SessionError) {
        let now = deviceNow()
        try core.state.withLock { (state) throws(SessionError) in
            guard state.transport != nil, state.engine.phase == .ready else {
                if state.closing { throw .closed }
                if case .ended(let error) = state.engine.phase { throw error }
                throw .notConnected
            }
            try state.engine.setOutputs(levels, now: now)
            Self.flush(&state)
        }
    }

    /// The scheduler's hand-off: never blocks, never does I/O; the session's I/O thread
    /// sends the newest levels within 2 ms (then as the device's rate allows).
    public func offer(_ levels: OutputLevels) {
        mailbox.offer(levels)
    }

    /// Offers sent as SetOutputs, and offers replaced by newer ones before they went out
    /// (in the mailbox or in the engine).
    public var deliveryCounts: OutputDeliveryCounts? {
        let handedOver = mailbox.deliveryCounts ?? OutputDeliveryCounts(sent: 0, coalesced: 0)
        let engine = statistics
        return OutputDeliveryCounts(sent: UInt64(engine.outputsSent),
                                    coalesced: handedOver.coalesced + UInt64(engine.outputsCoalesced))
    }

    /// Sends `command` and waits for its answer (retried per PROTOCOL.md 5).
    public func send(_ command: SessionCommand) async throws(SessionError) -> CommandAnswer {
        let result: Result<CommandAnswer, SessionError> = await withCheckedContinuation { continuation in
            submit(command) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// Same as ``send(_:)``, blocking the calling thread.
    public func sendWaiting(_ command: SessionCommand) throws(SessionError) -> CommandAnswer {
        let box = ResultBox<CommandAnswer>()
        submit(command) { box.put($0) }
        return try box.wait().get()
    }

    /// Stops every output: sends Stop (ahead of any other command, dropping outputs not yet
    /// sent) and waits for the Ack at most `bound`. Safe from any thread.
    public func stop(within bound: Duration = .milliseconds(500)) -> StopOutcome {
        let started = ContinuousClock.now
        let box = ResultBox<CommandAnswer>()
        submit(.stop) { box.put($0) }
        guard let result = box.wait(timeout: bound) else {
            return .unconfirmed(.notAnswering(command: "Stop", tries: options.engine.maximumTries))
        }
        switch result {
        case .success:
            let elapsed = ContinuousClock.now - started
            return .acknowledged(milliseconds: Double(elapsed.components.attoseconds) / 1e15
                + Double(elapsed.components.seconds) * 1000)
        case .failure(let error):
            return .unconfirmed(error)
        }
    }

    /// Ends the session: stops the device first when it is connected (bounded by
    /// `stopBound`), then closes the transport and waits for the I/O thread.
    @discardableResult
    public func close(stopBound: Duration = .milliseconds(500)) -> StopOutcome? {
        let connected = core.state.withLock { !$0.closing && $0.engine.phase == .ready }
        let outcome = connected ? stop(within: stopBound) : nil
        let transport: (any Transport)? = core.state.withLock { state in
            guard !state.closing else { return nil }
            state.closing = true
            state.engine.close()
            return state.transport
        }
        transport?.close()
        core.finished.wait()
        core.finished.signal()
        return outcome
    }

    deinit {
        core.state.withLock { $0.closing = true }
    }

    // MARK: - The I/O thread

    func start(ready: @escaping @Sendable (Result<DeviceCapabilities, SessionError>) -> Void) {
        core.state.withLock { $0.readyWaiter = ready }
        let thread = Thread { [self] in run() }
        thread.name = "massage session"
        thread.qualityOfService = .userInteractive
        thread.start()
    }

    func submit(_ command: SessionCommand, completion: @escaping @Sendable (Result<CommandAnswer, SessionError>) -> Void) {
        let now = deviceNow()
        let immediate: SessionError? = core.state.withLock { state in
            if state.closing { return .closed }
            guard state.transport != nil else { return .notConnected }
            let id = state.engine.submit(command, now: now)
            state.completions[id] = completion
            Self.flush(&state)
            return nil
        }
        if let immediate { completion(.failure(immediate)) }
        drainEvents()
    }

    func run() {
        var firstConnection = true
        var wrongDeviceReported = false
        while true {
            let closing = core.state.withLock { $0.closing }
            if closing { break }

            // Open (or reopen) the transport.
            if core.state.withLock({ $0.transport == nil }) {
                let serial = core.state.withLock { $0.capabilities?.serial }
                do throws(TransportError) {
                    let transport = try open(serial)
                    let opened = core.state.withLock { (state) -> Bool in
                        if state.closing { return false }
                        state.totals = Self.sum(state.totals, state.engine.statistics)
                        var configuration = options.engine
                        configuration.expectedSerial = serial
                        state.engine = SessionEngine(configuration: configuration)
                        state.transport = transport
                        state.engine.start(now: deviceNow())
                        Self.flush(&state)
                        return true
                    }
                    if !opened { transport.close(); break }
                } catch {
                    if firstConnection {
                        finishReady(.failure(.transport(error)))
                        break
                    }
                    Thread.sleep(forTimeInterval: Self.seconds(options.reconnectInterval))
                    continue
                }
            }

            // One turn: the scheduler's newest levels, timers, then wait for bytes until
            // the next deadline.
            let now = deviceNow()
            let offered = mailbox.take()
            let polling = mailbox.offers > 0
            let (transport, wait) = core.state.withLock { (state) -> ((any Transport)?, UInt64) in
                if let offered, state.engine.phase == .ready {
                    try? state.engine.setOutputs(offered, now: now)   // the governor sized them to the device
                }
                state.engine.advance(now: now)
                Self.flush(&state)
                return (state.transport, state.engine.nextDeadline(after: now) - now)
            }
            drainEvents()
            guard let transport else { continue }
            let wallWait = UInt64(Double(wait) / max(options.speed, 1))
            let pollingCap = UInt64(2_000 / max(options.speed, 1))
            let timeout = Duration.microseconds(Int64(min(max(wallWait, 200), polling ? max(pollingCap, 200) : 20_000)))
            do throws(TransportError) {
                let bytes = try transport.receive(timeout: timeout)
                let received = deviceNow()
                core.state.withLock { state in
                    guard state.transport === transport else { return }
                    state.engine.receive(bytes, now: received)
                    Self.flush(&state)
                }
            } catch {
                core.state.withLock { state in
                    guard state.transport === transport else { return }
                    state.engine.transportFailed(error)
                }
            }
            let ended = drainEvents()

            // The session ended: finish, or look for the device again.
            guard let ended else { continue }
            core.state.withLock { $0.transport = nil }
            transport.close()
            let closingNow = core.state.withLock { $0.closing }
            let wasConnected = core.state.withLock { $0.capabilities != nil }
            if !wasConnected {
                finishReady(.failure(ended))
                break
            }
            firstConnection = false
            if closingNow || !options.reconnect || ended == .closed {
                streams.connection.yield(.ended(ended))
                break
            }
            if case .wrongDevice = ended {
                if !wrongDeviceReported { streams.connection.yield(.wrongDevice(ended)) }
                wrongDeviceReported = true
            } else if case .transport(.closed) = ended {
                streams.connection.yield(.ended(ended))
                break
            } else {
                streams.connection.yield(.linkLost(ended))
            }
            Thread.sleep(forTimeInterval: Self.seconds(options.reconnectInterval))
        }
        core.state.withLock { state in
            state.transport?.close()
            state.transport = nil
            state.closing = true
        }
        finishReady(.failure(.closed))
        failCompletions(.closed)
        streams.finish()
        core.finished.signal()
    }

    /// Hands the engine's events out; returns the error if the session ended.
    @discardableResult
    func drainEvents() -> SessionError? {
        var ended: SessionError? = nil
        while true {
            let next: (SessionEvent, (@Sendable (Result<CommandAnswer, SessionError>) -> Void)?)? = core.state.withLock { state in
                guard let event = state.engine.nextEvent() else { return nil }
                switch event {
                case .completed(let id, _):
                    return (event, state.completions.removeValue(forKey: id))
                case .ready(let capabilities):
                    state.capabilities = capabilities
                    return (event, nil)
                default:
                    return (event, nil)
                }
            }
            guard let (event, completion) = next else { break }
            switch event {
            case .ready(let capabilities):
                let first = core.state.withLock { state -> Bool in
                    state.readyWaiter != nil
                }
                if first { finishReady(.success(capabilities)) } else { streams.connection.yield(.reconnected(capabilities)) }
            case .status(let status): streams.status.yield(status)
            case .mat(let report): streams.mat.yield(report)
            case .fault(let report): streams.faults.yield(report)
            case .outputsRefused: break
            case .completed(_, let result): completion?(result)
            case .ended(let error): ended = error
            }
        }
        return ended
    }

    func finishReady(_ result: Result<DeviceCapabilities, SessionError>) {
        let waiter = core.state.withLock { state in
            let waiter = state.readyWaiter
            state.readyWaiter = nil
            return waiter
        }
        waiter?(result)
    }

    func failCompletions(_ error: SessionError) {
        let pending = core.state.withLock { state in
            let pending = state.completions
            state.completions.removeAll()
            return pending
        }
        for completion in pending.values { completion(.failure(error)) }
    }

    /// Sends what the engine has queued, under the state lock so frames keep their order.
    static func flush(_ state: inout State) {
        let bytes = state.engine.takeOutgoing()
        guard !bytes.isEmpty, let transport = state.transport else { return }
        do throws(TransportError) {
            try transport.send(bytes)
        } catch {
            state.engine.transportFailed(error)
        }
    }

    static func sum(_ a: SessionStatistics, _ b: SessionStatistics) -> SessionStatistics {
        var total = SessionStatistics()
        total.framesSent = a.framesSent + b.framesSent
        total.framesReceived = a.framesReceived + b.framesReceived
        total.framesBad = a.framesBad + b.framesBad
        total.outputsSent = a.outputsSent + b.outputsSent
        total.outputsCoalesced = a.outputsCoalesced + b.outputsCoalesced
        total.outputsResent = a.outputsResent + b.outputsResent
        total.heartbeatsSent = a.heartbeatsSent + b.heartbeatsSent
        total.retries = a.retries + b.retries
        total.duplicateAnswers = a.duplicateAnswers + b.duplicateAnswers
        return total
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The engine's clock: monotonic µs, scaled by `speed` from when the session began.
    func deviceNow() -> UInt64 {
        let now = Self.monotonicMicroseconds()
        if options.speed == 1 { return now }
        return origin &+ UInt64(Double(now &- origin) * options.speed)
    }

    static func monotonicMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }
}

/// A result handed from one thread to a waiting one.
final class ResultBox<Value: Sendable>: Sendable {
    let value = Mutex<Result<Value, SessionError>?>(nil)
    let ready = DispatchSemaphore(value: 0)

    func put(_ result: Result<Value, SessionError>) {
        let first = value.withLock { stored in
            guard stored == nil else { return false }
            stored = result
            return true
        }
        if first { ready.signal() }
    }

    func wait() -> Result<Value, SessionError> {
        ready.wait()
        ready.signal()
        return value.withLock { $0 } ?? .failure(.closed)
    }

    func wait(timeout: Duration) -> Result<Value, SessionError>? {
        guard ready.wait(timeout: .now() + DeviceSession.seconds(timeout)) == .success else { return nil }
        ready.signal()
        return value.withLock { $0 }
    }
}
