/// How one check ended.
public enum Verdict: String, Sendable, Codable {
    case pass = "PASS"
    case fail = "FAIL"
    case skip = "SKIP"
}

/// What a check makes the device do, so a person can be warned first and real hardware
/// is driven only with `allowActuation`.
public enum Actuation: String, Sendable, Codable {
    /// Nothing moves or heats (outputs at 0, or only a lease with every output 0).
    case none
    /// Runs motors at a moderate intensity.
    case vibrates
    /// Runs motors at full intensity (1000 ‰).
    case vibratesFull = "vibrates at full intensity"
    /// Heats (a heater setpoint above 0), up to the cap.
    case heats
    /// Heats to the cap and runs motors.
    case heatsAndVibrates = "heats and vibrates"

    public var isActuating: Bool { self != .none }
}

/// One line of the suite's table.
public struct CheckResult: Sendable, Codable {
    public var id: String
    /// The PROTOCOL.md section the check holds the device to.
    public var section: String
    public var title: String
    public var verdict: Verdict
    /// The measured figure, or for a SKIP, why it was skipped; for a FAIL, what was wrong.
    public var figure: String
    public var actuation: Actuation
    /// Wall time the check took, seconds.
    public var seconds: Double
}

/// What a check's body returns.
public enum CheckOutcome: Sendable {
    case pass(String)
    case fail(String)
    case skip(String)
}

/// The whole run.
public struct ConformanceReport: Sendable, Codable {
    public var device: String
    public var results: [CheckResult]
    public var seconds: Double

    public var passed: Int { results.filter { $0.verdict == .pass }.count }
    public var failed: Int { results.filter { $0.verdict == .fail }.count }
    public var skipped: Int { results.filter { $0.verdict == .skip }.count }
}
