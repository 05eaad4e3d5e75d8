/// The latched fault bits (PROTOCOL.md 4.18). Unknown bits are kept, not dropped.
public struct FaultSet: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// No faults.
    public init() { rawValue = 0 }

    public var isEmpty: Bool { rawValue == 0 }
    public func contains(_ other: FaultSet) -> Bool { rawValue & other.rawValue == other.rawValue }
    public func union(_ other: FaultSet) -> FaultSet { FaultSet(rawValue: rawValue | other.rawValue) }
    public func subtracting(_ other: FaultSet) -> FaultSet { FaultSet(rawValue: rawValue & ~other.rawValue) }
    public mutating func formUnion(_ other: FaultSet) { rawValue |= other.rawValue }
    public mutating func subtract(_ other: FaultSet) { rawValue &= ~other.rawValue }

    /// No valid frame for `watchdog_ms` during a session.
    public static let watchdog = FaultSet(bit: 0)
    /// The heater did not heat as commanded, or lost its sensor.
    public static let heaterRunaway = FaultSet(bit: 1)
    /// The temperature reading was out of range 4 samples running.
    public static let sensorRange = FaultSet(bit: 2)
    /// No new temperature reading for 1 s.
    public static let sensorStale = FaultSet(bit: 3)
    /// The surface ran above the cap + 2 °C.
    public static let overTemperature = FaultSet(bit: 4)
    /// The heater ran for the session's heating limit (default 30 min).
    public static let heatTimeLimit = FaultSet(bit: 5)
    /// The session's vibration dose reached the device's limit.
    public static let doseLimit = FaultSet(bit: 6)
    /// A driven motor reported no speed.
    public static let motorStall = FaultSet(bit: 7)
    /// The firmware found itself in an impossible state.
    public static let `internal` = FaultSet(bit: 8)

    /// The fault whose bit number is `bit` (the `code` of a Fault frame).
    public init(bit: UInt8) { rawValue = bit < 16 ? 1 << UInt16(bit) : 0 }
}

/// Fault (0x84): sent once when a fault latches.
public struct FaultReport: Equatable, Sendable {
    /// The bit number of the fault that just latched.
    public var code: UInt8
    /// All latched faults now.
    public var faults: FaultSet
    /// The reading that tripped it: temperature in 0.1 °C, ms of silence, ...
    public var detail: Int16
    public var uptimeMicroseconds: UInt64

    public init(code: UInt8, faults: FaultSet, detail: Int16 = 0, uptimeMicroseconds: UInt64) {
        self.code = code
        self.faults = faults
        self.detail = detail
        self.uptimeMicroseconds = uptimeMicroseconds
    }
}

/// Info section 3 (PROTOCOL.md 4.10): the first fault latched since the last
/// ClearFault, kept so that a host that connects later learns what an earlier host
/// left behind and when. Same layout as a Fault frame.
public struct FaultRecord: Equatable, Sendable {
    /// The `code` of a record with no fault latched.
    public static let noFault: UInt8 = 255

    /// The bit number of the first fault latched since the last clear, or `noFault`.
    public var code: UInt8
    /// All latched faults now.
    public var faults: FaultSet
    /// That first fault's detail (PROTOCOL.md 4.18).
    public var detail: Int16
    /// Device uptime when that first fault latched; 0 when none is.
    public var uptimeMicroseconds: UInt64

    public init(code: UInt8 = FaultRecord.noFault, faults: FaultSet = FaultSet(), detail: Int16 = 0,
                uptimeMicroseconds: UInt64 = 0) {
        self.code = code
        self.faults = faults
        self.detail = detail
        self.uptimeMicroseconds = uptimeMicroseconds
    }

    /// True when no fault has latched since the last clear.
    public var isEmpty: Bool { code == FaultRecord.noFault }
}

#if !hasFeature(Embedded)
// Host only: SetAlgebra's default methods allocate, and Embedded builds are checked
// with -no-allocations.
extension FaultSet: OptionSet {}
#endif

#if !hasFeature(Embedded)
extension FaultSet {
    /// The bits' names for people, in bit order (PROTOCOL.md 4.18): "watchdog (host
    /// silent)", "heater runaway", …; reserved bits as "bit N".
    public var names: [String] {
        let named: [(FaultSet, String)] = [
            (.watchdog, "watchdog (host silent)"), (.heaterRunaway, "heater runaway"),
            (.sensorRange, "sensor out of range"), (.sensorStale, "sensor stale"),
            (.overTemperature, "over temperature"), (.heatTimeLimit, "heat time limit"),
            (.doseLimit, "vibration dose limit"), (.motorStall, "motor stall"), (.internal, "internal"),
        ]
        var names = named.filter { contains($0.0) }.map(\.1)
        for bit in 9..<16 where rawValue & (1 << UInt16(bit)) != 0 { names.append("bit \(bit)") }
        return names
    }
}
#endif
