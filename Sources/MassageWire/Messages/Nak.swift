/// Why a device refused a frame (PROTOCOL.md 4.16). A struct so that a reason a newer
/// device sends still decodes.
public struct NakReason: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let unsupportedVersion = NakReason(rawValue: 1)
    public static let unknownType = NakReason(rawValue: 2)
    public static let malformed = NakReason(rawValue: 3)
    public static let outOfRange = NakReason(rawValue: 4)
    public static let faultLatched = NakReason(rawValue: 5)
    public static let notReady = NakReason(rawValue: 6)
    public static let conditionPersists = NakReason(rawValue: 7)
}

/// Nak (0x86): the frame with the header's sequence number was refused.
public struct Nak: Equatable, Sendable {
    /// The raw type byte of the refused frame (it may be a type this code does not know).
    public var rejectedType: UInt8
    public var reason: NakReason

    public init(rejectedType: UInt8, reason: NakReason) {
        self.rejectedType = rejectedType
        self.reason = reason
    }
}

#if !hasFeature(Embedded)
extension NakReason: CustomStringConvertible {
    public var description: String {
        switch rawValue {
        case 1: "unsupported version"
        case 2: "unknown type"
        case 3: "malformed"
        case 4: "out of range"
        case 5: "fault latched"
        case 6: "not ready"
        case 7: "condition persists"
        default: "reason \(rawValue)"
        }
    }
}
#endif
