// massage-bench: plain-Swift micro-benchmarks for massage-control (no benchmark package).
//
//   swift run -c release massage-bench BENCHMARK [options]
//   swift run -c release massage-bench wire                   # timed, median of 0.5 s runs
//   swift run -c release massage-bench wire --seconds 5       # about 5 s of timed runs
//   swift run -c release massage-bench wire --iterations N    # exactly N, checksum only (callgrind)
//
// One file per benchmark; each registers itself in `benchmarks` below. Output lines start
// with `<benchmark>.<measure>:` so scripts can grep them. Exit status 1 when a benchmark's
// own check fails (the work it measured gave a wrong answer), 2 on a usage error.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What every benchmark gets from the command line.
struct BenchmarkOptions: Sendable {
    /// Total time to spend in timed runs (split into runs of `runSeconds`).
    var seconds: Double = 3
    /// Length of one timed run; the reported figure is the median over runs.
    var runSeconds: Double = 0.5
    /// When set: do exactly this many operations, print only a checksum line.
    var iterations: Int? = nil
}

/// One benchmark: a name for the command line and a body that prints its own lines and
/// returns false when its self-check failed.
struct Benchmark: Sendable {
    var name: String
    var summary: String
    var run: @Sendable (BenchmarkOptions) -> Bool
}

/// Every benchmark, in the order `--help` lists them. Add new ones here.
let benchmarks: [Benchmark] = allBenchmarks()

func allBenchmarks() -> [Benchmark] {
    [
        WireBenchmark.benchmark,
        SimulatorBenchmark.benchmark,
        SchedulerBenchmark.benchmark,
        LinkBenchmark.benchmark,
        PatternBenchmark.benchmark,
        MatBenchmark.benchmark,
        RehearsalBenchmark.benchmark,
    ]
}

func usage() -> String {
    var text = """
    usage: massage-bench BENCHMARK [--seconds S] [--run-seconds R] [--iterations N]
      --seconds S      time spent in timed runs, default 3 (runs of R seconds, median reported)
      --run-seconds R  length of one timed run, default 0.5
      --iterations N   do exactly N operations, print only a checksum (for callgrind)
    benchmarks:
    """
    for b in allBenchmarks() {
        text += "\n  " + b.name + String(repeating: " ", count: max(1, 10 - b.name.count)) + b.summary
    }
    return text
}

func fail(_ message: String) -> Never {
    var standardError = StandardError()
    print("massage-bench: \(message)\n\(usage())", to: &standardError)
    exit(2)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { writeToStandardError(string) }
}

func writeToStandardError(_ string: String) {
    var string = string
    string.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

var arguments = CommandLine.arguments.dropFirst()
guard let name = arguments.popFirst() else { fail("no benchmark named") }
if name == "-h" || name == "--help" { print(usage()); exit(0) }
guard let benchmark = benchmarks.first(where: { $0.name == name }) else { fail("unknown benchmark '\(name)'") }

var options = BenchmarkOptions()
while let flag = arguments.popFirst() {
    guard let value = arguments.popFirst() else { fail("\(flag) needs a value") }
    switch flag {
    case "--seconds":
        guard let s = Double(value), s > 0 else { fail("bad --seconds '\(value)'") }
        options.seconds = s
    case "--run-seconds":
        guard let s = Double(value), s > 0 else { fail("bad --run-seconds '\(value)'") }
        options.runSeconds = s
    case "--iterations":
        guard let n = Int(value), n >= 0 else { fail("bad --iterations '\(value)'") }
        options.iterations = n
    default:
        fail("unknown option '\(flag)'")
    }
}

exit(benchmark.run(options) ? 0 : 1)
