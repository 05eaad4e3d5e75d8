@testable import MassageKit
import Testing

/// The circular peak goes round a ring in order, once per period, either way: sampled
/// finely, the loudest actuator over time must step to its neighbour each time it changes.
@Suite struct CircularOrderTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var count: Int
        var width: Double
        var direction: RotationDirection
        var testDescription: String { "\(count)-ring, width \(Int(width))°, \(direction)" }
    }

    static let cases: [Case] = [4, 8].flatMap { count in
        [180.0, 360].flatMap { width in
            [RotationDirection.counterclockwise, .clockwise].map { Case(count: count, width: width, direction: $0) }
        }
    }

    @Test(arguments: cases)
    func visitsEveryActuatorInOrderOncePerPeriod(_ c: Case) throws {
        let period = 1.6
        let periods = 3
        let geometry = try ActuatorGeometry.ring(count: c.count)
        let pattern = Pattern.circular(try Circular(period: period, width: c.width, direction: c.direction))
        let samplesPerPeriod = 2000
        // Visits: the loudest actuator each time it changes, with when it became loudest.
        var visits: [(actuator: Int, time: Double)] = []
        for k in 0 ..< periods * samplesPerPeriod {
            // Offset by a third of a sample so no sample lands exactly between two actuators.
            let t = (Double(k) + 1.0 / 3) * period / Double(samplesPerPeriod)
            let loudest = argmax(levels(pattern, at: t, on: geometry))
            if visits.last?.actuator != loudest { visits.append((loudest, t)) }
        }
        let n = c.count
        let step = c.direction == .counterclockwise ? 1 : n - 1
        // Starts on actuator 0 (the peak starts at 0°), then n changes per period.
        #expect(visits.first?.actuator == 0)
        #expect(visits.count == periods * n + 1)
        for (previous, next) in zip(visits, visits.dropFirst()) {
            #expect(next.actuator == (previous.actuator + step) % n,
                    "after actuator \(previous.actuator) came \(next.actuator) at \(next.time) s")
        }
        // Each change happens when the peak is half-way between two actuators:
        // (j + 1/2) × period / n, to within one sample.
        for (j, visit) in visits.dropFirst().enumerated() {
            let expected = (Double(j) + 0.5) * period / Double(n)
            #expect(abs(visit.time - expected) <= period / Double(samplesPerPeriod),
                    "change \(j) at \(visit.time) s, expected \(expected) s")
        }
        // Every period visits every actuator exactly once; the first period also holds the
        // starting visit of actuator 0 (the return to 0 at its end is the next visit).
        for p in 0 ..< periods {
            let inPeriod = visits.filter { $0.time >= Double(p) * period && $0.time < Double(p + 1) * period }
            let actuators = inPeriod.map(\.actuator)
            #expect(Set(actuators) == Set(0 ..< n), "period \(p) visited \(actuators)")
            #expect(actuators.count == (p == 0 ? n + 1 : n), "period \(p) visited \(actuators)")
        }
    }
}
