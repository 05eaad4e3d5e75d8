import MassageWire

/// The motors' drive: each follows its target at no more than the slew rate (no jolts),
/// except that a change to zero is immediate (PROTOCOL.md 6.6). Also watches for a
/// stalled motor: driven above 20 % with no speed for 500 ms.
struct MotorDrive: Sendable {
    /// Targets, per mille.
    private(set) var targets: InlineArray<16, UInt16>
    /// Drive now, in 0.001 per mille so that slow slews still move at a 1 kHz tick.
    private var drive: InlineArray<16, Int32>
    /// Since when each motor has been driven without turning (µs), or 0.
    private var stalledSince: InlineArray<16, UInt64>
    let count: Int

    init(count: Int) {
        self.count = count
        targets = InlineArray(repeating: 0)
        drive = InlineArray(repeating: 0)
        stalledSince = InlineArray(repeating: 0)
    }

    /// Drive of motor `i` now, per mille.
    func duty(_ i: Int) -> UInt16 { UInt16((drive[i] + 500) / 1000) }

    /// True when some motor is driven or about to be.
    var isActive: Bool {
        for i in 0..<count where targets[i] != 0 || drive[i] != 0 { return true }
        return false
    }

    /// New targets; a motor whose target is 0 stops at once (not at the next slew).
    mutating func setTargets(_ intensities: borrowing Intensities) {
        for i in 0..<count {
            targets[i] = intensities[i]
            if intensities[i] == 0 {
                drive[i] = 0
                stalledSince[i] = 0
            }
        }
    }

    /// Every motor to zero at once (Stop, lease, fault).
    mutating func stopAll() {
        for i in 0..<count {
            targets[i] = 0
            drive[i] = 0
            stalledSince[i] = 0
        }
    }

    /// Moves every drive toward its target for `elapsed` µs at `slewPerSecond`.
    mutating func slew(elapsed: UInt64, slewPerSecond: UInt32) {
        // per mille per second × µs / 1000 = 0.001 per mille.
        let step = Int32(min(UInt64(slewPerSecond) * min(elapsed, 1_000_000) / 1000, 1_000_000))
        for i in 0..<count {
            let target = Int32(targets[i]) * 1000
            let now = drive[i]
            if target == 0 {
                drive[i] = 0
            } else if target > now {
                drive[i] = min(target, now + step)
            } else if target < now {
                drive[i] = max(target, now - step)
            }
        }
    }

    /// The first motor that has been driven above the threshold without turning for
    /// `FirmwareLimits.stallAfter`, or nil.
    mutating func stalledMotor(speeds: borrowing InlineArray<16, UInt16>, now: UInt64) -> Int? {
        for i in 0..<count {
            // (No `&&`: its autoclosure cannot capture a borrowed parameter.)
            let turning = speeds[i] >= FirmwareLimits.stallSpeedThreshold
            if !turning, drive[i] > FirmwareLimits.stallDriveThreshold * 1000 {
                if stalledSince[i] == 0 { stalledSince[i] = now == 0 ? 1 : now }
                if now - stalledSince[i] >= FirmwareLimits.stallAfter { return i }
            } else {
                stalledSince[i] = 0
            }
        }
        return nil
    }
}
