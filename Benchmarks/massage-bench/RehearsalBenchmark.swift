// rehearsal: wall time to play a 20-minute program end to end on the simulated handheld
// on the virtual clock: scheduler tick logic at 100 Hz, safety governor, session engine,
// and the firmware core with its motor, heater and sensor models at 1 kHz. The aim
// (issue 5) is under 2 s.
//
// The check: the program finished (no safety stop, no fault), the surface stayed under
// the 41 °C cap, and the motors were stopped at the end.

import Foundation
import MassageKit
import MassageSimulator

enum RehearsalBenchmark {
    static let benchmark = Benchmark(
        name: "rehearsal",
        summary: "wall time to play a 20-minute program on the simulator on the virtual clock (aim < 2 s)",
        run: run
    )

    static func program() throws -> Program {
        Program(name: "twenty", title: "Twenty minutes", technique: "benchmark", description: "circles, pulses, kneading, a hold", steps: [
            ProgramStep(name: "circles", duration: 300, pattern: .circular(try Circular(period: 4, width: 180)), intensity: 0.7, heat: 39),
            ProgramStep(name: "pulses", duration: 300, pattern: .pulse(try Pulse(period: 2, duty: 0.5, attack: 0.2, release: 0.2)), intensity: 0.6, heat: 39),
            ProgramStep(name: "kneading", duration: 300, pattern: .knead(try Knead(period: 3)), intensity: 0.5, heat: 38),
            ProgramStep(name: "hold", duration: 240, pattern: .hold(try Hold(target: .actuator(1), level: 0.8, build: 10)), intensity: 1),
            ProgramStep(name: "rest", duration: 60, pattern: .off),
        ])
    }

    static func run(_ options: BenchmarkOptions) -> Bool {
        let runs = options.iterations ?? 3
        var times: [Double] = []
        var last: Rehearsal.Result? = nil
        do {
            var settings = PlaybackSettings()
            settings.doseStopPoints = 400
            let rehearsal = Rehearsal(program: try program(), settings: settings)
            for _ in 0..<max(1, runs) {
                let started = ContinuousClock.now
                last = try rehearsal.run()
                let elapsed = ContinuousClock.now - started
                times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            }
        } catch {
            print("rehearsal.error: \(error)")
            return false
        }
        guard let result = last else { return false }
        times.sort()
        let median = times[times.count / 2]
        print("rehearsal.wall: \(String(format: "%.3f", median)) s of wall time for \(String(format: "%.0f", result.seconds)) s of program (median of \(times.count); min \(String(format: "%.3f", times.first ?? 0)), max \(String(format: "%.3f", times.last ?? 0)))")
        print("rehearsal.speed: \(String(format: "%.0f", result.seconds / median))× real time; aim: 20 minutes in < 2 s")
        print("rehearsal.device: peak surface \(String(format: "%.2f", result.maxSurfaceTemperature)) °C, peak motor \(result.maxMotorDuty) ‰, dose \(String(format: "%.2f", result.dosePoints)) points, \(result.statistics.outputsSent) SetOutputs sent")
        let ok = result.outcome == .finished && result.maxSurfaceTemperature < 41 && result.outputsAfterEnd.isAllOff && result.faults.isEmpty
        if !ok { print("rehearsal.check: FAILED: \(result.outcome), faults \(result.faults.rawValue)") }
        return ok
    }
}
