/// The heater's control loop: proportional-integral on the temperature error, run on
/// every sensor sample. It regulates to the target, and never to within
/// `FirmwareLimits.capGuardBand` of the cap, so sensor noise cannot carry the surface
/// over the cap; at or above the target the element is off whatever the integral says.
struct HeaterController: Sendable {
    /// Integral term, 0.001 % duty.
    private(set) var integral: Int32 = 0

    /// Percent duty per 0.1 °C below the control target.
    static let proportionalGain: Int32 = 10
    /// 0.001 % duty added per 0.1 °C of error per ms (0.5 % per 0.1 °C·s).
    static let integralGainDivisor: Int32 = 2
    /// The integral only moves within this error band (0.1 °C), so the approach at full
    /// power does not wind it up.
    static let integralBand: Int32 = 10
    /// The integral's ceiling, 0.001 %.
    static let integralLimit: Int32 = 80_000

    mutating func reset() { integral = 0 }

    /// The duty (percent) for `reading` with target `target` under `cap` (0.1 °C),
    /// `elapsedMilliseconds` after the previous sample.
    mutating func duty(reading: Int32, target: Int32, cap: Int32, elapsedMilliseconds: Int32) -> UInt8 {
        guard target > 0 else {
            integral = 0
            return 0
        }
        let control = min(target, cap - FirmwareLimits.capGuardBand)
        if reading >= min(target, cap) { return 0 }
        let error = control - reading
        if error <= Self.integralBand && error >= -Self.integralBand {
            integral += error * min(elapsedMilliseconds, 1000) / Self.integralGainDivisor
            integral = max(0, min(integral, Self.integralLimit))
        }
        let duty = Self.proportionalGain * error + integral / 1000
        return UInt8(max(0, min(duty, 100)))
    }
}
