/// Zone pressures, per mille of full scale.
public typealias Pressures = FixedList<22, UInt16>

/// MatReport (0x83): pressure per zone for zones `firstZone ..< firstZone + count`,
/// sampled at `timestampMicroseconds` of device uptime.
public struct MatReport: Equatable, Sendable {
    public var timestampMicroseconds: UInt64
    public var firstZone: UInt8
    public var pressures: Pressures

    public init(timestampMicroseconds: UInt64, firstZone: UInt8 = 0, pressures: Pressures) {
        self.timestampMicroseconds = timestampMicroseconds
        self.firstZone = firstZone
        self.pressures = pressures
    }
}
