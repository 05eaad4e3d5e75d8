// pattern: nanoseconds per evaluation of vibration patterns on an 8-actuator ring, and
// (under valgrind) how many heap allocations evaluation makes: it must be 0, since the
// scheduler runs patterns on its real-time thread.
//
// Timed: a 6-minute program (a repeating sequence of envelope + circular, crossfade of
// wave into knead, rock mixed with taps, a trigger-point hold, a scaled pulse) evaluated
// at 1 ms steps of pattern time, as a 1 kHz tick would, into `OutputLevels`; then each
// primitive and combinator on its own. Every evaluation's per-mille values feed a
// checksum and a range check (all ≤ 1000, count 8), so nothing can be dropped.
//
// Allocations are counted by valgrind (memcheck replaces malloc, calloc, realloc,
// aligned_alloc and friends, and every Swift heap object goes through one of them): run
// the `--iterations` mode, which builds the patterns and then does exactly N evaluations of
// the program 3.7 ms apart (100 000 cover all 6 minutes, every step), with N = 0 and N = 100 000, and compare the "total heap usage: … allocs" lines.
// The difference is what 100 000 evaluations allocated; it must be 0.
//
//   swift build -c release --product massage-bench
//   valgrind .build/release/massage-bench pattern --iterations 0      2>&1 | grep 'total heap usage'
//   valgrind .build/release/massage-bench pattern --iterations 100000 2>&1 | grep 'total heap usage'
//
// (Swapping the Swift runtime's exported `_swift_allocObject` pointer to count in process
// was tried: on this Linux runtime it crashes on the next retain, so it is not used.)

import MassageKit
import MassageWire

enum PatternBenchmark {
    static let benchmark = Benchmark(
        name: "pattern",
        summary: "ns per pattern evaluation on an 8-actuator ring, and allocations per evaluation",
        run: run
    )

    /// What the evaluations carry from one to the next.
    struct State {
        var outputs = OutputLevels.off(actuatorCount: 8)
        var checksum: UInt64 = 0
        /// Evaluations whose result was not 8 values in 0 … 1000.
        var bad = 0
    }

    /// `count` evaluations of `pattern`, evaluation k at `k × step` seconds for k from `first`.
    @inline(never)
    static func evaluate(_ pattern: Pattern, on geometry: ActuatorGeometry, from first: Int, count: Int,
                         step: Double = 0.001, _ state: inout State) {
        for k in first ..< first &+ count {
            pattern.evaluate(at: Double(k) * step, on: geometry, into: &state.outputs)
            let levels = state.outputs.intensities
            guard levels.count == 8 else { state.bad &+= 1; continue }
            var sum: UInt64 = 0
            for i in 0 ..< 8 {
                if levels[i] > 1000 { state.bad &+= 1 }
                sum = sum &* 1009 &+ UInt64(levels[i])
            }
            state.checksum = (state.checksum &* 31) &+ sum
        }
    }

    /// The program and the parts timed on their own.
    static func patterns() throws(PatternError) -> [NamedPattern] {
        let circular = Pattern.circular(try Circular(period: 1.2, width: 180, direction: .clockwise, low: 0.1, high: 0.8))
        let wave = Pattern.wave(try Wave(period: 4, width: 0.5, direction: .forward, axis: 90, low: 0.05, high: 0.7))
        let knead = Pattern.knead(try Knead(period: 2, grouping: .alternating, low: 0.1, high: 0.7))
        let rock = Pattern.rock(try Rock(period: 6, width: 1, axis: 0, low: 0, high: 0.6))
        let tap = Pattern.tap(try Tap(period: 0.125, burst: 0.04, alternating: true, high: 0.9))
        let hold = Pattern.hold(try Hold(target: .towards(45), level: 0.8, build: 20, surround: 0.1))
        let pulse = Pattern.pulse(try Pulse(period: 2.5, duty: 0.6, attack: 0.4, release: 0.4, low: 0.1, high: 0.9))
        let ramp = Pattern.ramp(try Ramp(from: 0, to: 0.7, duration: 30))
        let envelope = Pattern.envelope(try Envelope(attack: 5, decay: 2, sustain: 0.8, release: 5, length: 60, of: circular))
        let crossfade = Pattern.crossfade(try Crossfade(from: wave, to: knead, start: 20, duration: 20))
        let mix = Pattern.mix(try Mix([rock, tap], mode: .sum))
        let scaled = Pattern.scale(try Scale(0.7, of: pulse))
        let program = Pattern.sequence(try PatternSequence([
            try SequenceStep(envelope, for: 60),
            try SequenceStep(crossfade, for: 60),
            try SequenceStep(mix, for: 60),
            try SequenceStep(hold, for: 60),
            try SequenceStep(scaled, for: 60),
            try SequenceStep(ramp, for: 60),
        ], repeats: true))
        return [
            NamedPattern("program", program),
            NamedPattern("constant", .constant(try Constant(level: 0.5))), NamedPattern("ramp", ramp),
            NamedPattern("pulse", pulse), NamedPattern("circular", circular), NamedPattern("wave", wave),
            NamedPattern("knead", knead), NamedPattern("tap", tap), NamedPattern("hold", hold),
            NamedPattern("rock", rock), NamedPattern("envelope", envelope), NamedPattern("scale", scaled),
            NamedPattern("crossfade", crossfade), NamedPattern("mix", mix),
        ]
    }

    struct NamedPattern {
        var name: String
        var pattern: Pattern
        init(_ name: String, _ pattern: Pattern) { self.name = name; self.pattern = pattern }
    }

    static func run(_ options: BenchmarkOptions) -> Bool {
        let geometry: ActuatorGeometry
        let named: [NamedPattern]
        do {
            geometry = try ActuatorGeometry.ring(count: 8)
            named = try patterns()
        } catch {
            print("pattern: FAILED: \(error)")
            return false
        }
        let program = named[0].pattern
        var state = State()

        if let iterations = options.iterations {
            // 3.7 ms apart, so 100 000 evaluations cover the whole 6-minute program and its repeat.
            evaluate(program, on: geometry, from: 0, count: iterations, step: 0.0037, &state)
            print("pattern.checksum: \(iterations) evaluations, checksum \(hex(state.checksum)), \(state.bad) out of range")
            return state.bad == 0
        }

        // Timed runs: the program gets half the time, the parts share the rest.
        let clock = ContinuousClock()
        let batch = 1000
        var next = 0
        func median(of pattern: Pattern, seconds: Double, runSeconds: Double) -> (median: Double, runs: Int) {
            let warmUpEnd = clock.now.advanced(by: .milliseconds(20))
            while clock.now < warmUpEnd {
                evaluate(pattern, on: geometry, from: next, count: batch, &state)
                next &+= batch
            }
            let runs = max(1, Int((seconds / runSeconds).rounded()))
            let runLength = Duration.nanoseconds(Int64(runSeconds * 1e9))
            var nanoseconds: [Double] = []
            for _ in 0 ..< runs {
                var done = 0
                let start = clock.now
                var elapsed = Duration.zero
                repeat {
                    evaluate(pattern, on: geometry, from: next, count: batch, &state)
                    next &+= batch
                    done += batch
                    elapsed = start.duration(to: clock.now)
                } while elapsed < runLength
                nanoseconds.append(benchSeconds(elapsed) * 1e9 / Double(done))
            }
            nanoseconds.sort()
            let n = nanoseconds.count
            return (n % 2 == 1 ? nanoseconds[n / 2] : (nanoseconds[n / 2 - 1] + nanoseconds[n / 2]) / 2, runs)
        }

        let programTime = median(of: program, seconds: options.seconds / 2, runSeconds: options.runSeconds)
        print("pattern.program: \(fixed(programTime.median, 1)) ns per evaluation (8-ring, 6 steps, 1 ms steps, "
              + "median of \(programTime.runs) x \(fixed(options.runSeconds, 2)) s), 1 core")
        let partSeconds = options.seconds / 2 / Double(named.count - 1)
        let partRun = min(options.runSeconds, partSeconds / 3)
        for part in named.dropFirst() {
            let (name, pattern) = (part.name, part.pattern)
            let t = median(of: pattern, seconds: partSeconds, runSeconds: partRun)
            print("pattern.\(name): \(fixed(t.median, 1)) ns per evaluation")
        }

        print("pattern.check: \(state.bad) evaluations out of range, checksum \(hex(state.checksum))")
        print("pattern.allocations: counted under valgrind, see the header of PatternBenchmark.swift")
        return state.bad == 0
    }
}

func benchSeconds(_ d: Duration) -> Double {
    let c = d.components
    return Double(c.seconds) + Double(c.attoseconds) * 1e-18
}
