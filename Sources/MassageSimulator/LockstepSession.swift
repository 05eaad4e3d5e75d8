import MassageKit
import MassageWire

/// A host ``SessionEngine`` and a ``SimulatedDevice`` stepped together on one virtual
/// clock, 1 ms at a time: the whole host–device conversation, faults included, as fast as
/// the CPU allows and the same on every run. Tests use it to check the session against
/// the real firmware core; a program runs end to end on it in a fraction of real time.
public struct LockstepSession: Sendable {
    public var engine: SessionEngine
    public private(set) var device: SimulatedDevice
    /// Virtual time, µs.
    public private(set) var now: UInt64 = 0
    /// Every event the engine produced, in order, since the last ``takeEvents()``.
    public private(set) var events: [SessionEvent] = []
    /// Every frame the host put on the wire, in order (for checks), when `recordsSentFrames`.
    public private(set) var sentFrames: [Frame] = []
    public var recordsSentFrames = false
    var sentDecoder = FrameDecoder()
    var bytes: [UInt8] = []

    public init(device: SimulatedDevice, configuration: SessionEngine.Configuration = SessionEngine.Configuration()) {
        self.device = device
        engine = SessionEngine(configuration: configuration)
        now = device.now
        bytes.reserveCapacity(4096)
    }

    /// Starts the handshake and runs until it ends one way or the other (at most `limit` µs).
    public mutating func connect(limit: UInt64 = 3_000_000) -> Result<DeviceCapabilities, SessionError> {
        engine.start(now: now)
        let deadline = now + limit
        while now < deadline {
            step()
            switch engine.phase {
            case .ready:
                if let capabilities = engine.capabilities { return .success(capabilities) }
            case .ended(let error):
                return .failure(error)
            case .idle, .handshaking:
                continue
            }
        }
        return .failure(.notAnswering(command: "Hello", tries: engine.configuration.maximumTries))
    }

    /// Runs both sides until `time` (µs).
    public mutating func run(until time: UInt64) {
        while now < time { step() }
    }

    /// Runs both sides for `microseconds`.
    public mutating func run(for microseconds: UInt64) {
        run(until: now + microseconds)
    }

    /// One millisecond: the host's timers and sends, the device's tick, the device's
    /// answers back to the host.
    public mutating func step() {
        now += device.tick
        engine.advance(now: now)
        pushHostBytes()
        device.run(until: now)
        bytes.removeAll(keepingCapacity: true)
        device.hostReceive(into: &bytes)
        if !bytes.isEmpty {
            engine.receive(bytes, now: now)
            pushHostBytes()
        }
        while let event = engine.nextEvent() { events.append(event) }
    }

    public mutating func setOutputs(_ levels: OutputLevels) throws(SessionError) {
        try engine.setOutputs(levels, now: now)
        pushHostBytes()
    }

    @discardableResult
    public mutating func submit(_ command: SessionCommand) -> RequestID {
        let id = engine.submit(command, now: now)
        pushHostBytes()
        return id
    }

    /// Runs until `id` completes (at most `limit` µs) and returns its result.
    public mutating func await(_ id: RequestID, limit: UInt64 = 2_000_000) -> Result<CommandAnswer, SessionError>? {
        let deadline = now + limit
        var seen = 0
        while now < deadline {
            for event in events[seen...] {
                if case .completed(id, let result) = event { return result }
            }
            seen = events.count
            step()
        }
        return nil
    }

    /// The events so far, handed out and forgotten.
    public mutating func takeEvents() -> [SessionEvent] {
        defer { events.removeAll() }
        return events
    }

    mutating func pushHostBytes() {
        let outgoing = engine.takeOutgoing()
        guard !outgoing.isEmpty else { return }
        if recordsSentFrames {
            var frames: [Frame] = []
            sentDecoder.feed(outgoing) { event in
                if case .frame(let frame) = event { frames.append(frame) }
            }
            sentFrames.append(contentsOf: frames)
        }
        device.hostSend(outgoing)
    }
}
