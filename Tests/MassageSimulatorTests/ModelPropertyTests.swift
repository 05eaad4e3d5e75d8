import MassageSimulator
import PropertyBased
import Testing

@Suite struct ModelPropertyTests {
    @Test func heaterStaysBetweenAirAndFullPowerEquilibrium() async {
        let steps = zip(Gen.uint8(), Gen.uint32(in: 1...5_000_000), Gen.bool(0.2)).array(of: 1...300)
        await propertyCheck(count: 300, input: steps) { steps in
            var heater = HeaterModel()
            // Skin is warmer than air, and skin contact lowers the full-power equilibrium:
            // in or out of contact the surface stays within these two.
            let low = heater.airTemperature
            let high = heater.fullPowerEquilibrium
            for (duty, microseconds, toggleContact) in steps {
                if toggleContact { heater.skinContact.toggle() }
                heater.step(dutyPercent: duty, microseconds: microseconds)
                let t = heater.surfaceTemperature
                #expect(t.isFinite)
                #expect(t >= low - 1e-9 && t <= high + 1e-9, "T = \(t)")
            }
        }
    }

    @Test func motorSpeedStaysInRange() async {
        let steps = zip(Gen.uint16(), Gen.uint32(in: 0...500_000)).array(of: 1...200)
        await propertyCheck(count: 300, input: steps, Gen.uint16(in: 0...400)) { steps, spinUp in
            var motor = MotorModel(spinUpMilliseconds: spinUp)
            for (duty, microseconds) in steps {
                motor.step(duty: duty, microseconds: microseconds)
                #expect(motor.exactSpeed >= 0 && motor.exactSpeed <= 1000)
            }
        }
    }

    @Test func healthySensorReadsTheSurfaceWithinItsNoiseBound() async {
        let surfaces = Gen.double(in: -10...90).array(of: 1...100)
        await propertyCheck(count: 200, input: surfaces, Gen.double(in: 0...2), Gen.uint64()) { surfaces, sigma, seed in
            var sensor = TemperatureSensor(noiseSigma: sigma, seed: seed)
            for (k, surface) in surfaces.enumerated() {
                let now = UInt64(k) * UInt64(sensor.samplePeriodMicroseconds)
                let reading = sensor.sample(surface: surface, air: 25, nowMicroseconds: now)
                // The noise stops at ±2√3 σ; rounding adds at most 0.05 °C.
                #expect(reading.map { abs(Double($0) / 10 - surface) <= 3.4642 * sigma + 0.0501 } == true)
            }
        }
    }

    @Test func matPressuresStayWithinFullScale() async {
        let events = Gen.uint8().array(of: 0...60)
        let steps = Gen.uint32(in: 1...400_000).array(of: 1...120)
        await propertyCheck(count: 300, input: events, steps, Gen.int(in: 1...8), Gen.int(in: 1...8)) {
            events, steps, rows, columns in
            var mat = MatModel(rows: rows, columns: columns, script: Self.script(from: events),
                               bodyLoad: 1.6, noiseSigma: 5)
            var buffer = MatPressures(repeating: 0xFFFF)
            var now: UInt64 = 0
            for microseconds in steps {
                now += UInt64(microseconds)
                mat.step(nowMicroseconds: now)
                mat.read(into: &buffer)
                #expect((0..<mat.zoneCount).allSatisfy { buffer[$0] <= 1000 && mat.pressure(zone: $0) <= 1000 })
                #expect((mat.zoneCount..<64).allSatisfy { buffer[$0] == 0 })
            }
        }
    }

    /// A script from bytes: three bytes an event (kind, time step, parameter).
    static func script(from bytes: [UInt8]) -> BodyScript {
        var script = BodyScript()
        var time: UInt64 = 0
        var i = 0
        while i + 2 < bytes.count {
            time += UInt64(bytes[i + 1]) * 50_000
            let parameter = bytes[i + 2]
            let action: BodyAction = switch bytes[i] % 5 {
            case 0: .lieDown
            case 1: .shift(lean: Double(Int(parameter) - 128) / 100)  // beyond ±1 on purpose
            case 2: .liftHip(parameter & 1 == 0 ? .left : .right, durationMicroseconds: UInt64(parameter) * 20_000)
            case 3: .getUp
            default: .absent
            }
            script.append(action, at: time)
            i += 3
        }
        return script
    }
}
