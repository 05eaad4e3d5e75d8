/// Thermal-runaway detection (PROTOCOL.md 6.4), after Klipper's verify_heater scaled for
/// a small skin heater: a heater that is asked to heat must be seen heating, and one that
/// reached its target must stay near it. A sensor that came off its element, or an element
/// that no longer heats, fails one of the two.
struct ThermalRunawayGuard: Sendable {
    /// The reading is below target − hysteresis because the target was just raised.
    private(set) var approaching = false
    private var checkpointReading: Int32 = 0
    private var checkpointTime: UInt64 = 0
    private var checkpointPending = false
    /// Shortfall below target − hysteresis, 0.1 °C·ms.
    private(set) var errorSum: Int64 = 0

    /// The target rose (a new higher setpoint, or heating starts): an approach begins at
    /// the next sample.
    mutating func targetRaised() {
        approaching = true
        checkpointPending = true
        errorSum = 0
    }

    /// Heating stopped: nothing to verify.
    mutating func reset() {
        approaching = false
        checkpointPending = false
        errorSum = 0
    }

    /// Checks one sample `reading` against `target` (both 0.1 °C, target > 0), `elapsed`
    /// µs after the previous sample. True when runaway must latch.
    mutating func check(reading: Int32, target: Int32, now: UInt64, elapsed: UInt64) -> Bool {
        let hysteresis = FirmwareLimits.runawayHysteresis
        if reading >= target - hysteresis {
            approaching = false
            checkpointPending = false
            if reading <= target + hysteresis { errorSum = 0 }
            return false
        }
        if approaching {
            if checkpointPending {
                checkpointPending = false
                checkpointReading = reading
                checkpointTime = now
                return false
            }
            if reading >= checkpointReading + FirmwareLimits.runawayMinimumGain {
                checkpointReading = reading
                checkpointTime = now
                return false
            }
            return now - checkpointTime >= FirmwareLimits.runawayGainWindow
        }
        let elapsedMilliseconds = Int64(min(elapsed, 10_000_000) / 1000)
        errorSum += Int64(target - hysteresis - reading) * elapsedMilliseconds
        return errorSum > FirmwareLimits.runawayErrorLimit
    }
}
