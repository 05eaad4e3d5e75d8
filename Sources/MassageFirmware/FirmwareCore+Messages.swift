import MassageWire

// How the core answers each frame (PROTOCOL.md sections 4 and 5).
extension FirmwareCore {
    mutating func handle(_ event: DecodeEvent) {
        switch event {
        case .frame(let frame):
            feedWatchdog()
            handle(frame)
        case .error(let error):
            // A frame whose CRC passed but whose version, type or payload cannot be used
            // still proves the host is alive (6.1), and deserves a Nak.
            guard let header = error.header, var reason = error.nakReason else {
                if framesBad < UInt16.max { framesBad += 1 }
                return
            }
            // Direction before payload: a device → host type is unknown to a device,
            // whatever its payload (PROTOCOL.md 4).
            if case .malformedPayload = error, header.type >= 0x80 { reason = .unknownType }
            var version = WireLimits.protocolVersion
            if case .unsupportedVersion = error {
                // A Hello of any version is answered in header version 1, which every
                // host reads (PROTOCOL.md 3).
                if header.type == MessageType.hello.rawValue { version = WireLimits.negotiationVersion }
            } else {
                feedWatchdog()
            }
            reply(to: header.sequence, .nak(Nak(rejectedType: header.type, reason: reason)), version: version)
        }
    }

    mutating func feedWatchdog() {
        lastValidFrameTime = now
    }

    mutating func handle(_ frame: Frame) {
        let sequence = frame.sequence
        let type = frame.message.type
        if isRetry(type: type.rawValue, sequence: sequence) {
            outbox.pushEncoded(lastAnswer)
            return
        }
        switch frame.message {
        case .hello(let hello):
            // The answer to Hello goes in header version 1, for any host to read.
            guard hello.minVersion <= WireLimits.protocolVersion, hello.maxVersion >= WireLimits.protocolVersion else {
                answerCommand(type, sequence, .nak(Nak(rejectedType: type.rawValue, reason: .unsupportedVersion)),
                              version: WireLimits.negotiationVersion)
                return
            }
            startSession()
            answerCommand(type, sequence, .info(.device(deviceInfo)), version: WireLimits.negotiationVersion)
        case .setOutputs(let outputs):
            applyOutputs(outputs, sequence: sequence)
        case .stop:
            stopOutputs()
            answerCommand(type, sequence, .ack(ackedType: type.rawValue))
        case .heartbeat:
            break
        case .getStatus:
            reply(to: sequence, .status(status))
        case .setConfig(let entry):
            if config.set(entry.key, to: entry.value) {
                if entry.key == .heaterCap, heaterTarget > UInt16(config.heaterCap) {
                    setHeaterTarget(UInt16(config.heaterCap))
                }
                answerCommand(type, sequence, .ack(ackedType: type.rawValue))
            } else {
                answerCommand(type, sequence, .nak(Nak(rejectedType: type.rawValue, reason: .outOfRange)))
            }
        case .getConfig(let key):
            if let value = config.value(of: key) {
                reply(to: sequence, .config(ConfigEntry(key: key, value: value)))
            } else {
                reply(to: sequence, .nak(Nak(rejectedType: type.rawValue, reason: .outOfRange)))
            }
        case .clearFault:
            let persisting = faultsWithCausePresent
            if faults.rawValue & persisting.rawValue != 0 {
                answerCommand(type, sequence, .nak(Nak(rejectedType: type.rawValue, reason: .conditionPersists)))
            } else {
                faults = FaultSet()
                firstFaultCode = FaultRecord.noFault
                firstFaultDetail = 0
                firstFaultTime = 0
                answerCommand(type, sequence, .ack(ackedType: type.rawValue))
            }
        case .getInfo(let request):
            answerInfo(request, sequence: sequence)
        case .info, .status, .statusReport, .matReport, .fault, .ack, .nak, .config:
            // A device → host type sent to the device is an unknown type (PROTOCOL.md 4).
            reply(to: sequence, .nak(Nak(rejectedType: type.rawValue, reason: .unknownType)))
        }
    }

    /// A command with the type and seq of the last one acknowledged, within the retry
    /// window, is a retry: answer again, apply nothing. Stop is the exception: applying
    /// it twice is harmless, and a stop must never be mistaken for an old one.
    mutating func isRetry(type: UInt8, sequence: UInt8) -> Bool {
        guard let last = lastCommand, last.type == type, last.sequence == sequence,
              now - last.time < FirmwareLimits.retryWindow else { return false }
        if type == MessageType.stop.rawValue {
            stopOutputs()
        }
        return true
    }

    /// A Hello: a new session. Outputs to 0, held frame and lease cleared, dose and heat
    /// time reset (new budgets); faults and configuration stay (PROTOCOL.md 5).
    mutating func startSession() {
        sessionActive = true
        lastValidFrameTime = now
        stopOutputs()
        dose.reset()
        heatTime = 0
        lastAppliedTime = nil
        nextStatusTime = now
        nextMatTime = now
    }

    mutating func applyOutputs(_ outputs: SetOutputs, sequence: UInt8) {
        let type = MessageType.setOutputs.rawValue
        func refuse(_ reason: NakReason) { reply(to: sequence, .nak(Nak(rejectedType: type, reason: reason))) }
        guard sessionActive else { return refuse(.notReady) }
        guard faults.isEmpty else { return refuse(.faultLatched) }
        guard outputs.intensities.count == profile.actuatorCount,
              outputs.leaseMilliseconds >= 1, outputs.leaseMilliseconds <= profile.maxLeaseMilliseconds
        else { return refuse(.outOfRange) }
        for i in 0..<outputs.intensities.count where outputs.intensities[i] > 1000 { return refuse(.outOfRange) }

        // Latest value wins (PROTOCOL.md 6.2): at most one frame per 1 / rate s is
        // applied, and a frame that comes sooner is held, never dropped: the newest held
        // frame is applied at the first tick the rate allows. A frame that raises nothing
        // (all-zero above all) is applied at once: lowering is always safe.
        if let last = lastAppliedTime, now - last < outputInterval, raisesSomething(outputs) {
            if heldOutputs != nil, framesSuperseded < UInt16.max { framesSuperseded += 1 }
            heldOutputs = outputs
            return
        }
        dropHeldOutputs()
        apply(outputs)
    }

    /// µs between two applied SetOutputs: exactly the rate Info declares.
    var outputInterval: UInt64 { 1_000_000 / UInt64(profile.maxOutputRateHz) }

    /// True when some intensity is above its motor's target now, or the (clamped) heater
    /// setpoint above the heater's.
    func raisesSomething(_ outputs: borrowing SetOutputs) -> Bool {
        for i in 0..<motors.count where outputs.intensities[i] > motors.targets[i] { return true }
        return clampedSetpoint(outputs.heaterSetpoint) > heaterTarget
    }

    func clampedSetpoint(_ setpoint: UInt16) -> UInt16 {
        profile.hasHeater ? min(setpoint, UInt16(config.heaterCap)) : 0
    }

    /// Puts a validated SetOutputs in force; its lease counts from now.
    mutating func apply(_ outputs: borrowing SetOutputs) {
        lastAppliedTime = now
        motors.setTargets(outputs.intensities)
        setHeaterTarget(clampedSetpoint(outputs.heaterSetpoint))
        leaseExpiry = now + UInt64(outputs.leaseMilliseconds) * 1000
    }

    /// On a tick: the held frame, once the rate allows it.
    mutating func applyHeldOutputs() {
        guard let held = heldOutputs else { return }
        if let last = lastAppliedTime, now - last < outputInterval { return }
        heldOutputs = nil
        apply(held)
    }

    /// The latched faults whose cause is still there (ClearFault refuses while any is).
    var faultsWithCausePresent: FaultSet {
        var present = FaultSet()
        if profile.hasHeater {
            if lastReadingOutOfRange { present.formUnion(.sensorRange) }
            if now - lastSampleTime >= FirmwareLimits.sensorStaleAfter { present.formUnion(.sensorStale) }
            if let t = temperature, Int32(t) > Int32(config.heaterCap) + FirmwareLimits.overTemperatureMargin {
                present.formUnion(.overTemperature)
            }
        }
        // The session's budgets stay spent until a new session (Hello) starts.
        if heatTime >= UInt64(config.heatSessionLimitSeconds) * 1_000_000 { present.formUnion(.heatTimeLimit) }
        if dose.reached(points: config.doseLimit) { present.formUnion(.doseLimit) }
        return present
    }

    var deviceInfo: DeviceInfo {
        DeviceInfo(
            firmwareMajor: profile.firmwareMajor, firmwareMinor: profile.firmwareMinor,
            firmwarePatch: profile.firmwarePatch, actuatorCount: UInt8(profile.actuatorCount),
            layout: profile.layout, matZoneCount: UInt8(profile.matZoneCount),
            heaterCap: profile.hasHeater ? UInt16(config.heaterCap) : 0,
            heaterCapLimit: profile.hasHeater ? UInt16(config.heaterCapLimit) : 0,
            maxOutputRateHz: profile.maxOutputRateHz,
            watchdogMilliseconds: UInt16(config.watchdogMilliseconds),
            maxLeaseMilliseconds: profile.maxLeaseMilliseconds,
            statusPeriodMilliseconds: UInt16(config.statusPeriodMilliseconds),
            matPeriodMilliseconds: UInt16(config.value(of: .matPeriodMilliseconds) ?? 0),
            doseLimit: UInt16(config.doseLimit)
        )
    }

    mutating func answerInfo(_ request: InfoRequest, sequence: UInt8) {
        switch request.section {
        case .device:
            reply(to: sequence, .info(.device(deviceInfo)))
        case .identity:
            reply(to: sequence, .info(.identity(profile.identity)))
        case .actuator:
            guard Int(request.index) < profile.actuatorCount else {
                reply(to: sequence, .nak(Nak(rejectedType: MessageType.getInfo.rawValue, reason: .outOfRange)))
                return
            }
            reply(to: sequence, .info(.actuator(index: request.index, profile.actuators[Int(request.index)])))
        case .faultRecord:
            reply(to: sequence, .info(.faultRecord(faultRecord)))
        }
    }

    /// Answers an acknowledged command and remembers the answer for its retries.
    mutating func answerCommand(_ type: MessageType, _ sequence: UInt8, _ message: Message,
                                version: UInt8 = WireLimits.protocolVersion) {
        let frame = Frame(version: version, sequence: sequence, message: message)
        lastCommand = (type.rawValue, sequence, now)
        lastAnswer = frame.encoded()
        outbox.pushEncoded(lastAnswer)
    }

    mutating func reply(to sequence: UInt8, _ message: Message, version: UInt8 = WireLimits.protocolVersion) {
        outbox.push(Frame(version: version, sequence: sequence, message: message))
    }
}
