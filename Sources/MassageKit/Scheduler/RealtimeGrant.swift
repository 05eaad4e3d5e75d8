/// What the system granted the scheduler's thread, for the CLI to say.
public struct RealtimeGrant: Equatable, Sendable {
    /// The SCHED_FIFO priority the thread runs at; nil when it runs under the normal
    /// (SCHED_OTHER) policy.
    public var fifoPriority: Int32?
    /// Whether the tick path's memory (the scheduler thread's stack) is locked, so it never waits
    /// on a page fault.
    public var memoryLocked: Bool
    /// Why something asked for was not granted, and what to do about it; empty when
    /// everything asked for was granted.
    public var notes: [String]

    public init(fifoPriority: Int32?, memoryLocked: Bool, notes: [String]) {
        self.fifoPriority = fifoPriority
        self.memoryLocked = memoryLocked
        self.notes = notes
    }

    /// One line: `real time: SCHED_FIFO priority 80, memory locked`.
    public var summary: String {
        var parts = [fifoPriority.map { "SCHED_FIFO priority \($0)" } ?? "normal scheduling (SCHED_OTHER)"]
        parts.append(memoryLocked ? "memory locked" : "memory not locked")
        var line = "real time: " + parts.joined(separator: ", ")
        for note in notes { line += "\n  note: " + note }
        return line
    }
}
