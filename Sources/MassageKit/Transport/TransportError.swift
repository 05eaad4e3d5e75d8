/// Why a transport could not be opened or used. Every message says what went wrong and
/// what to do next.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing matches what was asked for (`what`: "no USB device 1209:0001").
    case notFound(what: String, hint: String)
    /// The operating system refused access to `path`.
    case permissionDenied(path: String, hint: String)
    /// Another process or driver holds the device.
    case busy(what: String, hint: String)
    /// The device went away: unplugged, its socket's peer closed, the simulator stopped.
    case disconnected(endpoint: String, reason: String)
    /// This transport was closed by its owner.
    case closed(endpoint: String)
    /// A system or library call failed; `detail` is its own message (strerror,
    /// libusb_strerror).
    case io(endpoint: String, operation: String, detail: String)
    /// The request cannot work on this system or with this device.
    case unsupported(what: String, hint: String)

    public var description: String {
        switch self {
        case .notFound(let what, let hint):
            return "\(what): \(hint)"
        case .permissionDenied(let path, let hint):
            return "permission denied on \(path): \(hint)"
        case .busy(let what, let hint):
            return "\(what) is busy: \(hint)"
        case .disconnected(let endpoint, let reason):
            return "\(endpoint) disconnected (\(reason)): check the cable or the simulator, then connect again"
        case .closed(let endpoint):
            return "\(endpoint) is closed: open the device again to go on"
        case .io(let endpoint, let operation, let detail):
            return "\(endpoint): \(operation) failed: \(detail)"
        case .unsupported(let what, let hint):
            return "\(what): \(hint)"
        }
    }

    /// The udev rule that grants device access without root, for permission messages.
    public static let udevRuleHint =
        "install the udev rule (sudo cp udev/70-massage-control.rules /etc/udev/rules.d/"
        + " && sudo udevadm control --reload && sudo udevadm trigger), then replug the device;"
        + " see udev/README.md"
}
