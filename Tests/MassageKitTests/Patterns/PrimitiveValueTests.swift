import Foundation
@testable import MassageKit
import MassageWire
import Testing

/// Each primitive's levels at chosen instants, worked out by hand from its definition.
@Suite struct PrimitiveValueTests {
    let ring4 = Geometries.ring4, single = Geometries.single

    @Test func constantIsTheSameEverywhereAndAlways() throws {
        let p = Pattern.constant(try Constant(level: 0.35))
        for t in [0.0, 1.5, 1e6] {
            #expect(levels(p, at: t, on: ring4) == [0.35, 0.35, 0.35, 0.35])
            #expect(perMille(p, at: t, on: ring4) == [350, 350, 350, 350])
        }
        #expect(levels(p, at: 3, on: single) == [0.35])
    }

    @Test func rampGoesInAStraightLineThenHolds() throws {
        let p = Pattern.ramp(try Ramp(from: 0.2, to: 0.8, duration: 10))
        #expect(close(levels(p, at: 0, on: single), [0.2]))
        #expect(close(levels(p, at: 2.5, on: single), [0.35]))      // 0.2 + 0.6 × 0.25
        #expect(close(levels(p, at: 10, on: single), [0.8]))
        #expect(close(levels(p, at: 50, on: single), [0.8]))
        let down = Pattern.ramp(try Ramp(from: 1, to: 0, duration: 4))
        #expect(close(levels(down, at: 1, on: ring4), [0.75, 0.75, 0.75, 0.75]))
    }

    @Test func pulseRisesHoldsFallsAndRests() throws {
        // Period 2 s, on for 1 s: rise over 0.2 s, fall over the last 0.3 s of the on-time.
        let p = Pattern.pulse(try Pulse(period: 2, duty: 0.5, attack: 0.2, release: 0.3, low: 0.1, high: 0.9))
        #expect(close(levels(p, at: 0, on: single), [0.1]))
        #expect(close(levels(p, at: 0.1, on: single), [0.5]))     // half-way up: 0.1 + 0.8 × 0.5
        #expect(close(levels(p, at: 0.5, on: single), [0.9]))
        #expect(close(levels(p, at: 0.85, on: single), [0.5]))    // (1.0 − 0.85) / 0.3 = 0.5 of the way down
        #expect(close(levels(p, at: 1.5, on: single), [0.1]))     // resting
        #expect(close(levels(p, at: 2.1, on: single), [0.5]))     // the next press
        #expect(close(levels(p, at: 0.5, on: ring4), [0.9, 0.9, 0.9, 0.9]))
    }

    @Test func circularPeakOnARing() throws {
        let ccw = Pattern.circular(try Circular(period: 4, width: 180, direction: .counterclockwise))
        // Half-width 90°: the actuator under the peak is full, its neighbours 90° away are at 0.
        #expect(close(levels(ccw, at: 0, on: ring4), [1, 0, 0, 0]))
        // At 45°, between actuators 0 and 1: (1 + cos(π × 45/90)) / 2 = 0.5 each.
        #expect(close(levels(ccw, at: 0.5, on: ring4), [0.5, 0.5, 0, 0]))
        #expect(close(levels(ccw, at: 1, on: ring4), [0, 1, 0, 0]))
        #expect(close(levels(ccw, at: 3, on: ring4), [0, 0, 0, 1]))
        let cw = Pattern.circular(try Circular(period: 4, width: 180, direction: .clockwise))
        #expect(close(levels(cw, at: 1, on: ring4), [0, 0, 0, 1]))
        #expect(close(levels(cw, at: 3, on: ring4), [0, 1, 0, 0]))
        // A 360° peak: 90° away is (1 + cos(π/2)) / 2 = 0.5, opposite is 0.
        let wide = Pattern.circular(try Circular(period: 4, width: 360, direction: .counterclockwise, low: 0.2, high: 1))
        #expect(close(levels(wide, at: 0, on: ring4), [1, 0.6, 0.2, 0.6]))
        // 8-ring, width 90° (half 45°): at 22.5° actuators 0 and 1 at (1 + cos(π/2)) / 2.
        let narrow = Pattern.circular(try Circular(period: 8, width: 90, direction: .counterclockwise))
        #expect(close(levels(narrow, at: 0.5, on: Geometries.ring8), [0.5, 0.5, 0, 0, 0, 0, 0, 0]))
    }

    @Test func circularOnOneMotorIsAnAmplitudeOrbit() throws {
        let p = Pattern.circular(try Circular(period: 4, direction: .counterclockwise, low: 0.2, high: 1))
        // low + (high − low) × (1 + cos φ) / 2 with φ = 0, 90°, 180°, 270°.
        #expect(close(levels(p, at: 0, on: single), [1]))
        #expect(close(levels(p, at: 1, on: single), [0.6]))
        #expect(close(levels(p, at: 2, on: single), [0.2]))
        #expect(close(levels(p, at: 3, on: single), [0.6]))
        let cw = Pattern.circular(try Circular(period: 4, direction: .clockwise, low: 0.2, high: 1))
        #expect(close(levels(cw, at: 1, on: single), [0.6]))
    }

    @Test func circularLeavesACentreActuatorOnARingDeviceAtLow() throws {
        var infos: [ActuatorInfo] = (0 ..< 4).map {
            ActuatorInfo(placement: .ring, angle: UInt16($0 * 9000), acceleration: 300, spinUpMilliseconds: 40)
        }
        infos.append(ActuatorInfo(placement: .centre, acceleration: 300, spinUpMilliseconds: 40))
        let geometry = try ActuatorGeometry(actuators: infos)
        let p = Pattern.circular(try Circular(period: 4, width: 180, direction: .counterclockwise, low: 0.1, high: 0.9))
        #expect(close(levels(p, at: 1, on: geometry), [0.1, 0.9, 0.1, 0.1, 0.1]))
    }

    @Test func waveTravelsAlongTheLine() throws {
        // 5 actuators at 0, 0.25, 0.5, 0.75, 1 along x. Width 0.5 (half 0.25); period 4 s;
        // the centre moves from −0.25 to 1.25: c(t) = −0.25 + 1.5 × t / 4.
        let forward = Pattern.wave(try Wave(period: 4, width: 0.5, direction: .forward))
        let line5 = Geometries.line5
        #expect(close(levels(forward, at: 0, on: line5), [0, 0, 0, 0, 0]))          // c = −0.25: not yet in
        #expect(close(levels(forward, at: 2, on: line5), [0, 0, 1, 0, 0]))          // c = 0.5
        // t = 1.5: c = 0.3125; actuator 1 is 0.0625 away → (1 + cos(π/4)) / 2,
        // actuator 2 is 0.1875 away → (1 + cos(3π/4)) / 2.
        let near = (1 + cos(Double.pi / 4)) / 2, far = (1 + cos(3 * Double.pi / 4)) / 2
        #expect(close(levels(forward, at: 1.5, on: line5), [0, near, far, 0, 0]))
        #expect(perMille(forward, at: 1.5, on: line5) == [0, 854, 146, 0, 0])
        let backward = Pattern.wave(try Wave(period: 4, width: 0.5, direction: .backward))
        #expect(close(levels(backward, at: 1.5, on: line5), [0, 0, far, near, 0]))
        // Along y on a 4-ring: actuator 1 (+y) is at 1, 3 (−y) at 0, 0 and 2 at 0.5.
        let up = Pattern.wave(try Wave(period: 4, width: 0.5, direction: .forward, axis: 90))
        #expect(close(levels(up, at: 2, on: ring4), [1, 0, 1, 0]))
        // One motor sits at 0.5: one swell per stroke.
        #expect(close(levels(forward, at: 2, on: single), [1]))
        #expect(close(levels(forward, at: 0.5, on: single), [0]))
    }

    @Test func kneadAlternatesItsGroups() throws {
        let p = Pattern.knead(try Knead(period: 2, grouping: .alternating, low: 0.2, high: 1))
        // Group A (even ranks: actuators 0, 2 on the ring) at high at t = 0, B at low.
        #expect(close(levels(p, at: 0, on: ring4), [1, 0.2, 1, 0.2]))
        #expect(close(levels(p, at: 0.5, on: ring4), [0.6, 0.6, 0.6, 0.6]))   // (1 + cos(π/2)) / 2
        #expect(close(levels(p, at: 1, on: ring4), [0.2, 1, 0.2, 1]))
        #expect(close(levels(p, at: 0, on: Geometries.line4), [1, 0.2, 1, 0.2]))
        #expect(close(levels(p, at: 1, on: single), [0.2]))
        // Halves across x: actuator 2 (−x) is group A, 0 (+x) is B, 1 and 3 on the line take the larger.
        let halves = Pattern.knead(try Knead(period: 2, grouping: .halves(axis: 0), low: 0.2, high: 1))
        #expect(close(levels(halves, at: 0, on: ring4), [0.2, 1, 1, 1]))
        #expect(close(levels(halves, at: 1, on: ring4), [1, 1, 0.2, 1]))
        #expect(close(levels(halves, at: 0.5, on: ring4), [0.6, 0.6, 0.6, 0.6]))
    }

    @Test func tapBurstsAndRests() throws {
        let p = Pattern.tap(try Tap(period: 0.25, burst: 0.05, low: 0.1, high: 0.9))
        #expect(levels(p, at: 0.01, on: ring4) == [0.9, 0.9, 0.9, 0.9])
        #expect(levels(p, at: 0.1, on: ring4) == [0.1, 0.1, 0.1, 0.1])
        #expect(levels(p, at: 0.26, on: ring4) == [0.9, 0.9, 0.9, 0.9])
        let alternating = Pattern.tap(try Tap(period: 0.25, burst: 0.05, alternating: true, low: 0.1, high: 0.9))
        #expect(levels(alternating, at: 0.01, on: ring4) == [0.9, 0.1, 0.9, 0.1])   // beat 0: even ranks
        #expect(levels(alternating, at: 0.26, on: ring4) == [0.1, 0.9, 0.1, 0.9])   // beat 1: odd ranks
        #expect(levels(alternating, at: 0.26, on: single) == [0.9])                 // no partner: every beat
    }

    @Test func holdPressesOneActuatorAndBuildsUp() throws {
        let p = Pattern.hold(try Hold(target: .actuator(2), level: 0.8, build: 10, surround: 0.1))
        #expect(close(levels(p, at: 5, on: ring4), [0.1, 0.1, 0.4, 0.1]))    // half-way through the build
        #expect(close(levels(p, at: 20, on: ring4), [0.1, 0.1, 0.8, 0.1]))
        let wrapped = Pattern.hold(try Hold(target: .actuator(6), level: 0.8))
        #expect(close(levels(wrapped, at: 0, on: ring4), [0, 0, 0.8, 0]))    // 6 mod 4 = 2
        let towards = Pattern.hold(try Hold(target: .towards(100), level: 0.7))
        #expect(close(levels(towards, at: 1, on: ring4), [0, 0.7, 0, 0]))    // 90° is nearest 100°
        #expect(close(levels(towards, at: 1, on: single), [0.7]))            // no bearings: the one motor
    }

    @Test func rockSlidesFromSideToSide() throws {
        // Line of 3 at 0, 0.5, 1; width 1 (half 0.5); the peak is at (1 − cos(2πt/4)) / 2.
        let p = Pattern.rock(try Rock(period: 4, width: 1))
        let line3 = Geometries.line3
        #expect(close(levels(p, at: 0, on: line3), [1, 0, 0]))
        #expect(close(levels(p, at: 1, on: line3), [0, 1, 0]))
        #expect(close(levels(p, at: 2, on: line3), [0, 0, 1]))
        #expect(close(levels(p, at: 3, on: line3), [0, 1, 0]))
        // t = 0.5: the peak at c = (1 − cos(π/4)) / 2; actuator 0 is c away, actuator 1 is 0.5 − c.
        let c = (1 - cos(Double.pi / 4)) / 2
        let expected = [(1 + cos(Double.pi * c / 0.5)) / 2, (1 + cos(Double.pi * (0.5 - c) / 0.5)) / 2, 0]
        #expect(close(levels(p, at: 0.5, on: line3), expected))
        // One motor at 0.5: full as the ball rolls over it, twice per period.
        #expect(close(levels(p, at: 1, on: single), [1]))
        #expect(close(levels(p, at: 0, on: single), [0]))
    }
}
