/// One stretch of accepted contact: of one zone, or of the body (any zone in contact).
/// Times are on the source's clock, ns (a MatReport's µs × 1000).
public struct ContactInterval: Equatable, Hashable, Sendable {
    /// What was in contact.
    public enum Subject: Equatable, Hashable, Sendable {
        /// Zone `n` was pressed.
        case zone(Int)
        /// At least one zone was pressed: the body was on the mat.
        case body
    }

    /// What was in contact.
    public var subject: Subject
    /// When the contact began, ns.
    public var startNanoseconds: UInt64
    /// When it ended, ns.
    public var endNanoseconds: UInt64
    /// True when the contact had not ended but the session did (the interval is cut there).
    public var endedBySessionEnd: Bool

    /// `subject` in contact from `startNanoseconds` to `endNanoseconds`.
    @inlinable
    public init(_ subject: Subject, from startNanoseconds: UInt64, to endNanoseconds: UInt64, endedBySessionEnd: Bool = false) {
        self.subject = subject
        self.startNanoseconds = startNanoseconds
        self.endNanoseconds = endNanoseconds
        self.endedBySessionEnd = endedBySessionEnd
    }

    /// How long the contact lasted, ns.
    @inlinable public var nanoseconds: UInt64 { endNanoseconds - startNanoseconds }
}
