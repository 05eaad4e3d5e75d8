// wire: one round trip = `Frame.encoded()` of a SetOutputs frame for 8 actuators, feed
// the wire bytes to a long-lived `FrameDecoder` (COBS, CRC-32C check, header and payload
// checks), take the decoded frame out of the event. That is `encodeAndDecode`, kept out of
// line so that scripts/bench-wire can count its instructions alone (callgrind
// `--toggle-collect`). Around it, the loop builds each frame and checks what came back:
// the benchmark's own work, in the loop figures but not in the round-trip figure.
//
// The intensities, the sequence number and so the CRC change on every round trip, so
// nothing can be hoisted or constant-folded; the check reads the decoded values (a cheap
// field check every trip, full `Frame ==` every 1024th), so nothing can be dropped.

import MassageWire
#if canImport(CCRC32C)
import CCRC32C
#endif

enum WireBenchmark {
    static let benchmark = Benchmark(
        name: "wire",
        summary: "encode + decode round trips of a SetOutputs frame for 8 actuators",
        run: run
    )

    /// Everything the round trips carry from one to the next.
    struct State {
        var decoder = FrameDecoder()
        /// Round trips whose decoded frame was missing, extra, an error or different.
        var mismatches = 0
        /// Mixes the decoded values, so the work is observable (printed in --iterations mode).
        var checksum: UInt64 = 0
        /// Wire bytes of the last frame encoded.
        var wireBytes = 0
    }

    /// What one round trip gave back.
    struct RoundTrip {
        /// The frame of the last `.frame` event: this round trip's when `frames` is 1
        /// (otherwise it may be stale, and the check fails on `frames` anyway).
        var received = Frame(sequence: 0, message: .stop)
        /// `.frame` events the decoder reported for the frame's bytes (1 when all is well).
        var frames = 0
        /// `.error` events (0 when all is well).
        var errors = 0
        /// Bytes on the wire, delimiter included.
        var wireBytes = 0
    }

    /// One round trip, and nothing else: encode `sent`, feed the wire bytes to `decoder`,
    /// take the decoded frame out of the event, all written into `trip` (in place: no
    /// result to copy out). Never inlined: scripts/bench-wire counts the instructions of
    /// this function alone (its name is in the script).
    @inline(never)
    static func encodeAndDecode(_ sent: borrowing Frame, with decoder: inout FrameDecoder, into trip: inout RoundTrip) {
        let wire = sent.encoded()
        trip.wireBytes = wire.count
        trip.frames = 0
        trip.errors = 0
        decoder.feed(wire) { event in
            switch event {
            case .frame(let frame):
                trip.received = frame
                trip.frames &+= 1
            case .error:
                trip.errors &+= 1
            }
        }
    }

    /// Round trips `first ..< first + count`; the same code for timed and counted runs.
    @inline(never)
    static func roundTrips(from first: Int, count: Int, _ state: inout State) {
        var trip = RoundTrip()
        for i in first ..< first &+ count {
            let sequence = UInt8(truncatingIfNeeded: i)
            // 8 intensities in 0 ... 938, all different and all changing every trip.
            let base = UInt16(truncatingIfNeeded: i) & 0x1FF
            var intensities = Intensities()
            for k: UInt16 in 0 ..< 8 { intensities.append(base &+ k &* 61) }
            let sent = Frame(
                sequence: sequence,
                message: .setOutputs(SetOutputs(leaseMilliseconds: 200, heaterSetpoint: 380, intensities: intensities))
            )

            encodeAndDecode(sent, with: &state.decoder, into: &trip)
            state.wireBytes = trip.wireBytes

            // The cheap check, every trip: header, fixed fields, count and one intensity.
            let probe = i & 7
            let received = trip.received
            guard trip.frames == 1, trip.errors == 0, received.sequence == sequence,
                  case .setOutputs(let outputs) = received.message,
                  outputs.leaseMilliseconds == 200, outputs.heaterSetpoint == 380,
                  outputs.intensities.count == 8, outputs.intensities[probe] == intensities[probe]
            else {
                state.mismatches &+= 1
                continue
            }
            // The full check, every 1024th trip.
            if i & 1023 == 0 && received != sent { state.mismatches &+= 1 }
            state.checksum = (state.checksum &* 31) &+ UInt64(outputs.intensities[probe]) &+ UInt64(received.sequence)
        }
    }

    static func run(_ options: BenchmarkOptions) -> Bool {
        var state = State()

        if let iterations = options.iterations {
            roundTrips(from: 0, count: iterations, &state)
            print("wire.roundtrip.checksum: \(iterations) round trips, checksum \(hex(state.checksum)), \(state.mismatches) mismatches")
            return state.mismatches == 0
        }

        let clock = ContinuousClock()
        let batch = 10_000
        var next = 0

        // Warm-up (caches, branch predictors, CPU frequency), not counted.
        let warmUpEnd = clock.now.advanced(by: .milliseconds(100))
        while clock.now < warmUpEnd {
            roundTrips(from: next, count: batch, &state)
            next &+= batch
        }

        let runs = max(1, Int((options.seconds / options.runSeconds).rounded()))
        let runLength = Duration.nanoseconds(Int64(options.runSeconds * 1e9))
        var rates: [Double] = []
        var total = 0
        for _ in 0 ..< runs {
            var done = 0
            let start = clock.now
            var elapsed = Duration.zero
            repeat {
                roundTrips(from: next, count: batch, &state)
                next &+= batch
                done += batch
                elapsed = start.duration(to: clock.now)
            } while elapsed < runLength
            total += done
            rates.append(Double(done) / seconds(elapsed))
        }
        rates.sort()
        let median = rates.count % 2 == 1
            ? rates[rates.count / 2]
            : (rates[rates.count / 2 - 1] + rates[rates.count / 2]) / 2

        print("wire.roundtrip: \(scientific(median)) round trips/s (\(fixed(1e9 / median, 1)) ns each), 1 core")
        print("wire.roundtrip.median: \(Int(median.rounded())) round trips/s")
        print("wire.roundtrip.runs: \(runs) x \(fixed(options.runSeconds, 2)) s, min \(scientific(rates.first!)), "
              + "median \(scientific(median)), max \(scientific(rates.last!)) round trips/s")
        print("wire.roundtrip.frame: SetOutputs, 8 actuators, \(state.wireBytes) bytes on the wire")
        print("wire.crc32c.engine: \(crcEngine)")
        print("wire.roundtrip.check: \(total) timed round trips, \(state.mismatches) mismatches")
        if state.mismatches != 0 {
            print("wire.roundtrip: FAILED: \(state.mismatches) decoded frames differ from the frames encoded")
        }
        return state.mismatches == 0
    }
}

/// Which CRC-32C code MassageWire runs on this machine (the same run-time choice it makes).
var crcEngine: String {
    #if canImport(CCRC32C)
    switch ccrc32c_engine() {
    case Int32(CCRC32C_ENGINE_SSE42): return "hardware, x86-64 SSE4.2 crc32"
    case Int32(CCRC32C_ENGINE_ARMV8_CRC32): return "hardware, AArch64 CRC32 crc32c"
    default: return "software, slicing-by-8 tables (no CRC-32C instructions on this CPU)"
    }
    #else
    return "software, slicing-by-8 tables"
    #endif
}

// MARK: - Formatting without Foundation

func seconds(_ d: Duration) -> Double {
    let c = d.components
    return Double(c.seconds) + Double(c.attoseconds) * 1e-18
}

/// `x` with `decimals` digits after the point (x ≥ 0).
func fixed(_ x: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0 ..< decimals { scale *= 10 }
    let scaled = (x * scale).rounded()
    guard scaled.isFinite, scaled < 9e18 else { return "\(x)" }
    let n = Int(scaled)
    let whole = n / Int(scale)
    guard decimals > 0 else { return "\(whole)" }
    let fraction = String(n % Int(scale))
    return "\(whole)." + String(repeating: "0", count: decimals - fraction.count) + fraction
}

/// `x` as `6.12e6` (three significant digits; x > 0).
func scientific(_ x: Double) -> String {
    guard x.isFinite, x > 0 else { return "\(x)" }
    var exponent = 0
    var mantissa = x
    while mantissa >= 10 { mantissa /= 10; exponent += 1 }
    while mantissa < 1 { mantissa *= 10; exponent -= 1 }
    if (mantissa * 100).rounded() >= 1000 { mantissa /= 10; exponent += 1 }
    return "\(fixed(mantissa, 2))e\(exponent)"
}

func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
}
