import MassageKit
import MassageWire
import PropertyBased
import Testing

/// For any device declaration, any user limits and any sequence of requested levels at
/// any pace: outputs never pass the maximum intensity or the heater cap (43.0 °C at most),
/// never step further than the slew limit except to zero, and once the dose (recomputed
/// here independently, in floating point) passes the stop figure, everything is zero from
/// then on.
@Suite struct SafetyGovernorPropertyTests {
    @Test func anyLevelSequenceStaysWithinEveryLimit() async {
        await propertyCheck(
            count: 300,
            input: Gen.uint16(in: 0...6000).array(of: 1...16),   // accelerations, 0.01 m/s²
            Gen.uint16(in: 0...700),                              // heater cap the device declares
            Gen.uint16(in: 0...1000),                             // the user's maximum intensity
            Gen.uint16(in: 1...1000),                             // slew step per tick
            Gen.uint32(in: 1...400),                              // dose stop, points
            Gen.uint16().array(of: 1...600)                       // the script of requests
        ) { accelerations, cap, maxIntensity, step, doseStop, script in
            let limits: SafetyLimits
            do {
                limits = try SafetyLimits(actuatorAccelerations: accelerations, heaterCap: cap, maxIntensity: maxIntensity,
                                          slewStepPerTick: step, doseStopPoints: doseStop,
                                          maxSessionMicroseconds: SafetyLimits.longestSessionMicroseconds)
            } catch {
                Issue.record("valid limits refused: \(error)")
                return
            }
            check(limits: limits, script: script)
        }
    }

    func check(limits: SafetyLimits, script: [UInt16]) {
        var governor = SafetyGovernor(limits: limits)
        var words = script.makeIterator()
        func next() -> UInt16 { words.next() ?? 0 }
        let count = limits.actuatorCount
        var previous = [UInt16](repeating: 0, count: count)
        var modelPoints = 0.0
        var now: UInt64 = 0
        var stoppedAt: Int? = nil
        var step = 0

        while step < script.count {
            step += 1
            // Requests of any size (more or fewer actuators than the device has), any
            // heater setpoint, at gaps from 1 ms to 10 minutes.
            let requested = Int(next() % 18)
            var wanted: [UInt16] = []
            for _ in 0..<min(requested, 16) { wanted.append(next() % 1300) }
            let heater = next() % 800
            let gap = next()
            let elapsed = gap % 8 == 0 ? UInt64(gap) * 10_000 : UInt64(gap % 1000 + 1) * 1000
            if step > 1 { now += elapsed }

            // The dose the outputs held since the last step add, in m/s² and hours.
            if step > 1 {
                var loudest = 0.0
                for i in 0..<count {
                    loudest = max(loudest, Double(Int(limits.actuatorAccelerations[i]) * Int(previous[i]) / 1000) / 100)
                }
                modelPoints += 2 * loudest * loudest * Double(elapsed) / 3_600_000_000
            }

            var out = OutputLevels(intensities: Intensities(wanted) ?? Intensities(), heaterSetpoint: heater)
            governor.apply(to: &out, atMicroseconds: now)
            let outputs = Array(out.intensities)

            #expect(outputs.count == count)
            #expect(out.heaterSetpoint <= min(limits.heaterCap, 430))
            #expect(out.heaterSetpoint <= heater)
            for i in 0..<min(outputs.count, count) {
                #expect(outputs[i] <= limits.maxIntensity)
                let change = outputs[i] > previous[i] ? outputs[i] - previous[i] : previous[i] - outputs[i]
                if outputs[i] != 0 {
                    #expect(change <= limits.slewStepPerTick, "actuator \(i): \(previous[i]) → \(outputs[i]), step \(limits.slewStepPerTick)")
                }
            }

            if modelPoints >= Double(limits.doseStopPoints) * (1 + 1e-9) {
                #expect(out.isOff, "dose \(modelPoints) points past the stop at \(limits.doseStopPoints), outputs \(outputs)")
                #expect(governor.stopReason == .doseLimit(points: limits.doseStopPoints))
            } else if modelPoints < Double(limits.doseStopPoints) * (1 - 1e-9) {
                #expect(governor.stopReason != .doseLimit(points: limits.doseStopPoints),
                        "stopped for dose at \(modelPoints) points, below \(limits.doseStopPoints)")
            }
            if stoppedAt != nil { #expect(out.isOff, "outputs after the stop") }
            if governor.isStopped && stoppedAt == nil { stoppedAt = step }
            if !governor.isStopped { #expect(abs(governor.dose.points - modelPoints) <= modelPoints * 1e-6 + 1e-9) }
            for i in 0..<min(outputs.count, count) { previous[i] = outputs[i] }
        }
    }
}
