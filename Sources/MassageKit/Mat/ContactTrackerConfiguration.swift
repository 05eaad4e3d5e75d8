/// How a `ContactTracker` turns raw contact into accepted contact.
///
/// Both sources go through one rule: a zone's new raw state (a GPIO line's level, or a
/// pressure zone's state after the thresholds' hysteresis) is accepted once it has held
/// for `settleNanoseconds`, and then counts from the moment it began. A state that does
/// not hold that long (a switch bouncing, a pressure reading flickering at a threshold)
/// is ignored. For GPIO lines `settleNanoseconds` is the debounce window; for pressure
/// zones it is the minimum stable time.
public struct ContactTrackerConfiguration: Equatable, Sendable {
    /// Zones on the mat, 1–64.
    public let zoneCount: Int
    /// How long a new state must hold before it is accepted, ns: the debounce window
    /// (GPIO) or the minimum stable time (pressure). 0 behaves as 1 ns: a change is
    /// accepted once time has moved past it.
    public let settleNanoseconds: UInt64
    /// The pressure source's hysteresis (unused for GPIO edges).
    public let thresholds: PressureThresholds
    /// Where the session starts on the sources' clock, ns; nil to start at the first input.
    public let sessionStartNanoseconds: UInt64?

    /// A tracker for `zoneCount` zones whose changes must hold for `settle`.
    public init(
        zoneCount: Int,
        settle: Duration,
        thresholds: PressureThresholds = .standard,
        sessionStartNanoseconds: UInt64? = nil
    ) throws(MatConfigurationError) {
        guard zoneCount >= 1 && zoneCount <= 64 else { throw .zoneCount(zoneCount) }
        guard let settleNanoseconds = wholeNanoseconds(settle) else { throw .duration(name: "settle time", value: settle) }
        self.zoneCount = zoneCount
        self.settleNanoseconds = settleNanoseconds
        self.thresholds = thresholds
        self.sessionStartNanoseconds = sessionStartNanoseconds
    }

    /// GPIO contact lines: edges closer together than `debounce` are bounces. The 30 ms
    /// default is above the few milliseconds a mechanical contact bounces and far below
    /// anything a body does on a mat.
    public static func gpio(
        zoneCount: Int, debounce: Duration = .milliseconds(30), sessionStartNanoseconds: UInt64? = nil
    ) throws(MatConfigurationError) -> ContactTrackerConfiguration {
        try ContactTrackerConfiguration(zoneCount: zoneCount, settle: debounce,
                                        sessionStartNanoseconds: sessionStartNanoseconds)
    }

    /// Pressure zones (MatReport): hysteresis `thresholds`, and a state must hold
    /// `minimumStable`. The 200 ms default outlasts a reading or two of noise at the
    /// default 50 ms report period and still catches someone getting up.
    public static func pressure(
        zoneCount: Int,
        thresholds: PressureThresholds = .standard,
        minimumStable: Duration = .milliseconds(200),
        sessionStartNanoseconds: UInt64? = nil
    ) throws(MatConfigurationError) -> ContactTrackerConfiguration {
        try ContactTrackerConfiguration(zoneCount: zoneCount, settle: minimumStable, thresholds: thresholds,
                                        sessionStartNanoseconds: sessionStartNanoseconds)
    }
}
