import MassageWire

// How the core answers each frame (PROTOCOL.md sections 4 and 5).
extension FirmwareCore {
    @inline(never) // a frame of its own: inlined into receive, the temporaries of both add up (stack, issue 14)
    mutating func handle(_ event: DecodeEvent) {
        switch event {
        case .frame(let frame):
            feedWatchdog()
            handle(frame)
        case .error(let error):
            // A frame whose CRC passed but whose version, type or payload cannot be used
            // still proves the host is alive (6.1), and deserves a Nak.
            guard let header = error.header, let reason = error.nakReason else {
                if framesBad < UInt16.max { framesBad += 1 }
                return
            }
            if case .unsupportedVersion = error {} else { feedWatchdog() }
            reply(to: header.sequence, .nak(Nak(rejectedType: header.type, reason: reason)))
        }
    }

    mutating func feedWatchdog() {
        lastValidFrameTime = now
        if sessionActive { watchdogArmed = true }
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
            guard hello.minVersion <= WireLimits.protocolVersion, hello.maxVersion >= WireLimits.protocolVersion else {
                answerCommand(type, sequence, .nak(Nak(rejectedType: type.rawValue, reason: .unsupportedVersion)))
                return
            }
            startSession()
            answerCommand(type, sequence, .info(.device(deviceInfo)))
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
                answerCommand(type, sequence, .ack(ackedType: type.rawValue))
            }
        case .getInfo(let request):
            answerInfo(request, sequence: sequence)
        case .info, .status, .matReport, .fault, .ack, .nak, .config:
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

    mutating func startSession() {
        sessionActive = true
        watchdogArmed = true
        lastValidFrameTime = now
        stopOutputs()
        dose.reset()
        heatTime = 0
        lastSetOutputsTime = nil
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

        // Latest-value-wins with a rate limit: a frame far faster than the device's rate
        // is dropped (counted); the next one carries newer values anyway (6.2). Half the
        // period is allowed, so a host's timing jitter never costs a frame.
        let minimumInterval = 500_000 / UInt64(profile.maxOutputRateHz)
        if let last = lastSetOutputsTime, now - last < minimumInterval {
            framesDropped &+= framesDropped == UInt16.max ? 0 : 1
            return
        }
        lastSetOutputsTime = now
        motors.setTargets(outputs.intensities)
        let setpoint = profile.hasHeater ? min(outputs.heaterSetpoint, UInt16(config.heaterCap)) : 0
        setHeaterTarget(setpoint)
        leaseExpiry = now + UInt64(outputs.leaseMilliseconds) * 1000
    }

    /// The latched faults whose cause is still there (ClearFault refuses while any is).
    // Inlined: called (not inlined) from a mutating method, a getter of this 2 KB struct
    // gets a copy of all of it on the stack (issue 14: measured on armv7em).
    @inline(__always)
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

    // Inlined: called (not inlined) from a mutating method, a getter of this 2 KB struct
    // gets a copy of all of it on the stack (issue 14: measured on armv7em).
    @inline(__always)
    var deviceInfo: DeviceInfo {
        DeviceInfo(
            firmwareMajor: profile.firmwareMajor, firmwareMinor: profile.firmwareMinor,
            firmwarePatch: profile.firmwarePatch, actuatorCount: UInt8(profile.actuatorCount),
            layout: profile.layout, matZoneCount: UInt8(profile.matZoneCount),
            heaterCap: profile.hasHeater ? UInt16(config.heaterCap) : 0,
            heaterCapLimit: profile.hasHeater ? profile.heaterCapLimit : 0,
            maxOutputRateHz: profile.maxOutputRateHz,
            watchdogMilliseconds: UInt16(config.watchdogMilliseconds),
            maxLeaseMilliseconds: profile.maxLeaseMilliseconds,
            statusPeriodMilliseconds: UInt16(config.statusPeriodMilliseconds),
            matPeriodMilliseconds: UInt16(config.matPeriodMilliseconds),
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
        }
    }

    /// Answers an acknowledged command and remembers the answer for its retries.
    @inline(never) // one frame for its Frame and encoding, not one per caller (stack, issue 14)
    mutating func answerCommand(_ type: MessageType, _ sequence: UInt8, _ message: Message) {
        let frame = Frame(sequence: sequence, message: message)
        lastCommand = (type.rawValue, sequence, now)
        lastAnswer = frame.encoded()
        outbox.pushEncoded(lastAnswer)
    }

    @inline(never) // one frame for its Frame and encoding, not one per caller (stack, issue 14)
    mutating func reply(to sequence: UInt8, _ message: Message) {
        outbox.push(Frame(sequence: sequence, message: message))
    }
}
