import Foundation
import MassageSimulator
import Testing

@Suite struct MotorModelTests {
    @Test(arguments: [20, 80, 150] as [UInt16])
    func reachesSixtyThreePercentOfAStepAtItsSpinUpTime(spinUp: UInt16) {
        for duty: UInt16 in [1000, 400] {
            var motor = MotorModel(spinUpMilliseconds: spinUp)
            let threshold = (1 - exp(-1.0)) * Double(duty)
            var milliseconds = 0
            while motor.exactSpeed < threshold && milliseconds < 10_000 {
                motor.step(duty: duty, microseconds: 1000)
                milliseconds += 1
            }
            #expect(abs(milliseconds - Int(spinUp)) <= 1, "duty \(duty): 63 % after \(milliseconds) ms")
        }
    }

    @Test func spinsDownWithItsOwnLag() {
        var motor = MotorModel(spinUpMilliseconds: 50, spinDownMilliseconds: 200)
        for _ in 0..<2000 { motor.step(duty: 1000, microseconds: 1000) }
        #expect(motor.speed == 1000)
        var milliseconds = 0
        while motor.exactSpeed > exp(-1.0) * 1000 && milliseconds < 10_000 {
            motor.step(duty: 0, microseconds: 1000)
            milliseconds += 1
        }
        #expect(abs(milliseconds - 200) <= 1)
    }

    @Test func stepLengthDoesNotChangeTheCurve() {
        var fine = MotorModel()
        var coarse = MotorModel()
        for _ in 0..<100 { fine.step(duty: 700, microseconds: 1000) }
        for _ in 0..<10 { coarse.step(duty: 700, microseconds: 10_000) }
        #expect(abs(fine.exactSpeed - coarse.exactSpeed) < 1e-9)
        #expect(abs(fine.exactSpeed - 700 * (1 - exp(-100.0 / 80))) < 1e-9)
    }

    @Test func aStuckMotorStaysAtZero() {
        var motor = MotorModel()
        motor.isStuck = true
        for _ in 0..<3000 {
            motor.step(duty: 1000, microseconds: 1000)
            #expect(motor.speed == 0)
        }
        motor.isStuck = false
        for _ in 0..<500 { motor.step(duty: 1000, microseconds: 1000) }
        #expect(motor.speed > 990, "freed, it spins up again")
    }

    @Test func dutyAboveFullScaleCountsAsFullScale() {
        var motor = MotorModel(spinUpMilliseconds: 0)
        motor.step(duty: .max, microseconds: 1000)
        #expect(motor.speed == 1000)
    }
}

@Suite struct HeaterModelTests {
    /// The closed form for a constant duty: T(t) = T_eq + (T0 − T_eq) e^(−t/τ).
    func expected(from start: Double, equilibrium: Double, tau: Double, seconds: Double) -> Double {
        equilibrium + (start - equilibrium) * exp(-seconds / tau)
    }

    @Test func defaultsSuitAHandheldMassager() {
        let heater = HeaterModel()
        let riseRate = heater.elementPower / heater.heatCapacity  // °C/s from air temperature
        #expect(riseRate >= 0.15 && riseRate <= 0.25)
        #expect(heater.fullPowerEquilibrium > 43 + 10, "only control keeps it under the cap")
        var inContact = heater
        inContact.skinContact = true
        #expect(inContact.fullPowerEquilibrium > 43, "even on skin")
        #expect(heater.timeConstantSeconds >= 120 && heater.timeConstantSeconds <= 600)
    }

    @Test func risesAtPowerOverHeatCapacity() {
        var heater = HeaterModel()
        let start = heater.surfaceTemperature
        for _ in 0..<100 { heater.step(dutyPercent: 100, microseconds: 100) }  // 10 ms
        let rate = (heater.surfaceTemperature - start) / 0.01
        let slope = heater.elementPower / heater.heatCapacity
        #expect(abs(rate - slope) / slope < 1e-3)

        // And over a minute it follows the closed form from the constants.
        var minute = HeaterModel()
        for _ in 0..<60_000 { minute.step(dutyPercent: 100, microseconds: 1000) }
        let tau = minute.heatCapacity / minute.airConductance
        let equilibrium = minute.airTemperature + minute.elementPower / minute.airConductance
        let want = expected(from: start, equilibrium: equilibrium, tau: tau, seconds: 60)
        #expect(abs(minute.surfaceTemperature - want) < 1e-9)
    }

    @Test func settlesAtTheEquilibriumOfItsConstants() {
        var heater = HeaterModel()
        let tau = heater.heatCapacity / heater.airConductance
        for _ in 0..<Int(30 * tau / 0.1) { heater.step(dutyPercent: 100, microseconds: 100_000) }
        let inAir = heater.airTemperature + heater.elementPower / heater.airConductance
        #expect(abs(heater.surfaceTemperature - inAir) < 1e-6)
        #expect(abs(heater.fullPowerEquilibrium - inAir) < 1e-9)

        heater.skinContact = true
        let g = heater.airConductance + heater.skinConductance
        for _ in 0..<Int(30 * heater.heatCapacity / g / 0.1) { heater.step(dutyPercent: 50, microseconds: 100_000) }
        let onSkin = (heater.elementPower * 0.5 + heater.airConductance * heater.airTemperature
            + heater.skinConductance * heater.skinTemperature) / g
        #expect(abs(heater.surfaceTemperature - onSkin) < 1e-6)
        #expect(abs(heater.equilibrium(dutyPercent: 50) - onSkin) < 1e-9)
        #expect(abs(heater.timeConstantSeconds - heater.heatCapacity / g) < 1e-12)
    }

    @Test func stepLengthDoesNotChangeTheCurve() {
        var fine = HeaterModel()
        var coarse = HeaterModel()
        for _ in 0..<30_000 { fine.step(dutyPercent: 60, microseconds: 1000) }
        for _ in 0..<30 { coarse.step(dutyPercent: 60, microseconds: 1_000_000) }
        #expect(abs(fine.surfaceTemperature - coarse.surfaceTemperature) < 1e-9)
    }

    @Test func coolsTowardAirWithNoDutyAndAnOpenElementDoesNotHeat() {
        var heater = HeaterModel(surfaceTemperature: 40)
        for _ in 0..<10_000 { heater.step(dutyPercent: 0, microseconds: 1000) }
        let tau = heater.heatCapacity / heater.airConductance
        let want = expected(from: 40, equilibrium: heater.airTemperature, tau: tau, seconds: 10)
        #expect(abs(heater.surfaceTemperature - want) < 1e-9)

        var broken = HeaterModel()
        broken.isElementOpen = true
        for _ in 0..<10_000 { broken.step(dutyPercent: 100, microseconds: 1000) }
        #expect(broken.surfaceTemperature == broken.airTemperature)
    }
}

@Suite struct TemperatureSensorTests {
    /// Readings of a constant surface, one per period.
    func readings(_ sensor: inout TemperatureSensor, surface: Double, count: Int) -> [Int16] {
        var result: [Int16] = []
        var now: UInt64 = 0
        while result.count < count {
            if let reading = sensor.sample(surface: surface, air: 25, nowMicroseconds: now) { result.append(reading) }
            now += 1000
        }
        return result
    }

    func standardDeviation(_ values: [Double]) -> (mean: Double, sigma: Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return (mean, variance.squareRoot())
    }

    @Test(arguments: [0.05, 0.3, 1.0])
    func noiseHasTheConfiguredSigma(sigma: Double) {
        var sensor = TemperatureSensor(noiseSigma: sigma, seed: 42)
        let values = readings(&sensor, surface: 37.0, count: 20_000).map { Double($0) / 10 }
        let (mean, measured) = standardDeviation(values)
        // Rounding to 0.1 °C adds its own variance, 0.1² / 12 (Sheppard's correction).
        let want = (sigma * sigma + 0.01 / 12).squareRoot()
        #expect(abs(measured - want) / want < 0.04, "σ measured \(measured), want \(want)")
        #expect(abs(mean - 37.0) < 0.01)
    }

    @Test func sameSeedSameReadingsOtherSeedOtherReadings() {
        var a = TemperatureSensor(seed: 7)
        var b = TemperatureSensor(seed: 7)
        var c = TemperatureSensor(seed: 8)
        let first = readings(&a, surface: 36.04, count: 200)
        #expect(first == readings(&b, surface: 36.04, count: 200))
        #expect(first != readings(&c, surface: 36.04, count: 200))
    }

    @Test func samplesOncePerPeriodAndNeverInABurst() {
        var sensor = TemperatureSensor(samplePeriodMicroseconds: 100_000)
        var times: [UInt64] = []
        for ms in 0..<1000 {
            let now = UInt64(ms) * 1000
            if sensor.sample(surface: 30, air: 25, nowMicroseconds: now) != nil { times.append(now) }
        }
        #expect(times == (0..<10).map { UInt64($0) * 100_000 })
        // A 1 s gap: one sample, then the grid goes on.
        #expect(sensor.sample(surface: 30, air: 25, nowMicroseconds: 2_050_000) != nil)
        #expect(sensor.sample(surface: 30, air: 25, nowMicroseconds: 2_060_000) == nil)
        #expect(sensor.sample(surface: 30, air: 25, nowMicroseconds: 2_099_999) == nil)
        #expect(sensor.sample(surface: 30, air: 25, nowMicroseconds: 2_100_000) != nil)
    }

    @Test func aDetachedSensorDriftsTowardAirWhileTheSurfaceHeats() {
        var heater = HeaterModel()
        var sensor = TemperatureSensor(noiseSigma: 0, seed: 1)
        var now: UInt64 = 0
        var lastReading: Int16 = 0
        var readingAtDetach: Double = 0
        var surfaceAtDetach: Double = 0
        let detachAt: UInt64 = 30_000_000
        while now < 90_000_000 {
            heater.step(dutyPercent: 100, microseconds: 1000)
            now += 1000
            if now == detachAt {
                sensor.fault = .detached
                readingAtDetach = Double(lastReading) / 10
                surfaceAtDetach = heater.surfaceTemperature
            }
            if let reading = sensor.sample(surface: heater.surfaceTemperature, air: heater.airTemperature,
                                           nowMicroseconds: now) {
                lastReading = reading
            }
        }
        let seconds = Double(now - detachAt) / 1e6
        let tau = sensor.detachedTimeConstantMicroseconds / 1e6
        let want = heater.airTemperature + (readingAtDetach - heater.airTemperature) * exp(-seconds / tau)
        #expect(heater.surfaceTemperature > surfaceAtDetach + 5, "the element kept heating")
        #expect(Double(lastReading) / 10 < readingAtDetach, "the reading fell")
        #expect(abs(Double(lastReading) / 10 - want) < 0.15, "along e^(−t/τ) toward air")
    }

    @Test func openAndShortedReadOutOfRangeAndSilentReadsNothing() {
        for (fault, outOfRange) in [(TemperatureSensor.Fault.open, { (t: Int16) in t < -200 }),
                                    (.shorted, { (t: Int16) in t > 800 })] {
            var sensor = TemperatureSensor()
            sensor.fault = fault
            let values = readings(&sensor, surface: 37, count: 20)
            #expect(values.allSatisfy(outOfRange), "\(fault): \(values)")
        }
        #expect(TemperatureSensor.openReading == -400)
        #expect(TemperatureSensor.shortedReading == 1500)

        var silent = TemperatureSensor()
        silent.fault = .silent
        for ms in 0..<5000 {
            #expect(silent.sample(surface: 37, air: 25, nowMicroseconds: UInt64(ms) * 1000) == nil)
        }
    }
}

@Suite struct MatModelTests {
    /// Steps `mat` at 1 ms to `until` µs and reads it then.
    func read(_ mat: inout MatModel, from: inout UInt64, until: UInt64) -> [UInt16] {
        while from < until {
            from += 1000
            mat.step(nowMicroseconds: from)
        }
        var buffer = MatPressures(repeating: 0xFFFF)
        mat.read(into: &buffer)
        return (0..<mat.zoneCount).map { buffer[$0] }
    }

    @Test func theDefaultScriptPlaysOut() {
        var mat = MatModel()
        var now: UInt64 = 0
        let hips = (left: (0..<16).filter { mat.isHip(zone: $0, side: .left) },
                    right: (0..<16).filter { mat.isHip(zone: $0, side: .right) })
        #expect(hips.left == [12, 14] && hips.right == [13, 15])

        let empty = read(&mat, from: &now, until: 1_900_000)
        #expect(empty.allSatisfy { $0 == 0 }, "before lying down: \(empty)")
        #expect(!mat.isBodyPresent)

        let lying = read(&mat, from: &now, until: 4_000_000)
        #expect(lying.allSatisfy { $0 > 100 }, "every zone in contact: \(lying)")
        #expect(mat.isBodyPresent)
        // Shoulder blades (row 1) and sacrum (row 6) carry more than the lumbar curve (row 4).
        #expect(lying[2] > lying[8] && lying[12] > lying[8])

        let shifted = read(&mat, from: &now, until: 8_000_000)
        let left = stride(from: 0, to: 16, by: 2).map { Int(shifted[$0]) }.reduce(0, +)
        let right = stride(from: 1, to: 16, by: 2).map { Int(shifted[$0]) }.reduce(0, +)
        #expect(right > left + left / 4, "weight moved right: \(left) | \(right)")
        let before = lying.map(Int.init).reduce(0, +)
        #expect(abs(left + right - before) < before / 50, "a shift keeps the weight")

        let lifted = read(&mat, from: &now, until: 11_000_000)
        for zone in hips.left { #expect(lifted[zone] <= 10, "left hip up: zone \(zone) reads \(lifted[zone])") }
        for zone in hips.right { #expect(lifted[zone] > shifted[zone], "right hip takes the weight") }
        #expect(lifted[4] > 100, "the shoulders stay down")

        let lowered = read(&mat, from: &now, until: 14_500_000)
        for zone in hips.left { #expect(lowered[zone] > 100, "left hip back down") }

        let gone = read(&mat, from: &now, until: 17_500_000)
        #expect(gone.allSatisfy { $0 == 0 }, "after getting up: \(gone)")
        #expect(!mat.isBodyPresent)
        #expect(BodyScript.default.durationMicroseconds == 17_000_000)
    }

    @Test func readingsAreNoisyButCentredAndSlotsPastTheMatAreZero() {
        var mat = MatModel(rows: 4, columns: 4, noiseSigma: 3, seed: 9)
        mat.step(nowMicroseconds: 5_000_000)
        let truth = (0..<16).map { Double(mat.pressure(zone: $0)) }
        var sums = [Double](repeating: 0, count: 16)
        var squares = [Double](repeating: 0, count: 16)
        var buffer = MatPressures(repeating: 0xFFFF)
        let n = 4000
        for _ in 0..<n {
            mat.read(into: &buffer)
            for zone in 0..<16 {
                let error = Double(buffer[zone]) - truth[zone]
                sums[zone] += error
                squares[zone] += error * error
            }
            #expect((16..<64).allSatisfy { buffer[$0] == 0 })
        }
        let sigma = (squares.reduce(0, +) / Double(16 * n)).squareRoot()
        #expect(abs(sigma - 3) < 0.2, "σ \(sigma)")
        #expect(sums.allSatisfy { abs($0 / Double(n)) < 0.5 })
    }

    @Test func theClockNotTheStepLengthDecides() {
        let script = BodyScript()
            .then(.lieDown, at: 500_000)
            .then(.liftHip(.right, durationMicroseconds: 700_000), at: 1_200_000)
            .then(.shift(lean: -0.7), at: 1_300_000)
            .then(.getUp, at: 2_600_000)
        var fine = MatModel(rows: 2, columns: 3, script: script, startMicroseconds: 1_000_000)
        var coarse = fine
        var jump = fine
        for checkpoint: UInt64 in stride(from: 250_000, through: 4_500_000, by: 250_000) {
            for t in stride(from: checkpoint - 249_000, through: checkpoint, by: 1000) { fine.step(nowMicroseconds: t) }
            coarse.step(nowMicroseconds: checkpoint)
            for zone in 0..<6 { #expect(fine.pressure(zone: zone) == coarse.pressure(zone: zone), "at \(checkpoint)") }
        }
        jump.step(nowMicroseconds: 1_000_000 + script.durationMicroseconds)
        for zone in 0..<6 { #expect(jump.pressure(zone: zone) == 0) }
    }

    @Test func scriptsKeepTimeOrder() {
        let script = BodyScript([
            BodyEvent(at: 5, .getUp), BodyEvent(at: 1, .lieDown), BodyEvent(at: 5, .absent), BodyEvent(at: 3, .shift(lean: 1)),
        ])
        #expect(script.events == [
            BodyEvent(at: 1, .lieDown), BodyEvent(at: 3, .shift(lean: 1)), BodyEvent(at: 5, .getUp), BodyEvent(at: 5, .absent),
        ])
        #expect(script.then(.lieDown, at: 2).events[1] == BodyEvent(at: 2, .lieDown))
    }

    @Test func zonesAreRowMajorFromTheHeadEnd() {
        let mat = MatModel(rows: 4, columns: 4)
        #expect(mat.zone(row: 2, column: 1) == 9)
        let (along, across) = mat.position(ofZone: 9)
        #expect(along == 0.625 && across == -0.25)
        #expect((0..<16).filter { mat.isHip(zone: $0, side: .left) } == [12, 13])
        let single = MatModel(rows: 1, columns: 1)
        #expect(single.isHip(zone: 0, side: .left) && single.isHip(zone: 0, side: .right))
    }
}
