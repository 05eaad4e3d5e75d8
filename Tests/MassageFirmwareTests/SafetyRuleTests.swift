import MassageFirmware
import MassageWire
import Testing

/// Each device-side rule of DESIGN.md's safety table, on the virtual clock, with its figure.
@Suite struct SafetyRuleTests {
    @Test func watchdogTripsAfter500msOfSilenceWithinOneTick() {
        var h = FirmwareHarness()
        h.hostAlive = false
        h.startSession()
        h.run(until: 100_000)
        h.setOutputs([500, 500, 500, 500], heater: 380)
        let lastFrame = h.now
        let tripped = h.run(until: 2_000_000) { $0.faults.contains(.watchdog) }
        #expect(tripped)
        let silence = h.now - lastFrame
        #expect(silence >= 500_000 && silence <= 500_000 + h.tick, "tripped after \(silence) µs")
        #expect(h.lastOutputs.isAllOff)
        #expect(h.core.heaterTarget == 0)
        let fault = h.takeSent().compactMap(\.fault).first
        #expect(fault?.code == 0)
        #expect(fault?.detail == 500)
    }

    @Test func watchdogFollowsItsConfiguredPeriod() {
        var h = FirmwareHarness()
        h.hostAlive = false
        h.startSession()
        h.send(.setConfig(ConfigEntry(key: .watchdogMilliseconds, value: 250)))
        h.setOutputs([100, 100, 100, 100])
        let last = h.now
        h.run(until: 1_000_000) { $0.faults.contains(.watchdog) }
        #expect(h.now - last >= 250_000 && h.now - last <= 250_000 + h.tick)
    }

    @Test func heartbeatsKeepTheWatchdogFedAndItIsNotArmedBeforeHello() {
        var h = FirmwareHarness()
        h.hostAlive = false
        h.run(until: 3_000_000)
        #expect(h.core.faults.isEmpty, "no session: no watchdog")
        h.startSession()
        for k in 1...50 {
            // Driven throughout (the watchdog is armed only then), fed by heartbeats alone.
            if k % 20 == 1 { h.setOutputs([100, 100, 100, 100], lease: 3000) }
            h.run(until: 3_000_000 + UInt64(k) * 100_000)
            h.send(.heartbeat)
        }
        #expect(h.core.faults.isEmpty)
    }

    @Test func heaterLeaseLapsesAt3sEvenWithHeartbeats() {
        var h = FirmwareHarness()
        h.startSession()
        h.reading = 370
        h.setOutputs([300, 300, 300, 300], heater: 380, lease: 3000)
        let start = h.now
        var lapsed: UInt64? = nil
        while h.now < start + 4_000_000 {
            h.step()
            if lapsed == nil && h.core.heaterTarget == 0 { lapsed = h.now - start }
        }
        #expect(lapsed.map { $0 >= 3_000_000 && $0 <= 3_000_000 + h.tick } == true, "lapsed after \(String(describing: lapsed))")
        #expect(h.lastOutputs.isAllOff)
        #expect(h.core.faults.isEmpty, "a lapsed lease is not a fault")
        #expect(h.core.state == .idle)
    }

    @Test func aLeaseAboveTheMaximumIsRefused() {
        var h = FirmwareHarness()
        h.startSession()
        h.setOutputs([100, 100, 100, 100], lease: 3001)
        #expect(h.takeSent().map(\.nakReason) == [.outOfRange])
        h.setOutputs([100, 100, 100, 100], lease: 0)
        #expect(h.takeSent().map(\.nakReason) == [.outOfRange])
    }

    @Test func setpointsAreClampedToTheCapAndTheCapNeverPasses43() {
        var h = FirmwareHarness()
        h.startSession()
        h.setOutputs([0, 0, 0, 0], heater: 600)
        #expect(h.core.heaterTarget == 410)
        h.send(.setConfig(ConfigEntry(key: .heaterCap, value: 431)))
        #expect(h.takeSent().map(\.nakReason) == [.outOfRange])
        h.send(.setConfig(ConfigEntry(key: .heaterCap, value: 350)))
        #expect(h.core.heaterTarget == 350, "lowering the cap lowers a target in force")
        // At or above the cap the element is off, whatever the loop's integral says.
        h.reading = 350
        h.run(until: h.now + 200_000)
        #expect(h.lastOutputs.heaterDuty == 0)
    }

    @Test func heaterThatDoesNotHeatIsCaughtAsRunawayWithin20s() {
        var h = FirmwareHarness()
        h.startSession()
        h.reading = 250   // a sensor off its element: it never warms
        var start: UInt64 = 0
        var tripped = false
        while h.now < 30_000_000 && !tripped {
            if h.now % 1_000_000 == 0 { h.setOutputs([0, 0, 0, 0], heater: 400, lease: 3000); if start == 0 { start = h.now } }
            h.step()
            tripped = h.core.faults.contains(.heaterRunaway)
        }
        #expect(tripped)
        let after = h.now - start
        #expect(after >= 20_000_000 && after <= 20_000_000 + h.samplePeriod + h.tick, "runaway after \(after) µs")
        #expect(h.lastOutputs.heaterDuty == 0)
    }

    @Test func aHeaterThatFallsAwayFromItsTargetLatchesAfter60DegreeSeconds() {
        var h = FirmwareHarness()
        h.startSession()
        h.reading = 400
        h.setOutputs([0, 0, 0, 0], heater: 400, lease: 3000)
        h.run(until: h.now + 500_000)
        #expect(h.core.faults.isEmpty)
        // Falls to 8 °C below target − hysteresis: 60 °C·s / 8 °C = 7.5 s.
        h.reading = 400 - 20 - 80
        let fell = h.now
        var tripped = false
        while h.now < fell + 20_000_000 && !tripped {
            if h.now % 1_000_000 == 0 { h.setOutputs([0, 0, 0, 0], heater: 400, lease: 3000) }
            h.step()
            tripped = h.core.faults.contains(.heaterRunaway)
        }
        #expect(tripped)
        let after = Double(h.now - fell) / 1e6
        #expect(after >= 7.5 && after <= 7.5 + 0.2, "runaway after \(after) s")
    }

    @Test func fourOutOfRangeReadingsInARowLatchSensorRange() {
        var h = FirmwareHarness()
        h.startSession()
        h.reading = 900
        h.run(until: h.nextSample + 250_000)   // 3 samples
        #expect(!h.core.faults.contains(.sensorRange))
        h.reading = 250
        h.run(until: h.now + 100_000)   // the streak resets
        h.reading = -400
        h.run(until: h.nextSample + 350_000)   // 4 samples
        #expect(h.core.faults.contains(.sensorRange))
        let fault = h.takeSent().compactMap(\.fault).first
        #expect(fault?.detail == -400)
    }

    @Test func aSilentSensorLatchesStaleAfter1sWhileHeating() {
        var h = FirmwareHarness()
        h.startSession()
        h.reading = 300
        h.setOutputs([0, 0, 0, 0], heater: 380, lease: 3000)
        h.run(until: h.now + 300_000)
        h.reading = nil
        let silentFrom = h.nextSample - h.samplePeriod   // the last sample taken
        h.run(until: h.now + 2_000_000) { $0.faults.contains(.sensorStale) }
        #expect(h.core.faults.contains(.sensorStale))
        #expect(h.now - silentFrom >= 1_000_000 && h.now - silentFrom <= 1_000_000 + h.tick)
    }

    @Test func heatTurnsOffAfter30MinutesOfOneSession() {
        var h = FirmwareHarness()
        h.tick = 10_000   // 10 ms ticks: 40 simulated minutes stay quick
        h.startSession()
        h.reading = 380
        var heatingFrom: UInt64? = nil
        var tripped = false
        while h.now < 40 * 60 * 1_000_000 && !tripped {
            if h.now % 1_000_000 == 0 {
                h.setOutputs([0, 0, 0, 0], heater: 380, lease: 3000)
                if heatingFrom == nil { heatingFrom = h.now }
            }
            h.step()
            tripped = h.core.faults.contains(.heatTimeLimit)
        }
        #expect(tripped)
        let minutes = Double(h.now - (heatingFrom ?? 0)) / 60e6
        #expect(abs(minutes - 30) <= 0.001, "auto-off after \(minutes) min")
        #expect(h.lastOutputs.heaterDuty == 0)
        // The session's budget stays spent: ClearFault is refused until a new Hello.
        h.send(.clearFault)
        #expect(h.takeSent().last?.nakReason == .conditionPersists)
        h.send(.hello(Hello()))
        h.send(.clearFault)
        #expect(h.core.faults.isEmpty)
    }

    @Test func aFaultStaysLatchedUntilClearFault() {
        var h = FirmwareHarness()
        h.hostAlive = false
        h.startSession()
        h.setOutputs([100, 100, 100, 100])
        h.run(until: h.now + 600_000)   // watchdog
        #expect(h.core.faults.contains(.watchdog))
        h.run(until: h.now + 5_000_000)
        #expect(h.core.faults.contains(.watchdog), "still latched 5 s later")
        h.hostAlive = true
        h.takeSent()
        h.setOutputs([100, 100, 100, 100])
        #expect(h.takeSent().map(\.nakReason) == [.faultLatched])
        #expect(h.lastOutputs.isAllOff)
        h.send(.clearFault)
        #expect(h.core.faults.isEmpty)
        h.setOutputs([100, 100, 100, 100])
        h.step()
        #expect(!h.lastOutputs.isAllOff)
    }

    @Test func clearFaultIsRefusedWhileTheCauseRemains() {
        var h = FirmwareHarness()
        h.startSession()
        h.reading = 1500   // a shorted sensor
        h.run(until: h.now + 500_000)
        h.send(.heartbeat)
        #expect(h.core.faults.contains(.sensorRange))
        h.send(.clearFault)
        #expect(h.takeSent().last?.nakReason == .conditionPersists)
        #expect(h.core.faults.contains(.sensorRange))
        h.reading = 300
        h.run(until: h.now + 150_000)
        h.send(.clearFault)
        #expect(h.core.faults.isEmpty)
    }

    @Test func doseLimitStopsTheMotorsAtTheConfiguredPoints() {
        var h = FirmwareHarness()
        h.startSession()
        // 10 m/s² at full intensity: 1 point = 2·100·T → T = 18 s.
        h.send(.setConfig(ConfigEntry(key: .doseLimit, value: 1)))
        h.send(.setConfig(ConfigEntry(key: .slewPerSecond, value: 100_000)))
        h.setOutputs([1000, 1000, 1000, 1000], lease: 3000)
        let start = h.now
        var tripped = false
        while h.now < start + 30_000_000 && !tripped {
            if h.now % 100_000 == 0 { h.setOutputs([1000, 1000, 1000, 1000], lease: 3000) }
            h.step()
            tripped = h.core.faults.contains(.doseLimit)
        }
        #expect(tripped)
        let seconds = Double(h.now - start) / 1e6
        // 10 ms of slew-up at the start adds about 5 ms.
        #expect(seconds >= 18 && seconds <= 18.02, "dose limit after \(seconds) s")
        #expect(h.lastOutputs.isAllOff)
    }

    @Test func aStuckMotorLatchesStallAfter500ms() {
        var h = FirmwareHarness()
        h.startSession()
        h.motorsTurn = false
        h.send(.setConfig(ConfigEntry(key: .slewPerSecond, value: 100_000)))
        h.setOutputs([500, 0, 0, 0], lease: 3000)
        let start = h.now
        h.run(until: start + 1_000_000) { $0.faults.contains(.motorStall) }
        #expect(h.core.faults.contains(.motorStall))
        // Drive passes 20 % after 2 ms of slew, then 500 ms.
        #expect(h.now - start >= 500_000 && h.now - start <= 505_000)
    }

    @Test func intensitySlewsUpAtTheConfiguredRateAndDropsToZeroAtOnce() {
        var h = FirmwareHarness()
        h.startSession()
        h.setOutputs([1000, 500, 0, 0], lease: 3000)
        h.step()
        #expect(h.lastOutputs.motorDuties[0] == 10, "10000 per mille/s = 10 per ms")
        var previous = h.lastOutputs.motorDuties[0]
        for _ in 0..<150 {
            h.step()
            #expect(h.lastOutputs.motorDuties[0] - previous <= 10)
            previous = h.lastOutputs.motorDuties[0]
        }
        #expect(h.lastOutputs.motorDuties[0] == 1000)
        #expect(h.lastOutputs.motorDuties[1] == 500)
        h.setOutputs([0, 400, 0, 0], lease: 3000)
        h.step()
        #expect(h.lastOutputs.motorDuties[0] == 0, "to zero at once")
        #expect(h.lastOutputs.motorDuties[1] == 490, "down at the slew rate")
    }
}
