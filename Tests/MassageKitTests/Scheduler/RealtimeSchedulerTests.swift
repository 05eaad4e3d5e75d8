#if canImport(Glibc)
import Glibc
#endif
import MassageKit
import MassageWire
import Synchronization
import Testing

/// The scheduler on its real thread, briefly: that it ticks on a thread of its own at the
/// policy it reports, stops when asked, and ends when the program does.
@Suite(.serialized) struct RealtimeSchedulerTests {
    /// Records, from inside the tick, which thread and policy it runs on.
    struct ThreadProbe: TickSource, Sendable {
        let observed: ObservedThread
        let endMicroseconds: UInt64
        mutating func levels(atMicroseconds microseconds: UInt64, into levels: inout OutputLevels) -> TickResult {
            if microseconds == 0 {
                var policy: Int32 = 0
                var parameters = sched_param()
                pthread_getschedparam(pthread_self(), &policy, &parameters)
                observed.state.withLock { $0 = (policy, parameters.sched_priority, UInt(pthread_self())) }
            }
            for i in 0..<levels.intensities.count { levels.intensities[i] = 400 }
            return microseconds >= endMicroseconds ? .finished : .running
        }
    }

    final class ObservedThread: Sendable {
        let state = Mutex<(policy: Int32, priority: Int32, thread: UInt)?>(nil)
    }

    func start(source: ThreadProbe, sink: OutputMailbox, rate: Int, options: RealtimeOptions) throws -> RealtimeScheduler<ThreadProbe, OutputMailbox> {
        let configuration = try SchedulerConfiguration(rateHertz: rate, actuatorCount: 4)
        let core = SchedulerCore(configuration: configuration, source: source, sink: sink,
                                 governor: SafetyGovernor(limits: try permissiveLimits(actuators: 4)),
                                 control: try SchedulerControl())
        return try RealtimeScheduler(core: core, options: options)
    }

    @Test func ticksOnItsOwnThreadAtThePolicyItReportsAndFinishes() throws {
        let observed = ObservedThread()
        let sink = OutputMailbox()
        let scheduler = try start(source: ThreadProbe(observed: observed, endMicroseconds: 200_000), sink: sink,
                                  rate: 1000, options: try RealtimeOptions(fifoPriority: 80, lockMemory: true))
        print(scheduler.grant.summary)
        let report = scheduler.wait()
        #expect(report.outcome == .finished)
        // 0 … 200 ms at 1 kHz; overruns (a loaded machine) skip deadlines but still end there.
        #expect(report.statistics.ticks + report.statistics.skippedDeadlines == 201)
        #expect(report.statistics.lateness.count == report.statistics.ticks)
        print("real thread, 1 kHz for 200 ms: \(report.statistics.summary)")

        let seen = try #require(observed.state.withLock { $0 })
        #expect(seen.thread != UInt(pthread_self()))
        if let priority = scheduler.grant.fifoPriority {
            #expect(seen.policy == SCHED_FIFO)
            #expect(seen.priority == priority)
        } else {
            #expect(seen.policy == SCHED_OTHER)
            #expect(scheduler.grant.notes.contains { $0.contains("SCHED_FIFO") })
        }
        if !scheduler.grant.memoryLocked {
            #expect(scheduler.grant.notes.contains { $0.contains("mlockall") })
        }
        // The last offer is the finished tick's zero.
        #expect(sink.take()?.isOff == true)
    }

    @Test func stopsWhenAskedAndTheLastOfferIsZero() throws {
        let sink = OutputMailbox()
        let scheduler = try start(source: ThreadProbe(observed: ObservedThread(), endMicroseconds: .max), sink: sink,
                                  rate: 100, options: try RealtimeOptions(fifoPriority: nil, lockMemory: false))
        #expect(scheduler.grant == RealtimeGrant(fifoPriority: nil, memoryLocked: false, notes: []))
        // Wait (at most 5 s) until it has ticked a few times, then stop it.
        let began = PosixClock.now
        while scheduler.control.ticks < 3 && PosixClock.now - began < 5_000_000_000 { usleep(2000) }
        #expect(scheduler.control.ticks >= 3)
        #expect(sink.take()?.intensities[0] == 400)
        scheduler.control.stop()
        let report = scheduler.wait()
        #expect(report.outcome == .stoppedByRequest)
        #expect(sink.take()?.isOff == true)
        #expect(report.statistics.framesOffered == report.statistics.ticks)
        // Two takes, each of the newest offer; every other offer was replaced unsent.
        let delivery = try #require(sink.deliveryCounts)
        #expect(delivery.sent == 2)
        #expect(delivery.sent + delivery.coalesced == report.statistics.framesOffered)
        #expect(sink.offers == report.statistics.framesOffered)
        // A second wait returns the same report.
        #expect(scheduler.wait().statistics.ticks == report.statistics.ticks)
    }

    @Test func aPriorityOutsideOneToNinetyNineIsRefused() {
        #expect(throws: SchedulerConfigurationError.priorityOutOfRange(100)) { try RealtimeOptions(fifoPriority: 100) }
        #expect(throws: SchedulerConfigurationError.priorityOutOfRange(0)) { try RealtimeOptions(fifoPriority: 0) }
    }
}

enum PosixClock {
    static var now: UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

extension RealtimeSchedulerTests {
    @Test func droppingARunningSchedulerStopsItWithOutputsAtZero() throws {
        let sink = OutputMailbox()
        do {
            let scheduler = try start(source: ThreadProbe(observed: ObservedThread(), endMicroseconds: .max), sink: sink,
                                      rate: 200, options: try RealtimeOptions(fifoPriority: nil, lockMemory: false))
            let began = PosixClock.now
            while scheduler.control.ticks < 2 && PosixClock.now - began < 5_000_000_000 { usleep(2000) }
            #expect(!scheduler.isFinished)
        }
        // The scheduler is gone; its thread was stopped and joined, the last offer zero.
        let offers = sink.offers
        #expect(offers >= 2)
        #expect(sink.take()?.isOff == true)
        usleep(20_000)
        #expect(sink.offers == offers)
    }
}
