import MassageFirmware
import MassageSimulator
import MassageWire
import PropertyBased
import Testing

/// For any sequence of host frames, valid, refused, corrupted or garbage, sent at any
/// pace: the modelled surface never passes the cap, and every output is zero within the
/// watchdog period (500 ms unless a SetConfig in the sequence changed it) and a tick of
/// the last valid frame.
@Suite struct SimulatorPropertyTests {
    @Test func anyHostTrafficKeepsTheSurfaceUnderTheCapAndStopsWhenTheHostFallsSilent() async {
        await propertyCheck(count: 150, input: Gen.uint8().array(of: 8...240)) { script in
            checkScript(script)
        }
    }

    /// Plays `script` (bytes read as actions and gaps) against a handheld whose surface
    /// starts just under the cap, checking both rules at every tick.
    func checkScript(_ script: [UInt8]) {
        var device = SimulatedDevice(profile: .handheldRing4, seed: UInt64(script.count), heaterStartTemperature: 40.95)
        var reference = FrameDecoder()   // classifies what was sent, independently of the device
        var lastValid: UInt64? = nil
        var highestCap = Double(device.core.config.heaterCap) / 10
        var sequence: UInt8 = 0
        var bytes = script.makeIterator()
        func next() -> UInt8 { bytes.next() ?? 0 }

        func tick(until time: UInt64) -> Bool {
            while device.now < time {
                device.step()
                highestCap = max(highestCap, Double(device.core.config.heaterCap) / 10)
                if let surface = device.heater?.surfaceTemperature, surface > highestCap {
                    Issue.record("surface \(surface) °C above the cap \(highestCap) °C at \(device.now) µs; script \(script)")
                    return false
                }
                let watchdog = UInt64(device.core.config.watchdogMilliseconds) * 1000
                if let lastValid, device.now >= lastValid + watchdog + 2 * device.tick, !device.outputs.isAllOff {
                    Issue.record("outputs still on \(device.now - lastValid) µs after the last valid frame; script \(script)")
                    return false
                }
            }
            return true
        }

        var index = 0
        while index < script.count {
            let wire = hostFrame(kind: next(), sequence: &sequence, next: next)
            index += 8
            device.hostSend(wire)
            var valid = false
            reference.feed(wire) { event in
                switch event {
                case .frame: valid = true
                case .error(let error): if error.header != nil, error.nakReason != .unsupportedVersion { valid = true }
                }
            }
            if valid { lastValid = device.now }
            guard tick(until: device.now + UInt64(next()) * 2_000) else { return }
        }
        _ = tick(until: device.now + 1_500_000)
    }

    /// One frame (or garbage) for the action `kind`, its fields from `next`.
    func hostFrame(kind: UInt8, sequence: inout UInt8, next: () -> UInt8) -> [UInt8] {
        sequence &+= 1
        func u16(_ scale: Int) -> UInt16 { UInt16((Int(next()) << 8 | Int(next())) % scale) }
        func outputs(count: Int) -> Message {
            var intensities = Intensities()
            for _ in 0..<count { intensities.append(u16(1100)) }
            return .setOutputs(SetOutputs(leaseMilliseconds: u16(3100), heaterSetpoint: u16(700), intensities: intensities))
        }
        let message: Message
        switch kind % 9 {
        case 0: message = .hello(Hello())
        case 1, 2: message = outputs(count: 4)
        case 3: message = .heartbeat
        case 4: message = .stop
        case 5: message = .clearFault
        case 6: message = .setConfig(ConfigEntry(key: ConfigKey(rawValue: next() % 8), value: UInt32(u16(6000))))
        case 7:
            // A valid SetOutputs with one bit flipped on the wire.
            var wire = Array(Frame(sequence: sequence, message: outputs(count: 4)).encoded())
            let bit = Int(next()) % ((wire.count - 1) * 8)
            wire[bit / 8] ^= 1 << UInt8(bit % 8)
            return wire
        default:
            // Garbage, then a delimiter.
            return (0..<Int(next() % 20)).map { _ in next() } + [0]
        }
        return Array(Frame(sequence: sequence, message: message).encoded())
    }
}
