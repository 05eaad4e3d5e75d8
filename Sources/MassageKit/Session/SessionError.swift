import MassageWire

/// Why a device session could not do what was asked. Every message says what to do next.
public enum SessionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The transport failed or could not be opened.
    case transport(TransportError)
    /// The device never answered `command`, after `tries` tries (PROTOCOL.md 5).
    case notAnswering(command: String, tries: Int)
    /// No frame came from the device for `milliseconds`.
    case linkLost(milliseconds: Int)
    /// The device speaks no protocol version this host speaks.
    case unsupportedVersion(hostMin: UInt8, hostMax: UInt8, device: UInt8?)
    /// The device refused `command` with a Nak.
    case refused(command: String, reason: NakReason)
    /// The device answered something that does not fit (a Hello answered with the wrong
    /// Info section, say).
    case protocolViolation(String)
    /// Outputs that do not fit the device (wrong actuator count, intensity above 1000).
    case invalidOutputs(String)
    /// Reconnected to a different device than the session was talking to.
    case wrongDevice(expectedSerial: String, foundSerial: String)
    /// The session is not connected yet, or was closed.
    case notConnected
    case closed

    public var description: String {
        switch self {
        case .transport(let error):
            return error.description
        case .notAnswering(let command, let tries):
            return "the device did not answer \(command) after \(tries) tries: check that it is powered,"
                + " connected and running massage-control firmware, then try again"
        case .linkLost(let ms):
            return "the link to the device was lost (nothing heard for \(ms) ms): check the cable or the"
                + " simulator; the device's watchdog has stopped its outputs"
        case .unsupportedVersion(let lo, let hi, let device):
            let theirs = device.map { "version \($0)" } ?? "no common version"
            return "the device speaks \(theirs) of the protocol and this massagectl speaks \(lo)...\(hi):"
                + " update whichever is older"
        case .refused(let command, let reason):
            return "the device refused \(command) (\(reason))" + Self.advice(for: reason)
        case .protocolViolation(let detail):
            return "the device broke the protocol: \(detail). Check its firmware against firmware-protocol/PROTOCOL.md"
        case .invalidOutputs(let detail):
            return "outputs not sent: \(detail)"
        case .wrongDevice(let expected, let found):
            return "reconnected to device \(found), but the session was with \(expected): plug the same device back in"
        case .notConnected:
            return "the session is not connected: connect to the device first"
        case .closed:
            return "the session was closed: open the device again to go on"
        }
    }

    static func advice(for reason: NakReason) -> String {
        switch reason {
        case .faultLatched: ": a fault is latched; see `massagectl info`, fix its cause, then clear it"
        case .conditionPersists: ": the fault's cause is still there; fix it first (a sensor, the heat or dose budget: a new session renews budgets)"
        case .notReady: ": the device has no session; reconnect"
        case .outOfRange: ": a value is outside the device's range; see PROTOCOL.md 4.19"
        case .unsupportedVersion: ": update the firmware or massagectl"
        default: ""
        }
    }
}
