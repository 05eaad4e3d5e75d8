import MassageFirmware
import MassageWire

/// A whole simulated device: the reference firmware core (the same code a device maker
/// flashes) around physical models of its motors, heater, temperature sensor and mat,
/// behind a link with injectable faults. Time is whatever the caller says: `run(until:)`
/// steps the device tick by tick to a time, as fast as the CPU allows, so a virtual
/// clock is just a number and a real-time clock is a loop that sleeps between calls.
public struct SimulatedDevice: Sendable {
    public let profile: SimulatorProfile
    public let faults: FaultPlan
    /// The device tick, µs (1000 = 1 kHz).
    public let tick: UInt64
    public private(set) var core: FirmwareCore
    public private(set) var motors: [MotorModel]
    public private(set) var heater: HeaterModel?
    public private(set) var sensor: TemperatureSensor
    public private(set) var mat: MatModel?
    /// Simulated time, µs since the simulation started.
    public private(set) var now: UInt64 = 0
    /// What the core drives the hardware with now.
    public private(set) var outputs = DriveOutputs()
    /// The hottest the heated surface has been, °C.
    public private(set) var maxSurfaceTemperature: Double

    var toDevice: FaultyPipe
    var toHost: FaultyPipe
    var random: SimulationRandom
    var sensors = SensorReadings()
    var received: [UInt8] = []
    var hardwareFaultsApplied = (detached: false, open: false, shorted: false, stuck: false)

    /// A device of `profile`; `seed` fixes every random draw (noise, faults, the body's
    /// times), so the same inputs give the same run. A mat plays `bodyScript`, or when nil
    /// the profile's body scenario (``SimulatorProfile/body``).
    public init(profile: SimulatorProfile, seed: UInt64 = 1, faults: FaultPlan = FaultPlan(),
                tick: UInt64 = 1000, bodyScript: BodyScript? = nil, heaterStartTemperature: Double? = nil) {
        self.profile = profile
        self.faults = faults
        self.tick = max(1, tick)
        core = FirmwareCore(profile: profile.device)
        let device = profile.device
        motors = (0..<device.actuatorCount).map { i in
            MotorModel(spinUpMilliseconds: device.actuators[i].spinUpMilliseconds)
        }
        // A handheld is pressed onto skin: the heater loses heat to it.
        heater = device.hasHeater ? HeaterModel(skinContact: true, surfaceTemperature: heaterStartTemperature) : nil
        sensor = TemperatureSensor(seed: seed &+ 0x5E_45)
        if let shape = profile.matShape {
            mat = MatModel(rows: shape.rows, columns: shape.columns,
                           script: bodyScript ?? profile.bodyScript(deviceSeed: seed), seed: seed &+ 0x3A7)
        }
        maxSurfaceTemperature = heater?.surfaceTemperature ?? 0
        toDevice = FaultyPipe(faults: faults)
        toHost = FaultyPipe(faults: faults)
        random = SimulationRandom(seed: seed)
        received.reserveCapacity(4096)
    }

    // MARK: - The host's side of the link

    /// The host sends `bytes` now; they reach the device through the link's faults.
    public mutating func hostSend<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        toDevice.send(bytes, at: now, random: &random)
    }

    /// Appends to `output` the bytes that have reached the host by now.
    public mutating func hostReceive(into output: inout [UInt8]) {
        toHost.receive(upTo: now, into: &output)
    }

    /// False once an injected disconnect has happened.
    public var isLinkUp: Bool { !toDevice.isDisconnected(at: now) }

    /// Frames the link lost, both ways.
    public var framesLostOnLink: Int { toDevice.framesDropped + toHost.framesDropped }

    // MARK: - Time

    /// Steps the device tick by tick up to `time` (µs).
    public mutating func run(until time: UInt64) {
        while now + tick <= time { step() }
    }

    /// One device tick.
    public mutating func step() {
        now += tick
        applyHardwareFaults()

        // Bytes that arrived since the last tick.
        toDevice.receive(upTo: now, into: &received)
        if !received.isEmpty {
            for byte in received { core.receive(byte, now: now) }
            received.removeAll(keepingCapacity: true)
        }

        // The hardware during the last tick, driven by the outputs it had.
        let microseconds = UInt32(truncatingIfNeeded: tick)
        for i in motors.indices {
            motors[i].step(duty: outputs.motorDuties[i], microseconds: microseconds)
            sensors.motorSpeeds[i] = motors[i].speed
        }
        // (Optional chaining mutates the models in place: no copies per tick.)
        heater?.step(dutyPercent: outputs.heaterDuty, microseconds: microseconds)
        if let surface = heater?.surfaceTemperature, let air = heater?.airTemperature {
            if surface > maxSurfaceTemperature { maxSurfaceTemperature = surface }
            sensors.temperature = sensor.sample(surface: surface, air: air, nowMicroseconds: now)
        }
        mat?.step(nowMicroseconds: now)
        mat?.read(into: &sensors.matPressures)

        outputs = core.step(now: now, sensors: sensors)
        while let frame = core.nextOutgoingFrame() {
            if let lie = faults.reportedTemperature {
                toHost.send(Self.reporting(lie, in: frame), at: now, random: &random)
            } else {
                toHost.send(frame, at: now, random: &random)
            }
        }
    }

    /// `frame` with the temperature of a Status or StatusReport replaced by `tenths` (the
    /// lying firmware of ``FaultPlan/reportedTemperature``); any other frame as it is.
    static func reporting(_ tenths: Int16, in frame: WireFrame) -> WireFrame {
        var decoder = FrameDecoder()
        var rewritten = frame
        decoder.feed(frame) { event in
            guard case .frame(var decoded) = event else { return }
            switch decoded.message {
            case .status(var status):
                status.temperature = tenths
                decoded.message = .status(status)
            case .statusReport(var status):
                status.temperature = tenths
                decoded.message = .statusReport(status)
            default:
                return
            }
            rewritten = decoded.encoded()
        }
        return rewritten
    }

    mutating func applyHardwareFaults() {
        if !hardwareFaultsApplied.detached, let at = faults.sensorDetachedAt, now >= at {
            hardwareFaultsApplied.detached = true
            sensor.fault = .detached
        }
        if !hardwareFaultsApplied.open, let at = faults.sensorOpenAt, now >= at {
            hardwareFaultsApplied.open = true
            sensor.fault = .open
        }
        if !hardwareFaultsApplied.shorted, let at = faults.sensorShortedAt, now >= at {
            hardwareFaultsApplied.shorted = true
            sensor.fault = .shorted
        }
        if !hardwareFaultsApplied.stuck, let stuck = faults.stuckMotor, now >= stuck.time {
            hardwareFaultsApplied.stuck = true
            if motors.indices.contains(stuck.motor) { motors[stuck.motor].isStuck = true }
        }
    }
}
