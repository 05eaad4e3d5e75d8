/// Hello (0x01): opens a session and negotiates the protocol version.
public struct Hello: Equatable, Sendable {
    /// The lowest protocol version the host speaks.
    public var minVersion: UInt8
    /// The highest protocol version the host speaks.
    public var maxVersion: UInt8

    public init(minVersion: UInt8 = WireLimits.protocolVersion, maxVersion: UInt8 = WireLimits.protocolVersion) {
        self.minVersion = minVersion
        self.maxVersion = maxVersion
    }
}
