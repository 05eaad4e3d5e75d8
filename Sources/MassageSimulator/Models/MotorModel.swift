/// A vibration motor (an eccentric rotating mass, ERM) as the firmware sees it through
/// its tachometer: a speed that follows the commanded duty with a first-order lag.
///
/// Units: duty and speed are per mille of full scale (0–1000), as in PROTOCOL.md; the
/// steady speed at a duty is that duty (an ERM's speed is close to proportional to its
/// average voltage above stiction, and this model leaves stiction out). Time constants
/// are ms, as `spin_up_ms` in the Info actuator section: the time from rest to 63 % of
/// full speed, which is exactly τ of a first-order lag (1 − e⁻¹ ≈ 0.632).
///
/// Why 80 ms by default: coin and cylinder ERMs of a handheld massager take 30–150 ms
/// to reach 63 % (larger eccentric masses are slower); 80 ms sits in the middle, long
/// enough that the firmware's stall check and the host's slew limit meet a motor that
/// visibly lags. Spin-down uses the same τ unless told otherwise: a driver that brakes
/// (slow decay) stops the rotor about as fast as it starts it; a coasting rotor is
/// slower, so give it a longer `spinDownMilliseconds`.
///
/// A stuck motor (a jammed rotor, a broken lead) turns at 0 whatever the duty: what the
/// firmware's "motor stall" rule (a motor driven above 20 % reporting no speed for
/// 500 ms) must catch.
public struct MotorModel: Sendable {
    /// Time from rest to 63 % of full speed, ms (τ of the lag while speeding up).
    public let spinUpMilliseconds: UInt16
    /// τ of the lag while slowing down, ms.
    public let spinDownMilliseconds: UInt16
    /// The rotor is jammed: speed is 0 whatever the duty.
    public var isStuck: Bool = false
    /// The speed, per mille of full speed (0–1000), unrounded.
    @inlinable public var exactSpeed: Double { rotorSpeed }
    @usableFromInline var rotorSpeed: Double = 0
    @usableFromInline var spinUp: ExponentialDecay
    @usableFromInline var spinDown: ExponentialDecay

    /// A motor at rest.
    public init(spinUpMilliseconds: UInt16 = 80, spinDownMilliseconds: UInt16? = nil) {
        self.spinUpMilliseconds = spinUpMilliseconds
        self.spinDownMilliseconds = spinDownMilliseconds ?? spinUpMilliseconds
        spinUp = ExponentialDecay(timeConstantMicroseconds: Double(spinUpMilliseconds) * 1000)
        spinDown = ExponentialDecay(timeConstantMicroseconds: Double(self.spinDownMilliseconds) * 1000)
    }

    /// The speed, per mille of full speed (0–1000), rounded: what a tachometer reports.
    @inlinable
    public var speed: UInt16 { UInt16(truncatingIfNeeded: roundedToInteger(rotorSpeed)) }

    /// Advances the rotor by `microseconds` driven at `duty` per mille (values above
    /// 1000 count as 1000). The duty is taken as constant over the step.
    @inlinable
    public mutating func step(duty: UInt16, microseconds: UInt32) {
        if isStuck {
            rotorSpeed = 0
            return
        }
        let target = Double(min(duty, 1000))
        let factor = target >= rotorSpeed
            ? spinUp.factor(overMicroseconds: microseconds)
            : spinDown.factor(overMicroseconds: microseconds)
        rotorSpeed = target + (rotorSpeed - target) * factor
    }
}
