@testable import MassageKit
import MassageWire
import Testing

@Suite struct ActuatorGeometryTests {
    @Test func fromInfoFrames() throws {
        // A 4-ring listed out of order (0°, 180°, 90°, 270°) with a centre motor.
        let angles: [UInt16] = [0, 18000, 9000, 27000]
        var infos = angles.map { ActuatorInfo(placement: .ring, angle: $0, acceleration: 250, spinUpMilliseconds: 40) }
        infos.append(ActuatorInfo(placement: .centre, acceleration: 250, spinUpMilliseconds: 40))
        let g = try ActuatorGeometry(actuators: infos)
        #expect(g.count == 5)
        #expect(g.hasBearings)
        #expect(abs((g[1].bearing ?? -1) - Double.pi) < 1e-12)
        #expect(g[4].bearing == nil)
        // Ranks go round the ring: 0°, 90°, 180°, 270°, then the centre.
        #expect((0 ..< 5).map { g[$0].rank } == [0, 2, 1, 3, 4])
        // No x/y given: ring actuators sit on a unit circle.
        #expect(abs(g[2].y - 1) < 1e-12 && abs(g[2].x) < 1e-12)
        // The circular peak at 90° is on actuator 2 (listed third), not on index 1.
        let p = Pattern.circular(try Circular(period: 4, width: 180, direction: .counterclockwise))
        #expect(close(levels(p, at: 1, on: g), [0, 0, 1, 0, 0]))
    }

    @Test func planarActuatorsTakeBearingsFromTheirPosition() throws {
        let infos = [
            ActuatorInfo(placement: .planar, x: 0, y: 40, acceleration: 250, spinUpMilliseconds: 40),
            ActuatorInfo(placement: .planar, x: -40, y: 0, acceleration: 250, spinUpMilliseconds: 40),
            ActuatorInfo(placement: .planar, x: 0, y: 0, acceleration: 250, spinUpMilliseconds: 40),
        ]
        let g = try ActuatorGeometry(actuators: infos)
        #expect(abs((g[0].bearing ?? -1) - Double.pi / 2) < 1e-12)
        #expect(abs((g[1].bearing ?? -1) - Double.pi) < 1e-12)
        #expect(g[2].bearing == nil)
        // Spread equally along x and y: ranked along x (−40, 0, 0).
        #expect((0 ..< 3).map { g[$0].rank } == [1, 0, 2])
    }

    @Test func singleMotorAndNoMotors() throws {
        let one = try ActuatorGeometry(actuators: [ActuatorInfo(placement: .centre, acceleration: 300, spinUpMilliseconds: 50)])
        #expect(one == .single)
        #expect(!one.hasBearings)
        let none = try ActuatorGeometry(actuators: [ActuatorInfo]())
        #expect(none.count == 0)
        #expect(perMille(.constant(try Constant(level: 1)), at: 0, on: none) == [])
    }

    @Test func refusesWhatASetOutputsFrameCannotCarry() {
        let seventeen = Array(repeating: ActuatorInfo(placement: .centre, acceleration: 1, spinUpMilliseconds: 1), count: 17)
        #expect(throws: GeometryError.tooManyActuators(count: 17, maximum: 16)) { try ActuatorGeometry(actuators: seventeen) }
        let bad = [ActuatorInfo(placement: .ring, angle: 36000, acceleration: 1, spinUpMilliseconds: 1)]
        #expect(throws: GeometryError.angleOutOfRange(actuator: 0, angle: 36000)) { try ActuatorGeometry(actuators: bad) }
        #expect(throws: GeometryError.badCount(count: 0, allowed: 1 ... 16)) { try ActuatorGeometry.ring(count: 0) }
    }

    @Test func plainLayouts() throws {
        let ring = try ActuatorGeometry.ring(count: 8, radius: 30)
        #expect(ring.count == 8)
        #expect(abs(ring[2].y - 30) < 1e-9 && abs(ring[2].x) < 1e-9)        // 90°
        #expect((0 ..< 8).map { ring[$0].rank } == Array(0 ..< 8))
        let line = try ActuatorGeometry.line(count: 4, spacing: 20)
        #expect((0 ..< 4).map { line[$0].x } == [-30, -10, 10, 30])
        #expect((0 ..< 4).map { line[$0].rank } == [0, 1, 2, 3])
    }
}
