import MassageWire

/// The reference device core: everything a massager's firmware does, as a step function
/// of (now in µs, bytes in, sensor readings) → (bytes out, motor duties, heater duty).
///
/// It answers every message of PROTOCOL.md, reports Info from its `DeviceProfile`, sends
/// Status and MatReport at their configured periods, runs the heater's control loop, and
/// enforces every device-side rule of DESIGN.md's safety table. No allocation after
/// `init`, no existentials, no Foundation: the same code is flashed onto a
/// microcontroller (Embedded Swift) and runs inside the simulator on the host.
///
/// Use: feed received bytes with `receive`, call `step` on every device tick, and send
/// whatever `nextOutgoingFrame()` hands out.
public struct FirmwareCore: Sendable {
    public let profile: DeviceProfile
    public internal(set) var config: FirmwareConfig

    // MARK: Link and session
    var decoder = FrameDecoder()
    var outbox = FrameOutbox()
    /// A Hello was answered: SetOutputs accepted, periodic reports sent.
    public internal(set) var sessionActive = false
    var lastValidFrameTime: UInt64 = 0
    /// The device's own counter for unsolicited frames (periodic Status, MatReport, Fault).
    var unsolicitedSequence: UInt8 = 0
    /// The last acknowledged command, for retries (PROTOCOL.md 5).
    var lastCommand: (type: UInt8, sequence: UInt8, time: UInt64)? = nil
    var lastAnswer = WireFrame()
    /// When the last SetOutputs was applied (the rate limit's clock, PROTOCOL.md 6.2).
    var lastAppliedTime: UInt64? = nil
    /// A SetOutputs that came sooner than the rate allows, validated and waiting to be
    /// applied at the first tick the rate allows; a newer one replaces it.
    var heldOutputs: SetOutputs? = nil
    var framesSuperseded: UInt16 = 0

    // MARK: Outputs
    var motors: MotorDrive
    /// The heater target in force (clamped to the cap; 0 = off), 0.1 °C.
    public internal(set) var heaterTarget: UInt16 = 0
    var heaterDuty: UInt8 = 0
    var leaseExpiry: UInt64? = nil

    // MARK: Safety state
    public internal(set) var faults = FaultSet()
    /// The first fault latched since the last clear (Info section 3): its code
    /// (`FaultRecord.noFault` when none), detail and uptime.
    var firstFaultCode: UInt8 = FaultRecord.noFault
    var firstFaultDetail: Int16 = 0
    var firstFaultTime: UInt64 = 0
    var runaway = ThermalRunawayGuard()
    var heaterControl = HeaterController()
    var dose = DoseMeter()
    /// µs of heating in this session.
    var heatTime: UInt64 = 0
    /// The last plausible temperature, 0.1 °C, or nil.
    public internal(set) var temperature: Int16? = nil
    var lastSampleTime: UInt64 = 0
    /// Out-of-range readings in a row (0 when the last reading was plausible).
    var outOfRangeStreak = 0
    var lastReadingOutOfRange: Bool { outOfRangeStreak > 0 }

    // MARK: Time
    var lastStepTime: UInt64? = nil
    var nextStatusTime: UInt64 = 0
    var nextMatTime: UInt64 = 0
    public internal(set) var now: UInt64 = 0
    var latestPressures: InlineArray<64, UInt16> = InlineArray(repeating: 0)

    public init(profile: DeviceProfile) {
        self.profile = profile
        config = FirmwareConfig(heaterCapLimit: profile.heaterCapLimit, hasHeater: profile.hasHeater,
                                hasMat: profile.matZoneCount > 0)
        motors = MotorDrive(count: profile.actuatorCount)
    }

    // MARK: - The step function

    /// Feeds bytes received from the host at time `now` (µs); answers are queued.
    public mutating func receive(_ byte: UInt8, now: UInt64) {
        self.now = max(self.now, now)
        // The decoder completes at most two events per byte (an error, then a frame
        // recovered from its end); handle them after it returns.
        var first: DecodeEvent? = nil
        var second: DecodeEvent? = nil
        decoder.push(byte) { event in
            if first == nil { first = event } else { second = event }
        }
        if let first { handle(first) }
        if let second { handle(second) }
    }

    /// One device tick at `now` (µs, monotonic): the rules that depend on time, the
    /// heater loop on a new sample, the motors' slew, and the periodic reports.
    public mutating func step(now: UInt64, sensors: borrowing SensorReadings) -> DriveOutputs {
        let elapsed = lastStepTime.map { now > $0 ? now - $0 : 0 } ?? 0
        if lastStepTime == nil { lastSampleTime = now }
        lastStepTime = now
        self.now = max(self.now, now)

        checkWatchdog()
        applyHeldOutputs()
        checkLease()
        if profile.hasHeater { runHeater(sensors.temperature, elapsed: elapsed) }
        runMotors(speeds: sensors.motorSpeeds, elapsed: elapsed)
        for zone in 0..<profile.matZoneCount { latestPressures[zone] = sensors.matPressures[zone] }
        sendPeriodicReports()
        return outputs
    }

    /// The frame to send next, oldest first; nil when there is nothing to send.
    public mutating func nextOutgoingFrame() -> WireFrame? { outbox.pop() }

    /// What the hardware is driven with now.
    public var outputs: DriveOutputs {
        var out = DriveOutputs()
        for i in 0..<motors.count { out.motorDuties[i] = motors.duty(i) }
        out.heaterDuty = heaterDuty
        return out
    }

    /// Each motor's target now, per mille: the intensities of the SetOutputs in force
    /// (a motor's drive slews toward it). For tests and the simulator's display.
    public var motorTargets: Intensities {
        var targets = Intensities()
        for i in 0..<motors.count { targets.append(motors.targets[i]) }
        return targets
    }

    /// The state Status reports.
    public var state: DeviceState {
        if !faults.isEmpty { return .faulted }
        if !sessionActive { return .awaitingHello }
        return motors.isActive || heaterTarget > 0 ? .running : .idle
    }

    /// This session's vibration dose, 0.01 points.
    public var doseHundredths: UInt16 { dose.hundredths }

    /// Frames dropped for COBS, length or CRC errors (saturating): the ones that could
    /// not even be answered with a Nak.
    public internal(set) var framesBad: UInt16 = 0

    // MARK: - Time-driven rules

    /// True while something is driven or about to be: a motor target or drive above 0, a
    /// heater target, a lease running or a frame held. Only then is the watchdog armed:
    /// an idle device that hears nothing is safe, and latches nothing (PROTOCOL.md 6.1).
    var isDriven: Bool {
        motors.isActive || heaterTarget > 0 || leaseExpiry != nil || heldOutputs != nil
    }

    mutating func checkWatchdog() {
        guard sessionActive, isDriven else { return }
        let silence = now - lastValidFrameTime
        guard silence >= UInt64(config.watchdogMilliseconds) * 1000 else { return }
        latch(.watchdog, code: 0, detail: Int16(min(silence / 1000, UInt64(Int16.max))))
    }

    mutating func checkLease() {
        guard let expiry = leaseExpiry, now >= expiry else { return }
        leaseExpiry = nil
        motors.stopAll()
        setHeaterTarget(0)
    }

    mutating func runHeater(_ sample: Int16?, elapsed: UInt64) {
        if let reading = sample {
            let sampleElapsed = now - lastSampleTime
            lastSampleTime = now
            if reading < FirmwareLimits.sensorMinimum || reading > FirmwareLimits.sensorMaximum {
                // No valid reading now: Status says so (PROTOCOL.md 4.11).
                temperature = nil
                outOfRangeStreak += 1
                if outOfRangeStreak >= FirmwareLimits.sensorRangeStrikes {
                    latch(.sensorRange, code: 2, detail: reading)
                }
            } else {
                outOfRangeStreak = 0
                temperature = reading
                checkTemperature(Int32(reading), sampleElapsed: sampleElapsed)
            }
        } else if heaterTarget > 0, now - lastSampleTime >= FirmwareLimits.sensorStaleAfter {
            latch(.sensorStale, code: 3, detail: Int16(min((now - lastSampleTime) / 1000, UInt64(Int16.max))))
        }
        if lastReadingOutOfRange { heaterDuty = 0 }
        if heaterTarget > 0 {
            heatTime += elapsed
            if heatTime >= UInt64(config.heatSessionLimitSeconds) * 1_000_000 {
                latch(.heatTimeLimit, code: 5, detail: Int16(min(heatTime / 1_000_000, UInt64(Int16.max))))
            }
        }
    }

    /// A plausible reading: over-temperature, runaway and the control loop.
    mutating func checkTemperature(_ reading: Int32, sampleElapsed: UInt64) {
        let cap = Int32(config.heaterCap)
        if reading > cap + FirmwareLimits.overTemperatureMargin {
            latch(.overTemperature, code: 4, detail: Int16(reading))
            return
        }
        let target = Int32(heaterTarget)
        guard target > 0 else {
            heaterDuty = 0
            return
        }
        if runaway.check(reading: reading, target: target, now: now, elapsed: sampleElapsed) {
            latch(.heaterRunaway, code: 1, detail: Int16(reading))
            return
        }
        let milliseconds = Int32(min(sampleElapsed / 1000, 1000))
        heaterDuty = heaterControl.duty(reading: reading, target: target, cap: cap, elapsedMilliseconds: milliseconds)
    }

    mutating func runMotors(speeds: borrowing InlineArray<16, UInt16>, elapsed: UInt64) {
        motors.slew(elapsed: elapsed, slewPerSecond: config.slewPerSecond)
        // The dose follows the loudest actuator.
        var loudest: UInt64 = 0
        for i in 0..<motors.count {
            let a = UInt64(profile.actuators[i].acceleration) * UInt64(motors.duty(i)) / 1000
            loudest = max(loudest, a)
        }
        if loudest > 0 {
            dose.add(acceleration: loudest, elapsed: elapsed)
            if dose.reached(points: config.doseLimit) {
                latch(.doseLimit, code: 6, detail: Int16(min(UInt32(dose.hundredths / 100), UInt32(Int16.max))))
            }
        }
        if profile.hasSpeedFeedback, let motor = motors.stalledMotor(speeds: speeds, now: now) {
            latch(.motorStall, code: 7, detail: Int16(motor))
        }
    }

    mutating func sendPeriodicReports() {
        guard sessionActive else { return }
        if config.statusPeriodMilliseconds > 0, now >= nextStatusTime {
            nextStatusTime = now + UInt64(config.statusPeriodMilliseconds) * 1000
            outbox.push(Frame(sequence: nextUnsolicitedSequence(), message: .statusReport(status)))
        }
        if profile.matZoneCount > 0, config.matPeriodMilliseconds > 0, now >= nextMatTime {
            nextMatTime = now + UInt64(config.matPeriodMilliseconds) * 1000
            var first = 0
            while first < profile.matZoneCount {
                let count = min(WireLimits.maxZonesPerReport, profile.matZoneCount - first)
                var pressures = Pressures()
                for zone in first..<(first + count) { pressures.append(latestPressures[zone]) }
                let report = MatReport(timestampMicroseconds: now, firstZone: UInt8(first), pressures: pressures)
                outbox.push(Frame(sequence: nextUnsolicitedSequence(), message: .matReport(report)))
                first += count
            }
        }
    }

    // MARK: - Shared actions

    /// Latches `fault`: every output to zero at once, and one Fault frame.
    mutating func latch(_ fault: FaultSet, code: UInt8, detail: Int16) {
        stopOutputs()
        guard !faults.contains(fault) else { return }
        if faults.isEmpty {
            firstFaultCode = code
            firstFaultDetail = detail
            firstFaultTime = now
        }
        faults.formUnion(fault)
        let report = FaultReport(code: code, faults: faults, detail: detail, uptimeMicroseconds: now)
        outbox.push(Frame(sequence: nextUnsolicitedSequence(), message: .fault(report)))
    }

    /// Motors and heater off at once, lease and held frame cleared (a held frame never
    /// applied counts as superseded: nothing else is ever dropped).
    mutating func stopOutputs() {
        motors.stopAll()
        setHeaterTarget(0)
        leaseExpiry = nil
        dropHeldOutputs()
    }

    mutating func dropHeldOutputs() {
        guard heldOutputs != nil else { return }
        heldOutputs = nil
        if framesSuperseded < UInt16.max { framesSuperseded += 1 }
    }

    mutating func setHeaterTarget(_ target: UInt16) {
        if target > heaterTarget { runaway.targetRaised() }
        if target == 0 {
            runaway.reset()
            heaterControl.reset()
            heaterDuty = 0
        }
        heaterTarget = target
    }

    mutating func nextUnsolicitedSequence() -> UInt8 {
        defer { unsolicitedSequence &+= 1 }
        return unsolicitedSequence
    }

    /// The last reading if it is valid now: in range and not stale (PROTOCOL.md 4.11).
    var validTemperature: Int16? {
        guard let temperature, now - lastSampleTime < FirmwareLimits.sensorStaleAfter else { return nil }
        return temperature
    }

    /// The fault record of Info section 3.
    var faultRecord: FaultRecord {
        FaultRecord(code: firstFaultCode, faults: faults, detail: firstFaultDetail, uptimeMicroseconds: firstFaultTime)
    }

    /// Status as it stands now.
    public var status: Status {
        var outputs = Intensities()
        for i in 0..<motors.count { outputs.append(motors.duty(i)) }
        return Status(
            state: state, faults: faults, temperature: validTemperature ?? Status.noTemperature,
            heaterSetpoint: heaterTarget, heaterDuty: heaterDuty, uptimeMicroseconds: now,
            framesBad: framesBad, framesSuperseded: framesSuperseded, dose: dose.hundredths, outputs: outputs
        )
    }
}
