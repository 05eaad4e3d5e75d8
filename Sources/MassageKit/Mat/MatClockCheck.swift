/// Checks a mat device's report timestamps against the host's monotonic clock.
///
/// Contact is timed on the device's clock (it stamps its reports), which is right for a
/// working device and wrong for a broken one: a timestamp that jumped made 4 s of wall
/// time count as 78 hours on the mat, reached the goal and was stored. The device's time
/// can lag the host's (reports queue on the link) but it cannot run ahead of it by more
/// than a little: ``check(deviceNanoseconds:hostNanoseconds:)`` says when it does, or
/// when it goes back, and the caller stops believing it.
public struct MatClockCheck: Sendable, Equatable {
    /// How much faster the device's clock runs than the host's (a simulator's `--speed`).
    public let speed: Double
    /// Device time allowed ahead of the host's, ns, plus ``driftAllowance`` of the elapsed
    /// time: a device's crystal, the host's scheduling.
    public let toleranceNanoseconds: UInt64
    public static let driftAllowance = 0.05

    var anchor: (device: UInt64, host: UInt64)?
    var lastDevice: UInt64 = 0

    public enum Verdict: Sendable, Equatable {
        case believable
        /// The device's clock ran ahead: so much device time in so much host time.
        case jumpedAhead(deviceNanoseconds: UInt64, hostNanoseconds: UInt64)
        /// The device's clock went back by this much (more than the tolerance).
        case wentBack(byNanoseconds: UInt64)
    }

    public init(speed: Double = 1, toleranceNanoseconds: UInt64 = 1_000_000_000) {
        self.speed = speed.isFinite && speed > 0 ? speed : 1
        self.toleranceNanoseconds = toleranceNanoseconds
    }

    /// Checks one timestamp (device clock, ns) taken in at `hostNanoseconds` (monotonic).
    /// A believable one moves the check along; one that is not leaves it where it was.
    public mutating func check(deviceNanoseconds device: UInt64, hostNanoseconds host: UInt64) -> Verdict {
        guard let anchor else {
            self.anchor = (device, host)
            lastDevice = device
            return .believable
        }
        if device < lastDevice {
            let back = lastDevice - device
            return back > toleranceNanoseconds ? .wentBack(byNanoseconds: back) : .believable
        }
        let deviceElapsed = device &- anchor.device
        let hostElapsed = host >= anchor.host ? host - anchor.host : 0
        let allowed = (Double(hostElapsed) * speed) * (1 + Self.driftAllowance) + Double(toleranceNanoseconds) * speed
        if Double(deviceElapsed) > allowed {
            return .jumpedAhead(deviceNanoseconds: deviceElapsed, hostNanoseconds: hostElapsed)
        }
        lastDevice = device
        return .believable
    }

    public static func == (a: MatClockCheck, b: MatClockCheck) -> Bool {
        a.speed == b.speed && a.toleranceNanoseconds == b.toleranceNanoseconds && a.lastDevice == b.lastDevice
            && a.anchor?.device == b.anchor?.device && a.anchor?.host == b.anchor?.host
    }
}
