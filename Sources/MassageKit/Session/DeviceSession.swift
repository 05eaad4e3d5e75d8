import Foundation
import MassageWire
import Synchronization

/// A live session with one device over a ``Transport``: the ``SessionEngine`` driven by
/// one owner thread on the monotonic clock, the way an event loop owns its channels
/// (swift-nio's `SelectableEventLoop`).
///
/// - Only the owner thread touches the engine and the transport and hands out events.
///   Other threads post commands into its inbox and wake it (``Transport/wakeReceive()``,
///   a byte on a socket pair for descriptors); no lock is ever held around I/O, so
///   ``stop(within:)`` and ``latestStatus`` never wait behind a slow send.
/// - ``connect(options:open:)`` opens the transport and returns once the handshake is done.
/// - ``setOutputs(_:)`` and ``offer(_:)`` may be called from any thread (the scheduler's):
///   the newest outputs go out at once when the device's rate allows, never queued behind
///   older ones. An offer wakes the owner only when it is waiting for one, so a 1 kHz
///   scheduler costs at most one wake-up per SetOutputs slot.
/// - Every event the engine emits reaches a stream: ``statusUpdates``, ``matReports``,
///   ``faults``, ``outputRefusals`` and ``connectionEvents`` (each keeps the newest reports
///   if its reader falls behind, so a slow reader never stalls the link; `.ended` is the
///   last event and is never dropped). ``addObserver(_:)`` hears them on the owner thread
///   the moment they are decoded, for a run that must stop within one tick of a Fault.
/// - When the link is lost (nothing heard for 1 s, or a send or receive fails) the session
///   reports it and, unless told not to, reopens the transport every 250 ms, handshakes,
///   and carries on only with the same device (by serial number). Outputs are not
///   resumed: the device stopped on its watchdog, and the caller decides what comes next.
/// - ``stop(within:)`` sends Stop and waits for the device's Ack at most that long. An
///   output offered or set before the Stop never goes out after it.
/// - ``close(stopBound:)`` and deinit stop the owner thread and join it. The thread holds
///   no reference to the session, so a session dropped without `close()` ends: it sends
///   one Stop, closes the transport and sends nothing more.
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

    /// Everything the session reports, in the order the owner thread saw it.
    public enum Event: Sendable, Equatable {
        case status(Status)
        case mat(MatReport)
        case fault(FaultReport)
        case outputsRefused(NakReason)
        case connection(ConnectionEvent)
    }

    /// Called on the session's owner thread for every ``Event``; must return at once (no
    /// I/O, no waiting: hand the event on, e.g. to a ``SchedulerControl``).
    public typealias Observer = @Sendable (Event) -> Void

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
    /// The device's refusals of SetOutputs (a latched fault, a value out of range).
    public let outputRefusals: AsyncStream<NakReason>
    public let connectionEvents: AsyncStream<ConnectionEvent>

    let options: Options
    let shared: Shared

    init(options: Options, open: @escaping Opener) {
        self.options = options
        let status = AsyncStream.makeStream(of: Status.self, bufferingPolicy: .bufferingNewest(64))
        let mat = AsyncStream.makeStream(of: MatReport.self, bufferingPolicy: .bufferingNewest(1024))
        let faultPair = AsyncStream.makeStream(of: FaultReport.self, bufferingPolicy: .bufferingNewest(256))
        let refusals = AsyncStream.makeStream(of: NakReason.self, bufferingPolicy: .bufferingNewest(64))
        let connection = AsyncStream.makeStream(of: ConnectionEvent.self, bufferingPolicy: .bufferingNewest(256))
        statusUpdates = status.stream
        matReports = mat.stream
        faults = faultPair.stream
        outputRefusals = refusals.stream
        connectionEvents = connection.stream
        shared = Shared(options: options, open: open,
                        streams: Streams(status: status.continuation, mat: mat.continuation, faults: faultPair.continuation,
                                         refusals: refusals.continuation, connection: connection.continuation))
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
    /// `giveUp`, when given, is asked every 20 ms while waiting (a stop signal's flag, say):
    /// when it says yes, the session is closed and ``SessionError/closed`` thrown, so a
    /// person's Ctrl-C never waits for a slow handshake.
    public static func connectWaiting(options: Options = Options(), open: @escaping Opener,
                                      giveUp: (() -> Bool)? = nil) throws(SessionError) -> DeviceSession {
        let session = DeviceSession(options: options, open: open)
        let box = ResultBox<DeviceCapabilities>()
        session.start { box.put($0) }
        guard let giveUp else {
            _ = try box.wait().get()
            return session
        }
        while true {
            if let result = box.wait(timeout: .milliseconds(20)) {
                _ = try result.get()
                return session
            }
            if giveUp() {
                session.close(stopBound: .milliseconds(200))
                throw .closed
            }
        }
    }

    /// What the device said it is, from the handshake (the latest one after a reconnect).
    public var capabilities: DeviceCapabilities? { shared.published.withLock { $0.capabilities } }

    /// The newest Status the device sent.
    public var latestStatus: Status? { shared.published.withLock { $0.latestStatus } }

    /// Counters over the whole session, reconnects included.
    public var statistics: SessionStatistics { shared.published.withLock { $0.statistics } }

    /// CPU time the owner thread has used so far (its CLOCK_THREAD_CPUTIME_ID, read by the
    /// thread itself every turn), for tests that prove it does not spin.
    package var ownerCPUTime: Duration { shared.published.withLock { $0.ownerCPUTime } }

    /// Hears every event on the owner thread, from now on. Returns a token for
    /// ``removeObserver(_:)``.
    @discardableResult
    public func addObserver(_ observer: @escaping Observer) -> Int {
        shared.observers.withLock { observers in
            observers.nextToken += 1
            observers.handlers.append((observers.nextToken, observer))
            return observers.nextToken
        }
    }

    public func removeObserver(_ token: Int) {
        shared.observers.withLock { $0.handlers.removeAll { $0.token == token } }
    }

    /// Sends `levels` as soon as the device's rate allows; newer outputs replace older ones
    /// not yet sent. Never blocks on the device. Throws when the session is not connected
    /// or the levels do not fit the device.
    public func setOutputs(_ levels: OutputLevels) throws(SessionError) {
        let (closed, phase, capabilities) = shared.published.withLock { ($0.closed, $0.phase, $0.capabilities) }
        if closed { throw .closed }
        guard phase == .ready else {
            if case .ended(let error) = phase { throw error }
            throw .notConnected
        }
        if let capabilities, levels.intensities.count != capabilities.actuatorCount {
            throw .invalidOutputs("\(levels.intensities.count) intensities for a device with \(capabilities.actuatorCount) actuators")
        }
        guard levels.intensities.allSatisfy({ $0 <= 1000 }) else {
            throw .invalidOutputs("an intensity is above 1000 per mille")
        }
        if !shared.post(.outputs(levels)) { throw .closed }
    }

    /// The scheduler's hand-off: never blocks, never does I/O, allocates nothing. The
    /// newest levels wait in a latest-value-wins mailbox; the owner is woken only when it
    /// is waiting for them (it takes them itself at the device's next SetOutputs slot).
    public func offer(_ levels: OutputLevels) {
        shared.mailbox.offer(levels)
        if shared.wantsOffer.exchange(false, ordering: .acquiringAndReleasing) {
            shared.wakeOwner()
        }
    }

    /// Offers sent as SetOutputs, and offers replaced by newer ones before they went out
    /// (in the mailbox or in the engine).
    public var deliveryCounts: OutputDeliveryCounts? {
        let handedOver = shared.mailbox.deliveryCounts ?? OutputDeliveryCounts(sent: 0, coalesced: 0)
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
    /// sent, the scheduler's included) and waits for the Ack at most `bound`. Safe from any
    /// thread; never waits behind I/O.
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
    /// `stopBound`), then closes the transport and joins the owner thread.
    @discardableResult
    public func close(stopBound: Duration = .milliseconds(500)) -> StopOutcome? {
        let connected = shared.published.withLock { !$0.closed && $0.phase == .ready }
        let outcome = connected ? stop(within: stopBound) : nil
        _ = shared.post(.close(stopFirst: false))
        shared.join()
        return outcome
    }

    deinit {
        // Nobody holds the session any more: stop the device without waiting for its Ack,
        // then end the owner thread and wait for it (unless this is that thread, which
        // can happen when a completion handler held the last reference).
        _ = shared.post(.close(stopFirst: true))
        shared.join()
    }

    // MARK: - Start and commands

    func start(ready: @escaping @Sendable (Result<DeviceCapabilities, SessionError>) -> Void) {
        let loop = SessionLoop(shared: shared, ready: ready)
        shared.started.store(true, ordering: .releasing)
        // The thread holds the loop and what it shares with the session, never the
        // session itself: dropping the session runs deinit, which ends the thread.
        let body = ThreadBody {
            Thread.current.name = "massage session"   // as `top -H` and gdb show it
            loop.run()
        }
        switch PosixRealtime.startThread(fifoPriority: nil, stackBytes: 512 * 1024, body: body) {
        case .success(let thread):
            PosixRealtime.detach(thread)   // joined through `finished`, which it signals last
        case .failure(let failure):
            shared.started.store(false, ordering: .releasing)
            ready(.failure(.transport(.io(endpoint: "session thread", operation: "pthread_create",
                                          detail: Errno(failure.code).description))))
        }
    }

    func submit(_ command: SessionCommand, completion: @escaping @Sendable (Result<CommandAnswer, SessionError>) -> Void) {
        if !shared.post(.submit(command, completion)) { completion(.failure(.closed)) }
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
}

// MARK: - What the session and its owner thread share

extension DeviceSession {
    typealias Completion = @Sendable (Result<CommandAnswer, SessionError>) -> Void

    /// A request from another thread to the owner, handled in the order posted.
    enum Command: Sendable {
        case outputs(OutputLevels)
        case submit(SessionCommand, Completion)
        /// End the session; with `stopFirst`, send Stop (without waiting for its Ack).
        case close(stopFirst: Bool)
    }

    struct Inbox {
        var commands: [Command] = []
        /// The transport the owner is using, so a poster can wake its receive.
        var transport: (any Transport)?
        /// A close was posted: later posts are refused.
        var closing = false
        var finished = false
    }

    /// What the owner thread publishes for readers on other threads.
    struct Published {
        var capabilities: DeviceCapabilities?
        var latestStatus: Status?
        var statistics = SessionStatistics()
        var phase: SessionEngine.Phase = .idle
        var closed = false
        var ownerCPUTime: Duration = .zero
    }

    struct Observers {
        var nextToken = 0
        var handlers: [(token: Int, handler: Observer)] = []
    }

    struct Streams: Sendable {
        let status: AsyncStream<Status>.Continuation
        let mat: AsyncStream<MatReport>.Continuation
        let faults: AsyncStream<FaultReport>.Continuation
        let refusals: AsyncStream<NakReason>.Continuation
        let connection: AsyncStream<ConnectionEvent>.Continuation

        func finish() {
            status.finish()
            mat.finish()
            faults.finish()
            refusals.finish()
            connection.finish()
        }
    }

    final class Shared: Sendable {
        let options: Options
        let open: Opener
        let streams: Streams
        /// Where the scheduler's real-time thread leaves its levels; the owner takes the
        /// newest when it can send them.
        let mailbox = OutputMailbox()
        /// True while the owner waits and would send an offer at once: the next offer
        /// clears it and wakes the owner.
        let wantsOffer = Atomic<Bool>(false)
        /// Held only to move commands in and out: never around I/O.
        let inbox = ConditionLock(Inbox())
        let published = Mutex(Published())
        let observers = Mutex(Observers())
        /// The owner thread, once it runs (to tell whether deinit runs on it).
        let ownerThread = Mutex<pthread_t?>(nil)
        /// Set when the owner thread is started (a session never started has none to join).
        let started = Atomic<Bool>(false)
        /// Signalled when the owner thread has finished.
        let finished = DispatchSemaphore(value: 0)
        /// When the session began, monotonic µs (the origin of the scaled clock).
        let origin = Syscalls.monotonicMicroseconds()

        init(options: Options, open: @escaping Opener, streams: Streams) {
            self.options = options
            self.open = open
            self.streams = streams
        }

        /// Queues `command` for the owner and wakes it; false when the session is closing
        /// (the command was not queued).
        func post(_ command: Command) -> Bool {
            let isClose: Bool
            if case .close = command { isClose = true } else { isClose = false }
            let outcome: (queued: Bool, transport: (any Transport)?) = inbox.withLock(signal: true) { inbox in
                if inbox.closing || inbox.finished { return (false, nil) }
                if isClose { inbox.closing = true }
                inbox.commands.append(command)
                return (true, inbox.transport)
            }
            if isClose && outcome.queued { published.withLock { $0.closed = true } }
            outcome.transport?.wakeReceive()
            return outcome.queued
        }

        /// Wakes the owner without a command (a new offer).
        func wakeOwner() {
            let transport = inbox.withLock(signal: true) { $0.transport }
            transport?.wakeReceive()
        }

        /// Waits for the owner thread to finish, unless called on it.
        func join() {
            guard started.load(ordering: .acquiring) else { return }
            if let owner = ownerThread.withLock({ $0 }), pthread_equal(owner, pthread_self()) != 0 { return }
            finished.wait()
            finished.signal()
        }

        /// The engine's clock: monotonic µs, scaled by `speed` from when the session began.
        func deviceNow() -> UInt64 {
            let now = Syscalls.monotonicMicroseconds()
            if options.speed == 1 { return now }
            return origin &+ UInt64(Double(now &- origin) * options.speed)
        }
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
