/// What a mat session came to: how long the body was on the mat, each zone's contact
/// time, the longest stretch, how often the body got off, and whether anything may have
/// been missed. Every time is exact on the source's timestamps (ns; a MatReport's µs are
/// × 1000, so exact to the µs).
public struct MatSessionSummary: Equatable, Sendable {
    /// Session start on the source's clock, ns.
    public var startNanoseconds: UInt64
    /// Session end on the source's clock, ns.
    public var endNanoseconds: UInt64
    /// Time with at least one zone in contact, ns.
    public var timeOnMatNanoseconds: UInt64
    /// Contact time of each zone, ns, indexed by zone (zone count entries).
    public var zoneContactNanoseconds: [UInt64]
    /// The longest stretch the body stayed on the mat, ns.
    public var longestContactNanoseconds: UInt64
    /// How many times the body came onto the mat (an empty mat became touched).
    public var timesOn: Int
    /// How many times the body left the mat (a touched mat became empty). A body still on
    /// the mat when the session ends has not left it.
    public var timesLeft: Int
    /// Whether the body was on the mat at the end.
    public var onMatAtEnd: Bool
    /// GPIO event-buffer overflows reported: edges may have been lost.
    public var overflowCount: Int
    /// The zones that overflowed.
    public var overflowedZones: ZoneSet
    /// Inputs stamped earlier than one already taken (or before the session start): they
    /// were counted at the newest time seen instead.
    public var lateInputs: Int
    /// Inputs for zones past the configured zone count: ignored.
    public var unknownZoneInputs: Int

    /// `endNanoseconds − startNanoseconds`.
    @inlinable public var sessionNanoseconds: UInt64 { endNanoseconds - startNanoseconds }

    /// True when no event can have been lost or moved: no overflow and no late input.
    @inlinable public var isExact: Bool { overflowCount == 0 && lateInputs == 0 }

    /// Time on the mat as a `Duration`.
    public var timeOnMat: Duration { .nanoseconds(Int64(clamping: timeOnMatNanoseconds)) }
    /// The session's length as a `Duration`.
    public var sessionLength: Duration { .nanoseconds(Int64(clamping: sessionNanoseconds)) }
    /// The longest stretch on the mat as a `Duration`.
    public var longestContact: Duration { .nanoseconds(Int64(clamping: longestContactNanoseconds)) }

    /// Progress toward `goal` if `earlierTodayNanoseconds` were already spent on the mat
    /// today before this session.
    public func progress(towardGoalNanoseconds goal: UInt64, earlierTodayNanoseconds: UInt64 = 0) -> MatGoalProgress {
        MatGoalProgress(goalNanoseconds: goal, doneNanoseconds: saturatingAdd(earlierTodayNanoseconds, timeOnMatNanoseconds))
    }
}
