// sim: simulated seconds per wall-clock second for the 4-motor handheld and the 16-zone
// mat side by side, both at a 1 kHz device tick, with a host in front of each: the
// handheld gets SetOutputs at 50 Hz (a circular pattern with heat), the mat a Heartbeat
// at 10 Hz; every byte both devices send is decoded. That is what a CI run of the
// simulator does.
//
// The check: at the end both sessions are up with no fault, the handheld is running, and
// the host decoded the Status and MatReport frames the configured periods promise. The
// handheld's host starts a new session every 10 simulated minutes (30 minutes of heat in
// one session is the device's limit, and it enforces it).

import MassageFirmware
import MassageSimulator
import MassageWire

enum SimulatorBenchmark {
    static let benchmark = Benchmark(
        name: "sim",
        summary: "simulated seconds per wall-clock second: 4-motor handheld + 16-zone mat at 1 kHz",
        run: run
    )

    struct State {
        var handheld = SimulatedDevice(profile: .handheldRing4, seed: 1)
        var mat = SimulatedDevice(profile: .mat16, seed: 2)
        var decoder = FrameDecoder()
        var inbox: [UInt8] = []
        var statuses = 0
        var matReports = 0
        var sequence: UInt8 = 0
        var simulated: UInt64 = 0

        init() {
            inbox.reserveCapacity(4096)
            handheld.hostSend(Frame(sequence: 0, message: .hello(Hello())).encoded())
            mat.hostSend(Frame(sequence: 0, message: .hello(Hello())).encoded())
        }
    }

    /// Simulates `milliseconds` more of both devices, in 20 ms host periods.
    @inline(never)
    static func simulate(milliseconds: Int, _ s: inout State) {
        for _ in 0 ..< milliseconds / 20 {
            s.sequence &+= 1
            let t = s.simulated / 1000   // ms
            if t % 600_000 == 599_980 {
                // A new session every 10 simulated minutes, as a user would start one: the
                // device allows 30 minutes of heat per session and would rightly stop.
                s.handheld.hostSend(Frame(sequence: s.sequence, message: .hello(Hello())).encoded())
                s.sequence &+= 1
            }
            var intensities = Intensities()
            for k in 0 ..< 4 {
                // A peak going round the ring once a second.
                let phase = Int((t + UInt64(k) * 250) % 1000)
                intensities.append(UInt16(200 + (phase < 500 ? phase : 1000 - phase)))
            }
            s.handheld.hostSend(Frame(sequence: s.sequence, message: .setOutputs(
                SetOutputs(leaseMilliseconds: 200, heaterSetpoint: 380, intensities: intensities))).encoded())
            if s.sequence % 5 == 0 { s.mat.hostSend(Frame(sequence: s.sequence, message: .heartbeat).encoded()) }

            s.simulated += 20_000
            s.handheld.run(until: s.simulated)
            s.mat.run(until: s.simulated)

            s.inbox.removeAll(keepingCapacity: true)
            s.handheld.hostReceive(into: &s.inbox)
            s.mat.hostReceive(into: &s.inbox)
            var statuses = 0, reports = 0
            s.decoder.feed(s.inbox) { event in
                guard case .frame(let frame) = event else { return }
                switch frame.message {
                case .status, .statusReport: statuses += 1
                case .matReport: reports += 1
                default: break
                }
            }
            s.statuses += statuses
            s.matReports += reports
        }
    }

    static func check(_ s: State) -> Bool {
        let seconds = Double(s.simulated) / 1e6
        // Status every 100 ms from each device, MatReport every 50 ms from the mat.
        let ok = s.handheld.core.faults.isEmpty && s.mat.core.faults.isEmpty
            && s.handheld.core.state == .running && s.mat.core.sessionActive
            && Double(s.statuses) >= 2 * 10 * seconds - 4 && Double(s.matReports) >= 20 * seconds - 2
        if !ok {
            print("sim: FAILED: handheld \(s.handheld.core.state) faults 0x\(String(s.handheld.core.faults.rawValue, radix: 16)), "
                  + "mat faults 0x\(String(s.mat.core.faults.rawValue, radix: 16)), \(s.statuses) Status and "
                  + "\(s.matReports) MatReport frames over \(fixed(seconds, 1)) simulated s")
        }
        return ok
    }

    static func run(_ options: BenchmarkOptions) -> Bool {
        var state = State()
        if let iterations = options.iterations {
            // `iterations` simulated milliseconds (device ticks), for callgrind.
            simulate(milliseconds: iterations, &state)
            print("sim.checksum: \(iterations) ms simulated, \(state.statuses) Status, \(state.matReports) MatReport")
            return check(state)
        }

        let clock = ContinuousClock()
        simulate(milliseconds: 2000, &state)   // warm-up, and past the mat's first lie-down
        let runs = max(1, Int((options.seconds / options.runSeconds).rounded()))
        var ratios: [Double] = []
        for _ in 0 ..< runs {
            let before = state.simulated
            let start = clock.now
            var elapsed = Duration.zero
            repeat {
                simulate(milliseconds: 1000, &state)
                elapsed = start.duration(to: clock.now)
            } while seconds(elapsed) < options.runSeconds
            ratios.append(Double(state.simulated - before) / 1e6 / seconds(elapsed))
        }
        ratios.sort()
        let median = ratios[ratios.count / 2]
        print("sim.realtime: \(fixed(median, 0))x real time (simulated s per wall s), median of \(runs) runs, 1 core")
        print("sim.tick: \(fixed(1e9 / median / 1000, 1)) ns of wall time per simulated ms (one tick of both devices and the hosts)")
        print("sim.runs: min \(fixed(ratios.first ?? 0, 0))x, max \(fixed(ratios.last ?? 0, 0))x; aim >= 1000x")
        return check(state)
    }
}
