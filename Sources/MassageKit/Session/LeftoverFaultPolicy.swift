import MassageWire

/// What a host does with the faults a device had latched when its session started,
/// perhaps left by an earlier host (PROTOCOL.md 6.1; Hello does not clear faults).
///
/// - Nothing latched: go on.
/// - Only the watchdog: an earlier host went silent while driving the device. That says
///   nothing about the device or the person, so the host clears it itself and says so in
///   one line.
/// - Anything else: the person decides. A session that drives the device refuses, naming
///   what is latched, what it means, and the command that clears it once the cause is
///   gone; one that only reads (a mat session) warns and goes on, since reading a mat is
///   safe whatever is latched.
///
/// A pure function of the handshake's capabilities: the caller sends the ClearFault.
public struct LeftoverFaultPolicy: Sendable {
    public enum Decision: Sendable, Equatable {
        /// No fault latched.
        case proceed
        /// Send ClearFault; once it is acknowledged, print `note`.
        case clearWatchdog(note: String)
        /// Do not start: print `message`.
        case refuse(message: String)
        /// Go on without clearing (the session drives nothing), after printing `message`.
        case warn(message: String)
    }

    /// True for a session that drives motors or the heater (`run`), false for one that
    /// only reads (a mat session).
    public var drives: Bool
    /// The device as the person wrote it, for the `clear-fault` command in the message.
    public var deviceURI: String

    public init(drives: Bool, deviceURI: String) {
        self.drives = drives
        self.deviceURI = deviceURI
    }

    public func decide(_ capabilities: DeviceCapabilities) -> Decision {
        let latched = capabilities.latchedFaults
        if latched.isEmpty { return .proceed }
        let ago = capabilities.secondsSinceFirstFault.map { " " + Self.duration($0) + " ago" } ?? ""
        if capabilities.onlyWatchdogLatched {
            return .clearWatchdog(note: "note: the device had stopped on its watchdog\(ago) (the last host went silent while driving it); cleared")
        }
        var lines: [String] = []
        let names = FaultExplanation.explain(latched).map(\.name)
        lines.append("the device has \(names.count == 1 ? "a fault" : "faults") latched: \(names.joined(separator: ", "))"
            + (drives ? "; not starting." : "; going on (a mat session drives nothing)."))
        if let record = capabilities.faultRecord, !record.isEmpty, let first = FaultExplanation.explain(code: record.code) {
            let detail = FaultExplanation.detailText(code: record.code, detail: record.detail).map { ", \($0)" } ?? ""
            lines.append("  first: \(first.name)\(ago)\(detail)")
        }
        for explanation in FaultExplanation.explain(latched) {
            lines.append("  \(explanation.name): \(explanation.meaning).")
        }
        lines.append("Faults other than the watchdog wait for you: once the cause is gone, `massagectl clear-fault --device \(deviceURI)` explains each one and clears it.")
        let message = lines.joined(separator: "\n")
        return drives ? .refuse(message: message) : .warn(message: message)
    }

    /// `12.3 s`, `4 min 5 s`, `2 h 3 min`: how long ago, to a person.
    public static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return "\((seconds * 10).rounded() / 10) s" }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }
}
