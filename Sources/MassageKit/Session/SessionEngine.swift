import MassageWire

/// The host side of the protocol as a state machine with no I/O and no clock of its own:
/// bytes and the time go in, bytes to send and events come out. ``DeviceSession`` drives
/// it from a thread over a real ``Transport``; tests and the simulator drive it in
/// lockstep with a simulated device on a virtual clock. Times are µs on any monotonic
/// clock.
///
/// What it does (PROTOCOL.md 4–6):
/// - Handshake: Hello with the host's version range (header version 1, as every Hello),
///   Info (Device) with the chosen version, then Info (Identity), Info (Actuator) for each
///   actuator, GetStatus (the latched faults, which Hello does not clear) and, when a
///   fault is latched, Info section 3 (what latched first and when, perhaps left by an
///   earlier host) → ``SessionEvent/ready(_:)``.
/// - Answers and reports differ by type: GetStatus is answered by Status (0x82) with its
///   `seq`; the periodic StatusReport (0x88) feeds ``SessionEvent/status(_:)``. A Status
///   that answers nothing pending (a retry's echo) is counted and ignored.
/// - Commands (Stop, SetConfig, GetConfig, ClearFault, GetStatus) one at a time in
///   order, each retried with the same `seq` after 25, 50, 100, 200 ms (4 tries), answers
///   matched by type and `seq`; a late or repeated answer is counted and ignored, so no
///   command completes twice. Stop jumps the queue.
/// - Outputs latest-value-wins: ``setOutputs(_:)`` replaces whatever was not sent yet;
///   they go out as soon as the device's highest SetOutputs rate allows, never queued.
/// - Refresh whenever nothing was sent for `heartbeatInterval` (default 50 ms: 20 Hz,
///   twice the 10 Hz the device needs), so the watchdog stays fed: the newest outputs
///   again while their lease (counted from when the caller set them) still runs, with
///   what is left of it, else a Heartbeat. A SetOutputs lost on the link is thus
///   repaired within 50 ms (the device holds, never drops, one that comes too soon), and
///   outputs the caller stops
///   refreshing still lapse on time.
/// - Link loss: nothing received for `linkLossTimeout` (1 s) ends the session. A quiet
///   device (status reports off) is asked GetStatus every `probeInterval`, so silence
///   means the link, not the configuration.
public struct SessionEngine: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var minVersion: UInt8 = WireLimits.protocolVersion
        public var maxVersion: UInt8 = WireLimits.protocolVersion
        public var heartbeatInterval: UInt64 = 50_000
        public var firstRetryTimeout: UInt64 = 25_000
        public var maximumTries = 4
        public var linkLossTimeout: UInt64 = 1_000_000
        public var probeInterval: UInt64 = 250_000
        /// The lease every SetOutputs carries, ms (the device caps it at its `max_lease_ms`).
        public var outputLeaseMilliseconds: UInt16 = 500
        /// When set (a reconnect), a device with another serial number ends the session.
        public var expectedSerial: String? = nil

        public init() {}
    }

    public enum Phase: Sendable, Equatable {
        case idle
        case handshaking
        case ready
        case ended(SessionError)
    }

    public let configuration: Configuration
    public private(set) var phase: Phase = .idle
    public private(set) var capabilities: DeviceCapabilities?
    public private(set) var statistics = SessionStatistics()
    /// The newest Status or StatusReport the device sent.
    public private(set) var latestStatus: Status?

    enum Purpose: Sendable {
        case hello
        case info(InfoSection, index: UInt8)
        case command(RequestID, SessionCommand)
        case probe
        /// The handshake's last steps: the latched faults, then the fault record.
        case handshakeStatus
    }

    struct Request: Sendable {
        var purpose: Purpose
        var message: Message
        var sequence: UInt8? = nil
        var tries = 0
        var deadline: UInt64 = 0
    }

    var requests: [Request] = []
    var nextSequence: UInt8 = 0
    var nextRequestNumber: UInt64 = 1
    var version: UInt8 = WireLimits.protocolVersion
    var pendingOutputs: OutputLevels? = nil
    var pendingSetAt: UInt64 = 0
    /// The outputs last sent and when the caller set them (their lease runs from then).
    var currentOutputs: (levels: OutputLevels, setAt: UInt64)? = nil
    var lastOutputsSentAt: UInt64? = nil
    var lastSentAt: UInt64 = 0
    var lastReceivedAt: UInt64 = 0
    var decoder = FrameDecoder()
    var pendingDevice: DeviceInfo? = nil
    var pendingIdentity: DeviceIdentity? = nil
    var pendingActuators: [ActuatorInfo] = []
    var pendingStatus: Status? = nil
    /// The sequence number of the last unsolicited frame (StatusReport, MatReport,
    /// Fault), to count the ones lost from the gaps (PROTOCOL.md 2.1).
    var lastUnsolicitedSequence: UInt8? = nil
    var outgoing: [UInt8] = []
    var events: [SessionEvent] = []
    var eventHead = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        outgoing.reserveCapacity(256)
    }

    // MARK: - Inputs

    /// Starts the handshake at `now`.
    public mutating func start(now: UInt64) {
        guard phase == .idle else { return }
        phase = .handshaking
        lastReceivedAt = now
        lastSentAt = now
        requests.insert(Request(purpose: .hello, message: .hello(Hello(minVersion: configuration.minVersion,
                                                                        maxVersion: configuration.maxVersion))),
                        at: 0)
        advance(now: now)
    }

    /// Bytes from the transport, received at `now`.
    public mutating func receive<Bytes: Sequence<UInt8>>(_ bytes: Bytes, now: UInt64) {
        var frames: [Frame] = []
        decoder.feed(bytes) { event in
            switch event {
            case .frame(let frame): frames.append(frame)
            case .error: break
            }
        }
        statistics.framesBad = decoder.framesBad
        for frame in frames {
            statistics.framesReceived += 1
            lastReceivedAt = max(lastReceivedAt, now)
            handle(frame, now: now)
        }
        advance(now: now)
    }

    /// The outputs to drive from now on. Latest value wins: outputs not sent yet are
    /// replaced, never queued. Throws when they do not fit the device.
    public mutating func setOutputs(_ levels: OutputLevels, now: UInt64) throws(SessionError) {
        if let capabilities {
            guard levels.intensities.count == capabilities.actuatorCount else {
                throw .invalidOutputs("\(levels.intensities.count) intensities for a device with \(capabilities.actuatorCount) actuators")
            }
        }
        guard levels.intensities.allSatisfy({ $0 <= 1000 }) else {
            throw .invalidOutputs("an intensity is above 1000 per mille")
        }
        if case .ended(let error) = phase { throw error }
        if pendingOutputs != nil { statistics.outputsCoalesced += 1 }
        pendingOutputs = levels
        pendingSetAt = now
        advance(now: now)
    }

    /// Queues a command; its answer comes as ``SessionEvent/completed(_:_:)``. Stop goes
    /// ahead of every other command and drops outputs not sent yet.
    @discardableResult
    public mutating func submit(_ command: SessionCommand, now: UInt64) -> RequestID {
        let id = RequestID(rawValue: nextRequestNumber)
        nextRequestNumber += 1
        if case .ended(let error) = phase {
            events.append(.completed(id, .failure(error)))
            return id
        }
        let request = Request(purpose: .command(id, command), message: command.message)
        if command == .stop {
            if pendingOutputs != nil { statistics.outputsCoalesced += 1 }
            pendingOutputs = nil
            currentOutputs = nil
            // Behind a request already on the wire (its seq must finish), ahead of the rest.
            let slot = requests.first?.sequence != nil ? 1 : 0
            requests.insert(request, at: min(slot, requests.count))
        } else {
            requests.append(request)
        }
        advance(now: now)
        return id
    }

    /// The transport failed for good: the session ends with that error.
    public mutating func transportFailed(_ error: TransportError) {
        end(.transport(error))
    }

    /// Ends the session (closing it): pending commands fail with `.closed`.
    public mutating func close() {
        end(.closed)
    }

    /// The host itself was frozen for `microseconds` (stopped by SIGSTOP or Ctrl-Z, or
    /// starved of CPU): the device's silence in that time says nothing about the link, so
    /// the link-loss clock does not count it. What the device sent meanwhile is still to
    /// be read.
    public mutating func excuseSilence(microseconds: UInt64, now: UInt64) {
        lastReceivedAt = min(lastReceivedAt &+ microseconds, now)
    }

    // MARK: - Outputs

    /// Runs the timers (retries, outputs, heartbeat, link loss) up to `now`.
    public mutating func advance(now: UInt64) {
        switch phase {
        case .idle, .ended: return
        case .handshaking, .ready: break
        }
        if now >= lastReceivedAt + configuration.linkLossTimeout {
            end(.linkLost(milliseconds: Int((now - lastReceivedAt) / 1000)))
            return
        }
        serviceRequests(now: now)
        guard phase == .ready, let capabilities else { return }
        let rateAllows = lastOutputsSentAt.map { now >= $0 + capabilities.minimumOutputInterval } ?? true
        if let levels = pendingOutputs, rateAllows {
            pendingOutputs = nil
            currentOutputs = (levels, pendingSetAt)
            statistics.outputsSent += 1
            sendOutputs(levels, leaseMilliseconds: leaseMilliseconds(for: capabilities), now: now)
        }
        if requests.isEmpty && now >= lastReceivedAt + configuration.probeInterval {
            requests.append(Request(purpose: .probe, message: .getStatus))
            serviceRequests(now: now)
        }
        if now >= lastSentAt + configuration.heartbeatInterval {
            let lease = UInt64(leaseMilliseconds(for: capabilities)) * 1000
            if let current = currentOutputs, now + 1000 < current.setAt + lease, rateAllows {
                statistics.outputsResent += 1
                sendOutputs(current.levels, leaseMilliseconds: UInt16((current.setAt + lease - now) / 1000), now: now)
            } else {
                statistics.heartbeatsSent += 1
                send(.heartbeat, now: now)
            }
        }
    }

    /// The latest time `advance(now:)` must be called by for the timers to run on time.
    public func nextDeadline(after now: UInt64) -> UInt64 {
        switch phase {
        case .idle, .ended: return now + 1_000_000
        case .handshaking, .ready: break
        }
        var deadline = lastReceivedAt + configuration.linkLossTimeout
        if let head = requests.first, head.sequence != nil { deadline = min(deadline, head.deadline) }
        if phase == .ready {
            deadline = min(deadline, lastSentAt + configuration.heartbeatInterval)
            if requests.isEmpty { deadline = min(deadline, lastReceivedAt + configuration.probeInterval) }
            if pendingOutputs != nil, let capabilities, let last = lastOutputsSentAt {
                deadline = min(deadline, last + capabilities.minimumOutputInterval)
            }
        }
        return max(deadline, now)
    }

    /// Moves the bytes to send into `buffer` (appending) and forgets them.
    public mutating func takeOutgoing(into buffer: inout [UInt8]) {
        buffer.append(contentsOf: outgoing)
        outgoing.removeAll(keepingCapacity: true)
    }

    /// The bytes to send, taken.
    public mutating func takeOutgoing() -> [UInt8] {
        var bytes: [UInt8] = []
        takeOutgoing(into: &bytes)
        return bytes
    }

    /// The oldest event not handed out yet.
    public mutating func nextEvent() -> SessionEvent? {
        guard eventHead < events.count else {
            if !events.isEmpty { events.removeAll(keepingCapacity: true); eventHead = 0 }
            return nil
        }
        defer { eventHead += 1 }
        return events[eventHead]
    }

    // MARK: - Internals

    mutating func send(_ message: Message, sequence: UInt8? = nil, now: UInt64) {
        let seq: UInt8
        if let sequence {
            seq = sequence
        } else {
            seq = nextSequence
            nextSequence &+= 1
        }
        let frameVersion = message.type == .hello ? WireLimits.negotiationVersion : version
        let frame = Frame(version: frameVersion, sequence: seq, message: message).encoded()
        outgoing.append(contentsOf: frame)
        statistics.framesSent += 1
        lastSentAt = now
    }

    /// The lease every SetOutputs carries: the configured one, never above what the
    /// device declares it accepts (`max_lease_ms`; a longer one would be refused).
    func leaseMilliseconds(for capabilities: DeviceCapabilities) -> UInt16 {
        let declared = capabilities.device.maxLeaseMilliseconds
        return declared == 0 ? configuration.outputLeaseMilliseconds : min(configuration.outputLeaseMilliseconds, declared)
    }

    mutating func sendOutputs(_ levels: OutputLevels, leaseMilliseconds: UInt16, now: UInt64) {
        lastOutputsSentAt = now
        send(.setOutputs(SetOutputs(leaseMilliseconds: max(1, leaseMilliseconds), heaterSetpoint: levels.heaterSetpoint,
                                    intensities: levels.intensities)), now: now)
    }

    mutating func serviceRequests(now: UInt64) {
        guard var head = requests.first else { return }
        if head.sequence != nil && now < head.deadline { return }
        if head.tries >= configuration.maximumTries {
            requests.removeFirst()
            fail(head.purpose, with: .notAnswering(command: Self.name(of: head.message), tries: head.tries))
            if case .ended = phase { return }
            serviceRequests(now: now)
            return
        }
        let timeout = configuration.firstRetryTimeout << UInt64(min(head.tries, 16))
        if head.sequence == nil {
            head.sequence = nextSequence
            nextSequence &+= 1
        } else {
            statistics.retries += 1
        }
        head.tries += 1
        head.deadline = now + timeout
        requests[0] = head
        send(head.message, sequence: head.sequence, now: now)
    }

    mutating func fail(_ purpose: Purpose, with error: SessionError) {
        switch purpose {
        case .command(let id, _): events.append(.completed(id, .failure(error)))
        case .probe: break   // silence is link loss's to judge
        case .hello, .info, .handshakeStatus: end(error)
        }
    }

    mutating func end(_ error: SessionError) {
        if case .ended = phase { return }
        phase = .ended(error)
        pendingOutputs = nil
        currentOutputs = nil
        let pending = requests
        requests.removeAll()
        for request in pending {
            if case .command(let id, _) = request.purpose { events.append(.completed(id, .failure(error))) }
        }
        events.append(.ended(error))
    }

    /// The head request, if `frame` answers it.
    mutating func takeAnswered(by frame: Frame, type: MessageType) -> Request? {
        guard let head = requests.first, let sequence = head.sequence,
              frame.sequence == sequence, head.message.type == type else { return nil }
        requests.removeFirst()
        return head
    }

    mutating func handle(_ frame: Frame, now: UInt64) {
        if frame.message.type.isUnsolicited { countUnsolicited(frame.sequence) }
        switch frame.message {
        case .status(let status):
            // Only ever an answer: to the GetStatus pending with this seq, else a late
            // or repeated one, which says nothing new.
            guard let request = takeAnswered(by: frame, type: .getStatus) else {
                statistics.duplicateAnswers += 1
                return
            }
            latestStatus = status
            switch request.purpose {
            case .command(let id, _): events.append(.completed(id, .success(.status(status))))
            case .handshakeStatus: handshakeStatus(status)
            default: break
            }
            if phase == .ready { events.append(.status(status)) }
        case .statusReport(let status):
            latestStatus = status
            if phase == .ready { events.append(.status(status)) }
        case .matReport(let report):
            if phase == .ready { events.append(.mat(report)) }
        case .fault(let report):
            events.append(.fault(report))
        case .ack(let ackedType):
            guard let type = MessageType(rawValue: ackedType), let request = takeAnswered(by: frame, type: type) else {
                statistics.duplicateAnswers += 1
                return
            }
            if case .command(let id, _) = request.purpose { events.append(.completed(id, .success(.acknowledged))) }
        case .config(let entry):
            guard let request = takeAnswered(by: frame, type: .getConfig) else {
                statistics.duplicateAnswers += 1
                return
            }
            if case .command(let id, _) = request.purpose { events.append(.completed(id, .success(.config(entry)))) }
        case .nak(let nak):
            handleNak(nak, frame: frame)
        case .info(let info):
            handleInfo(info, frame: frame)
        default:
            break   // host → device types coming back: ignore (PROTOCOL.md 4)
        }
    }

    mutating func handleNak(_ nak: Nak, frame: Frame) {
        if nak.rejectedType == MessageType.setOutputs.rawValue {
            currentOutputs = nil   // not refreshed until the caller sets outputs again
            events.append(.outputsRefused(nak.reason))
            return
        }
        guard let type = MessageType(rawValue: nak.rejectedType), let request = takeAnswered(by: frame, type: type) else {
            statistics.duplicateAnswers += 1
            return
        }
        switch request.purpose {
        case .hello where nak.reason == .unsupportedVersion:
            end(.unsupportedVersion(hostMin: configuration.minVersion, hostMax: configuration.maxVersion, device: nil))
        case .info(.faultRecord, _):
            finishHandshake(faultRecord: nil)   // a device without the record: carry on
        case .hello, .info, .handshakeStatus:
            end(.refused(command: Self.name(of: request.message), reason: nak.reason))
        case .command(let id, let command):
            events.append(.completed(id, .failure(.refused(command: command.description, reason: nak.reason))))
        case .probe:
            break
        }
    }

    mutating func handleInfo(_ info: Info, frame: Frame) {
        guard let headType = requests.first?.message.type, headType == .hello || headType == .getInfo,
              let request = takeAnswered(by: frame, type: headType)
        else {
            statistics.duplicateAnswers += 1
            return
        }
        switch (request.purpose, info) {
        case (.hello, .device(let device)):
            guard (configuration.minVersion...configuration.maxVersion).contains(device.protocolVersion) else {
                end(.unsupportedVersion(hostMin: configuration.minVersion, hostMax: configuration.maxVersion,
                                        device: device.protocolVersion))
                return
            }
            version = device.protocolVersion
            pendingDevice = device
            requests.insert(Request(purpose: .info(.identity, index: 0),
                                    message: .getInfo(InfoRequest(section: .identity))), at: 0)
        case (.info(.identity, _), .identity(let identity)):
            if let expected = configuration.expectedSerial, expected != identity.serial.text {
                end(.wrongDevice(expectedSerial: expected, foundSerial: identity.serial.text))
                return
            }
            pendingIdentity = identity
            requestActuator(0)
        case (.info(.actuator, let wanted), .actuator(let index, let actuator)) where index == wanted:
            pendingActuators.append(actuator)
            requestActuator(Int(index) + 1)
        case (.info(.faultRecord, _), .faultRecord(let record)):
            finishHandshake(faultRecord: record)
        default:
            end(.protocolViolation("\(Self.name(of: request.message)) was answered with Info section \(info.section.rawValue)"))
        }
    }

    mutating func requestActuator(_ index: Int) {
        guard let device = pendingDevice, pendingIdentity != nil else { return }
        if index < Int(device.actuatorCount) {
            requests.insert(Request(purpose: .info(.actuator, index: UInt8(index)),
                                    message: .getInfo(InfoRequest(section: .actuator, index: UInt8(index)))), at: 0)
            return
        }
        requests.insert(Request(purpose: .handshakeStatus, message: .getStatus), at: 0)
    }

    /// The handshake's GetStatus answered: ask for the fault record if a fault is latched.
    mutating func handshakeStatus(_ status: Status) {
        pendingStatus = status
        if status.faults.isEmpty {
            finishHandshake(faultRecord: nil)
        } else {
            requests.insert(Request(purpose: .info(.faultRecord, index: 0),
                                    message: .getInfo(InfoRequest(section: .faultRecord))), at: 0)
        }
    }

    mutating func finishHandshake(faultRecord: FaultRecord?) {
        guard let device = pendingDevice, let identity = pendingIdentity else { return }
        let capabilities = DeviceCapabilities(device: device, identity: identity, actuators: pendingActuators,
                                              statusAtHandshake: pendingStatus, faultRecord: faultRecord)
        self.capabilities = capabilities
        phase = .ready
        events.append(.ready(capabilities))
        if let levels = pendingOutputs, levels.intensities.count != capabilities.actuatorCount {
            pendingOutputs = nil
        }
    }

    /// Counts the unsolicited frames lost, from the gaps in their counter after the first.
    mutating func countUnsolicited(_ sequence: UInt8) {
        if let last = lastUnsolicitedSequence {
            let gap = sequence &- last &- 1
            // A gap of more than half the counter is a reordering or a device restart,
            // not 200 frames lost.
            if gap < 128 { statistics.unsolicitedLost += Int(gap) }
        }
        lastUnsolicitedSequence = sequence
    }

    static func name(of message: Message) -> String {
        switch message {
        case .getInfo(let request): "GetInfo(section \(request.section.rawValue), index \(request.index))"
        default: message.type.description
        }
    }
}
