// scheduler: the real-time scheduler for an 8-actuator device with heat.
//
//  1. tick cost: ns per tick of SchedulerCore (source → intensity → SafetyGovernor →
//     OutputMailbox → statistics) on a manual clock, median of runs, one core;
//  2. wake lateness: the scheduler on its own thread at 1 kHz for --seconds (SCHED_FIFO 80
//     and mlockall when permitted, the normal policy otherwise, and it says which), a
//     consumer thread taking the newest levels every 10 ms as a device session would;
//     p50 / p99 / p99.9 / max of (wake − deadline).
//  --iterations N: exactly N ticks on the manual clock and a checksum line, for counting
//  allocations under valgrind (scripts/bench-scheduler does: allocs(N2) − allocs(N1)).
//
// Allocations are not counted in-process: glibc's mallinfo2() is not visible to Swift
// (malloc.h is not part of the Glibc module), and its deltas only show bytes still in
// use, so an allocation freed within the tick would go unseen. valgrind counts every
// malloc/calloc/realloc call.

#if canImport(Glibc)
import Glibc
#endif
import MassageKit
import MassageWire

enum SchedulerBenchmark {
    static let benchmark = Benchmark(
        name: "scheduler",
        summary: "scheduler: ns per tick (8 actuators + heat) and wake lateness at 1 kHz on its RT thread",
        run: run
    )

    static let actuators = 8

    /// A peak going round an 8-actuator ring once a second, heat at 38.0 °C.
    struct RingWave: TickSource, Sendable {
        var endMicroseconds: UInt64
        mutating func levels(atMicroseconds microseconds: UInt64, into levels: inout OutputLevels) -> TickResult {
            if microseconds >= endMicroseconds { return .finished }
            let phase = Int((microseconds / 1000) % 1000)
            for k in 0..<levels.intensities.count {
                let p = (phase + k * 125) % 1000
                levels.intensities[k] = UInt16(200 + (p < 500 ? p : 1000 - p))
            }
            levels.heaterSetpoint = 380
            return .running
        }
    }

    static func makeCore(rate: Int, endMicroseconds: UInt64) -> SchedulerCore<RingWave, OutputMailbox>? {
        do {
            let configuration = try SchedulerConfiguration(rateHertz: rate, actuatorCount: actuators)
            let limits = try SafetyLimits(
                actuatorAccelerations: Array(repeating: 800, count: actuators), heaterCap: 410, maxIntensity: 900,
                slewStepPerTick: SafetyLimits.slewStep(perSecond: 20_000, rateHertz: rate), doseStopPoints: 400,
                maxSessionMicroseconds: SafetyLimits.longestSessionMicroseconds)
            return SchedulerCore(configuration: configuration, source: RingWave(endMicroseconds: endMicroseconds),
                                 sink: OutputMailbox(), governor: SafetyGovernor(limits: limits),
                                 control: try SchedulerControl(intensityPercent: 80))
        } catch {
            print("scheduler: FAILED: \(error)")
            return nil
        }
    }

    /// Runs `count` ticks on `clock`; false when the run ended early.
    @inline(never)
    static func tick(_ count: Int, _ core: inout SchedulerCore<RingWave, OutputMailbox>, _ clock: inout ManualClock) -> Bool {
        for _ in 0..<count {
            guard case .sleep(let deadline) = core.tick(now: clock.now) else { return false }
            clock.now = deadline
        }
        return true
    }

    static func run(_ options: BenchmarkOptions) -> Bool {
        if let iterations = options.iterations {
            guard var core = makeCore(rate: 1000, endMicroseconds: .max) else { return false }
            var clock = ManualClock()
            let ok = tick(iterations, &core, &clock)
            let last = core.sink.take()
            var checksum = UInt64(core.statistics.ticks)
            for value in last?.intensities ?? Intensities() { checksum = checksum &* 31 &+ UInt64(value) }
            print("scheduler.checksum: \(iterations) ticks, \(hex(checksum))")
            return ok && core.statistics.ticks == UInt64(iterations)
        }
        return tickCost(options) && lateness(options)
    }

    /// ns per tick on the manual clock: a fresh core per run (a run is well inside the
    /// 8-hour session limit), median of runs. Both the thread's CPU time and wall time:
    /// on a shared machine the wall figure includes the time other processes held the core.
    static func tickCost(_ options: BenchmarkOptions) -> Bool {
        let runs = max(3, Int((min(options.seconds, 3) / options.runSeconds).rounded()))
        var cpu: [Double] = []
        var wall: [Double] = []
        for _ in 0..<runs {
            guard var core = makeCore(rate: 1000, endMicroseconds: .max) else { return false }
            var manual = ManualClock()
            guard tick(10_000, &core, &manual) else { return false }   // warm-up
            let cpuStart = threadCPUNanoseconds()
            let wallStart = monotonicNanoseconds()
            var ticks = 0
            repeat {
                guard tick(100_000, &core, &manual) else { print("scheduler: FAILED: the run ended early"); return false }
                ticks += 100_000
            } while Double(threadCPUNanoseconds() - cpuStart) < options.runSeconds * 1e9
            cpu.append(Double(threadCPUNanoseconds() - cpuStart) / Double(ticks))
            wall.append(Double(monotonicNanoseconds() - wallStart) / Double(ticks))
        }
        cpu.sort()
        wall.sort()
        print("scheduler.tick: \(fixed(cpu[cpu.count / 2], 1)) ns of CPU per tick (8 actuators + heater: source, intensity, governor, mailbox, statistics), median of \(runs) runs; min \(fixed(cpu[0], 1)), max \(fixed(cpu[cpu.count - 1], 1))")
        print("scheduler.tick_wall: \(fixed(wall[wall.count / 2], 1)) ns of wall time per tick (median; above the CPU figure when other processes share the core)")
        return true
    }

    static func threadCPUNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Wake lateness of the real thread at 1 kHz for `options.seconds`.
    static func lateness(_ options: BenchmarkOptions) -> Bool {
        let seconds = options.seconds
        let endMicroseconds = UInt64(seconds * 1e6)
        guard let core = makeCore(rate: 1000, endMicroseconds: endMicroseconds) else { return false }
        let sink = core.sink
        let scheduler: RealtimeScheduler<RingWave, OutputMailbox>
        do {
            scheduler = try RealtimeScheduler(core: core, options: RealtimeOptions(fifoPriority: 80, lockMemory: true))
        } catch {
            print("scheduler: FAILED: \(error)")
            return false
        }
        for line in scheduler.grant.summary.split(separator: "\n") { print("scheduler.grant: " + line.trimmingLeadingSpaces) }
        print("scheduler.policy: \(scheduler.grant.fifoPriority.map { "fifo \($0)" } ?? "other") \(scheduler.grant.memoryLocked ? "locked" : "unlocked")")
        // The consumer a device session would be: take the newest levels every 10 ms.
        var taken = 0
        while !scheduler.isFinished {
            if sink.take() != nil { taken += 1 }
            usleep(10_000)
        }
        let report = scheduler.wait()
        let statistics = report.statistics
        let histogram = statistics.lateness
        func micro(_ ns: UInt64) -> String { fixed(Double(ns) / 1000, 1) }
        print("scheduler.lateness: p50 \(micro(histogram.p50)) µs, p99 \(micro(histogram.p99)) µs, p99.9 \(micro(histogram.p999)) µs, max \(micro(histogram.maximum)) µs over \(histogram.count) wakes at 1 kHz (\(fixed(seconds, 0)) s)")
        print("scheduler.lateness_ns: \(histogram.p50) \(histogram.p99) \(histogram.p999) \(histogram.maximum)")
        print("scheduler.run: \(statistics.summary)")
        let expected = UInt64(endMicroseconds / 1000) + 1
        let ok = report.outcome == .finished && statistics.ticks + statistics.skippedDeadlines == expected && taken > 0
        if !ok {
            print("scheduler: FAILED: outcome \(report.outcome), \(statistics.ticks) ticks + \(statistics.skippedDeadlines) skipped, expected \(expected) deadlines; \(taken) takes")
        }
        return ok
    }
}

extension Substring {
    fileprivate var trimmingLeadingSpaces: Substring { drop { $0 == " " } }
}
