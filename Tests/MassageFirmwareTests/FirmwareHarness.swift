import MassageFirmware
import MassageWire

/// Drives a `FirmwareCore` on a virtual clock at a 1 kHz tick with scripted sensors, and
/// decodes everything it sends.
struct FirmwareHarness {
    var core: FirmwareCore
    var now: UInt64 = 0
    var tick: UInt64 = 1000
    /// When true, the host sends a Heartbeat every 100 ms (a live host that is not
    /// changing anything); tests of the watchdog turn it off.
    var hostAlive = true
    var nextHeartbeat: UInt64 = 100_000
    var sensors = SensorReadings()
    /// Decoded frames the device sent, with the time they were taken out.
    var sent: [(time: UInt64, frame: Frame)] = []
    var hostDecoder = FrameDecoder()
    var sequence: UInt8 = 0
    /// The temperature the sensor reads (0.1 °C), sampled every `samplePeriod`; nil = silent.
    var reading: Int16? = 250
    var samplePeriod: UInt64 = 100_000
    var nextSample: UInt64 = 0
    /// When true, motor speeds follow the drive (a healthy motor).
    var motorsTurn = true
    var lastOutputs = DriveOutputs()

    init(profile: DeviceProfile = .testHandheld) {
        core = FirmwareCore(profile: profile)
    }

    /// Sends `message` with the next sequence number (or `sequence`); returns the seq used.
    @discardableResult
    mutating func send(_ message: Message, sequence: UInt8? = nil, version: UInt8 = WireLimits.protocolVersion) -> UInt8 {
        let seq = sequence ?? nextSequence()
        sendRaw(Array(Frame(version: version, sequence: seq, message: message).encoded()))
        return seq
    }

    mutating func nextSequence() -> UInt8 {
        defer { sequence &+= 1 }
        return sequence
    }

    mutating func sendRaw(_ bytes: [UInt8]) {
        for byte in bytes { core.receive(byte, now: now) }
        drain()
    }

    /// One tick.
    mutating func step() {
        now += tick
        sensors.temperature = nil
        if let reading, now >= nextSample {
            sensors.temperature = reading
            nextSample = now + samplePeriod
        }
        if motorsTurn {
            for i in 0..<16 { sensors.motorSpeeds[i] = lastOutputs.motorDuties[i] }
        }
        lastOutputs = core.step(now: now, sensors: sensors)
        drain()
        if hostAlive && now >= nextHeartbeat {
            send(.heartbeat)
            nextHeartbeat = now + 100_000
        }
    }

    /// Ticks until `time` (µs), or until `stop` says so; returns whether `stop` fired.
    @discardableResult
    mutating func run(until time: UInt64, stopWhen stop: (FirmwareCore) -> Bool = { _ in false }) -> Bool {
        while now < time {
            step()
            if stop(core) { return true }
        }
        return false
    }

    mutating func drain() {
        while let wire = core.nextOutgoingFrame() {
            let time = now
            var frames: [Frame] = []
            hostDecoder.feed(wire) { event in
                if case .frame(let frame) = event { frames.append(frame) }
            }
            for frame in frames { sent.append((time, frame)) }
        }
    }

    /// Messages sent so far (and forgets them).
    @discardableResult
    mutating func takeSent() -> [Frame] {
        defer { sent.removeAll() }
        return sent.map(\.frame)
    }

    /// Hello, answered; the sent list is cleared.
    mutating func startSession() {
        step()
        send(.hello(Hello()))
        step()
        sent.removeAll()
    }

    mutating func setOutputs(_ intensities: [UInt16], heater: UInt16 = 0, lease: UInt16 = 500) {
        send(.setOutputs(SetOutputs(leaseMilliseconds: lease, heaterSetpoint: heater,
                                    intensities: Intensities(intensities) ?? Intensities())))
    }
}

extension DeviceProfile {
    /// A 4-motor ring with a heater and a 64-zone mat: every rule has something to act on.
    static var testHandheld: DeviceProfile {
        var actuators = InlineArray<16, ActuatorInfo>(repeating: ActuatorInfo(placement: .ring, acceleration: 0, spinUpMilliseconds: 0))
        for i in 0..<4 {
            actuators[i] = ActuatorInfo(placement: .ring, angle: UInt16(i * 9000), acceleration: 1000, spinUpMilliseconds: 60)
        }
        return DeviceProfile(
            firmwareVersion: (1, 0, 0),
            identity: DeviceIdentity(vendor: ShortText(text: "Test") ?? ShortText(),
                                     model: ShortText(text: "Ring4") ?? ShortText(),
                                     serial: ShortText(text: "T0001") ?? ShortText()),
            layout: .ring, actuatorCount: 4, actuators: actuators, hasHeater: true,
            heaterCapLimit: 430, matZoneCount: 64
        )
    }
}

extension Frame {
    var nakReason: NakReason? {
        if case .nak(let nak) = message { return nak.reason }
        return nil
    }
    var fault: FaultReport? {
        if case .fault(let report) = message { return report }
        return nil
    }
}
