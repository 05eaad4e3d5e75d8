import MassageSimulator
import Testing

/// The simulated device must run at least 1000× real time at a 1 kHz tick, firmware
/// included: the models' share of one tick has to stay well under 300 ns.
@Suite(.serialized) struct ModelSpeedTests {
    /// One tick of everything a 4-motor heat massager with a 16-zone mat steps. The mat is
    /// read every `matReadTicks` ticks: 50 is the firmware's default report period (50 ms),
    /// 1 the worst case.
    @Test(arguments: [(50, 100.0), (1, 200.0)])
    func oneTickOfAllModelsIsCheap(matReadTicks: Int, budgetNanoseconds: Double) {
        var motors = (MotorModel(), MotorModel(), MotorModel(), MotorModel(spinUpMilliseconds: 120))
        var heater = HeaterModel(skinContact: true)
        var sensor = TemperatureSensor()
        var mat = MatModel()
        var pressures = MatPressures(repeating: 0)
        var checksum: UInt64 = 0
        let ticks = 200_000
        let clock = ContinuousClock()
        let start = clock.now
        for tick in 0..<ticks {
            let now = UInt64(tick) * 1000
            let duty = UInt16(truncatingIfNeeded: (tick &* 7) % 1001)
            motors.0.step(duty: duty, microseconds: 1000)
            motors.1.step(duty: 1000 - duty, microseconds: 1000)
            motors.2.step(duty: duty / 2, microseconds: 1000)
            motors.3.step(duty: 500, microseconds: 1000)
            heater.step(dutyPercent: UInt8(truncatingIfNeeded: tick % 101), microseconds: 1000)
            if let reading = sensor.sample(surface: heater.surfaceTemperature, air: heater.airTemperature,
                                           nowMicroseconds: now) {
                checksum &+= UInt64(UInt16(bitPattern: reading))
            }
            if tick % 17_000 == 16_999 { mat.restart(script: .default, atMicroseconds: now) }
            mat.step(nowMicroseconds: now)
            if tick % matReadTicks == 0 { mat.read(into: &pressures) }
            checksum &+= UInt64(motors.0.speed &+ motors.1.speed &+ motors.2.speed &+ motors.3.speed)
            checksum &+= UInt64(pressures[tick & 15])
        }
        let elapsed = clock.now - start
        let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        let perTick = nanoseconds / Double(ticks)
        print("""
            MassageSimulator models, mat read every \(matReadTicks) ms: \(perTick) ns per 1 ms tick \
            (\(Int(1e6 / perTick))× real time for the models alone)
            """)
        #expect(checksum != 0)
        #if !DEBUG
        // Optimised builds only: an unoptimised build is 10–50× slower and says nothing.
        #expect(perTick < budgetNanoseconds, "\(perTick) ns per tick")
        #endif
    }
}
