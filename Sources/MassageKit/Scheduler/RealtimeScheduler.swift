#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// What to ask of the system for the scheduler's thread.
public struct RealtimeOptions: Equatable, Sendable {
    /// The SCHED_FIFO priority to ask for (1–99), or nil to run under the normal policy.
    public var fifoPriority: Int32?
    /// Whether to lock the memory the tick path uses (the scheduler thread's stack, 48 KB)
    /// while the scheduler runs, so a tick never waits on a page fault. Never
    /// `mlockall(MCL_FUTURE)`: with a finite RLIMIT_MEMLOCK that makes later allocations
    /// fail with ENOMEM in the middle of a run, and it multiplies resident memory.
    public var lockMemory: Bool
    /// Scheduler time per wall time (1 = real time), for playing on a faster simulator.
    public var speed: Double

    /// Checks the priority; the defaults ask for SCHED_FIFO 80 and locked memory, and fall
    /// back (with a note) when not permitted.
    public init(fifoPriority: Int32? = 80, lockMemory: Bool = true, speed: Double = 1) throws(SchedulerConfigurationError) {
        if let fifoPriority, !(1...99).contains(fifoPriority) { throw .priorityOutOfRange(fifoPriority) }
        self.fifoPriority = fifoPriority
        self.lockMemory = lockMemory
        self.speed = speed.isFinite && speed > 0 ? speed : 1
    }
}

/// How a real-time scheduler run went.
public struct SchedulerReport: Sendable {
    public var outcome: SchedulerOutcome
    public var statistics: SchedulerStatistics
    /// The governor's dose at the end, points.
    public var dosePoints: Double

    public init(outcome: SchedulerOutcome, statistics: SchedulerStatistics, dosePoints: Double) {
        self.outcome = outcome
        self.statistics = statistics
        self.dosePoints = dosePoints
    }
}

/// A scheduler core running on its own thread (never Swift's cooperative pool), sleeping
/// to absolute `CLOCK_MONOTONIC` deadlines, at SCHED_FIFO and with memory locked when the
/// system permits, under the normal policy otherwise (`grant` says which, and why).
///
/// Control it from any thread through `control`; `wait()` joins the thread and returns
/// the report. Memory locking is process-wide: run one locking scheduler at a time.
public final class RealtimeScheduler<Source: TickSource & Sendable, Sink: OutputSink>: Sendable {
    /// Pause, resume, stop, intensity, fault reports; live counters.
    public let control: SchedulerControl
    /// What the system granted.
    public let grant: RealtimeGrant
    private let runState: RunState
    private let thread: Mutex<pthread_t?>
    private let report: Mutex<SchedulerReport?> = Mutex(nil)

    /// The core and its result. Sendable because the new thread owns it until
    /// `pthread_join` returns, which orders the thread's writes before the joiner's reads;
    /// nobody touches it in between.
    private final class RunState: @unchecked Sendable {
        var core: SchedulerCore<Source, Sink>
        var outcome: SchedulerOutcome = .stoppedByRequest
        /// Set by the thread as its last act; safe to read from anywhere.
        let finished = Atomic<Bool>(false)
        init(core: SchedulerCore<Source, Sink>) { self.core = core }
    }

    /// Starts `core` on a new thread. Throws only when no thread can be created at all.
    public init(core: SchedulerCore<Source, Sink>, options: RealtimeOptions) throws(SchedulerThreadError) {
        control = core.control
        runState = RunState(core: core)
        var notes: [String] = []

        let state = runState
        let speed = options.speed
        let lockMemory = options.lockMemory
        // The thread says how its stack lock went before the first tick.
        let locking = ConditionLock<Result<Bool, Errno>?>(nil)
        let body = ThreadBody {
            var locked: UnsafeMutableRawBufferPointer? = nil
            if lockMemory {
                switch PosixRealtime.lockStack(bytes: PosixRealtime.lockedStackBytes) {
                case .success(let range):
                    locked = range
                    locking.withLock(signal: true) { $0 = .success(true) }
                case .failure(let error):
                    locking.withLock(signal: true) { $0 = .failure(error) }
                }
            } else {
                locking.withLock(signal: true) { $0 = .success(false) }
            }
            var clock = MonotonicClock(speed: speed)
            state.outcome = state.core.run(on: &clock)
            if let locked { PosixRealtime.unlock(locked) }
            state.finished.store(true, ordering: .releasing)
        }
        let stackBytes = 1 << 20
        var started: pthread_t? = nil
        var fifoPriority: Int32? = nil
        if let priority = options.fifoPriority {
            switch PosixRealtime.startThread(fifoPriority: priority, stackBytes: stackBytes, body: body) {
            case .success(let thread):
                started = thread
                fifoPriority = priority
            case .failure(let error):
                notes.append("SCHED_FIFO priority \(priority) refused (\(PosixRealtime.describe(error.code))): the scheduler runs under the normal policy, so other work can delay its wakes; grant CAP_SYS_NICE or an rtprio limit (/etc/security/limits.conf)")
            }
        }
        if started == nil {
            switch PosixRealtime.startThread(fifoPriority: nil, stackBytes: stackBytes, body: body) {
            case .success(let thread):
                started = thread
            case .failure(let error):
                throw .threadNotStarted(errno: error.code, message: PosixRealtime.describe(error.code))
            }
        }
        var memoryLocked = false
        let lockOutcome = locking.wait(until: .now + .seconds(5)) { $0 }
        switch lockOutcome {
        case .success(let locked)?: memoryLocked = locked
        case .failure(let error)?:
            let limit = PosixRealtime.memoryLockLimit.map { "RLIMIT_MEMLOCK is \($0 / 1024) KB" } ?? "no RLIMIT_MEMLOCK"
            notes.append("the scheduler's stack could not be locked (\(error.text); \(limit)): a page fault can delay a tick; run with CAP_IPC_LOCK or `ulimit -l 64` or more")
        case nil: break
        }
        thread = Mutex(started)
        grant = RealtimeGrant(fifoPriority: fifoPriority, memoryLocked: memoryLocked, notes: notes)
    }

    /// Dropping a scheduler that is still running stops it (outputs go to zero at the
    /// next tick) and waits for its thread, so no exit path leaves it driving the device.
    deinit {
        control.stop()
        if let running = thread.withLock({ thread -> pthread_t? in
            defer { thread = nil }
            return thread
        }) {
            PosixRealtime.join(running)
        }
    }

    /// True once the run has ended (`wait()` then returns at once).
    public var isFinished: Bool { runState.finished.load(ordering: .acquiring) }

    /// Waits for the run to end (the program finished, `control.stop()`, or a safety
    /// stop) and returns what happened. Later calls return the same report.
    public func wait() -> SchedulerReport {
        if let running = thread.withLock({ thread -> pthread_t? in
            defer { thread = nil }
            return thread
        }) {
            PosixRealtime.join(running)
            let finished = SchedulerReport(outcome: runState.outcome, statistics: runState.core.statistics,
                                           dosePoints: runState.core.governor.dose.points)
            report.withLock { $0 = finished }
            return finished
        }
        // Another caller is joining or has joined; wait for its report.
        while true {
            if let done = report.withLock({ $0 }) { return done }
            PosixRealtime.sleep(untilMonotonicNanoseconds: PosixRealtime.monotonicNanoseconds() + 1_000_000)
        }
    }
}

/// The scheduler's thread could not be started.
public enum SchedulerThreadError: Error, Equatable, Sendable, CustomStringConvertible {
    case threadNotStarted(errno: Int32, message: String)

    public var description: String {
        switch self {
        case .threadNotStarted(let code, let message):
            "could not start the scheduler thread: \(message) (errno \(code)); the system is out of threads or memory, try again with fewer processes running"
        }
    }
}
