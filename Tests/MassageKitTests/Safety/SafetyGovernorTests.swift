import MassageKit
import MassageWire
import Testing

func levels(_ intensities: [UInt16], heater: UInt16 = 0) -> OutputLevels {
    OutputLevels(intensities: Intensities(intensities) ?? Intensities(), heaterSetpoint: heater)
}

@Suite struct SafetyGovernorTests {
    /// Drives constant `wanted` every `tickMicroseconds` until the governor stops or
    /// `until` µs pass; returns the session time of the tick that stopped (or nil).
    func drive(_ governor: inout SafetyGovernor, wanted: OutputLevels, tickMicroseconds: UInt64, until: UInt64) -> UInt64? {
        var now: UInt64 = 0
        while now <= until {
            var out = wanted
            governor.apply(to: &out, atMicroseconds: now)
            if governor.isStopped {
                #expect(out.isOff)
                return now
            }
            now += tickMicroseconds
        }
        return nil
    }

    /// 10 m/s² at full intensity: 2 · 10² · 0.5 h = 100 points at exactly 30 minutes.
    @Test func doseAtTenMetresPerSecondSquaredStopsAtThirtyMinutes() throws {
        let limits = try SafetyLimits(actuatorAccelerations: [1000], heaterCap: 410, slewStepPerTick: 1000,
                                      maxSessionMicroseconds: SafetyLimits.longestSessionMicroseconds)
        var governor = SafetyGovernor(limits: limits)
        let stoppedAt = drive(&governor, wanted: levels([1000]), tickMicroseconds: 10_000, until: 3_600_000_000)
        #expect(stoppedAt == 1_800_000_000)
        #expect(governor.stopReason == .doseLimit(points: 100))
        #expect(governor.dose.points == 100)
        // Zero from then on, whatever is asked.
        var after = levels([1000], heater: 400)
        governor.apply(to: &after, atMicroseconds: 1_800_010_000)
        #expect(after.isOff)
    }

    /// The loudest actuator counts: declared 10 and 20 m/s² at 1000 ‰ and 800 ‰ give
    /// 10 and 16 m/s²; 100 points at 16 m/s² take 100 / (2·256) h = 703.125 s, so the
    /// first 10 ms tick at or after that (703.13 s) stops.
    @Test func theLoudestActuatorSetsTheDose() throws {
        let limits = try SafetyLimits(actuatorAccelerations: [1000, 2000], heaterCap: 0, slewStepPerTick: 1000,
                                      maxSessionMicroseconds: SafetyLimits.longestSessionMicroseconds)
        var governor = SafetyGovernor(limits: limits)
        let stoppedAt = drive(&governor, wanted: levels([1000, 800]), tickMicroseconds: 10_000, until: 3_600_000_000)
        #expect(stoppedAt == 703_130_000)
    }

    /// A user may raise the stop to 200 points (1 h at 10 m/s²), never past 400.
    @Test func theDoseStopCanBeRaisedUpToTheLimitValueOnly() throws {
        let limits = try SafetyLimits(actuatorAccelerations: [1000], heaterCap: 410, slewStepPerTick: 1000,
                                      doseStopPoints: 200, maxSessionMicroseconds: SafetyLimits.longestSessionMicroseconds)
        var governor = SafetyGovernor(limits: limits)
        #expect(drive(&governor, wanted: levels([1000]), tickMicroseconds: 100_000, until: 8 * 3_600_000_000) == 3_600_000_000)
        #expect(governor.stopReason == .doseLimit(points: 200))
        #expect(throws: SafetyConfigurationError.doseStopOutOfRange(401)) {
            try SafetyLimits(actuatorAccelerations: [1000], heaterCap: 410, slewStepPerTick: 10, doseStopPoints: 401)
        }
        #expect(throws: SafetyConfigurationError.doseStopOutOfRange(0)) {
            try SafetyLimits(actuatorAccelerations: [1000], heaterCap: 410, slewStepPerTick: 10, doseStopPoints: 0)
        }
    }

    @Test func theHeaterSetpointIsClampedToTheCapAndNeverAbove43() throws {
        var governor = SafetyGovernor(limits: try SafetyLimits(actuatorAccelerations: [100], heaterCap: 395, slewStepPerTick: 10))
        var out = levels([0], heater: 500)
        governor.apply(to: &out, atMicroseconds: 0)
        #expect(out.heaterSetpoint == 395)
        out = levels([0], heater: 380)
        governor.apply(to: &out, atMicroseconds: 10_000)
        #expect(out.heaterSetpoint == 380)

        let hot = try SafetyLimits(actuatorAccelerations: [100], heaterCap: 600, slewStepPerTick: 10)
        #expect(hot.heaterCap == 430)
        var hotGovernor = SafetyGovernor(limits: hot)
        out = levels([0], heater: 999)
        hotGovernor.apply(to: &out, atMicroseconds: 0)
        #expect(out.heaterSetpoint == 430)

        var noHeater = SafetyGovernor(limits: try SafetyLimits(actuatorAccelerations: [100], heaterCap: 0, slewStepPerTick: 10))
        out = levels([0], heater: 380)
        noHeater.apply(to: &out, atMicroseconds: 0)
        #expect(out.heaterSetpoint == 0)
    }

    @Test func slewLimitsEachStepExceptADropToZero() throws {
        var governor = SafetyGovernor(limits: try SafetyLimits(actuatorAccelerations: [100, 100], heaterCap: 0, slewStepPerTick: 50))
        var seen: [[UInt16]] = []
        let asks: [[UInt16]] = [[1000, 120], [1000, 120], [1000, 120], [20, 120], [20, 0], [20, 130]]
        for (k, ask) in asks.enumerated() {
            var out = levels(ask)
            governor.apply(to: &out, atMicroseconds: UInt64(k) * 10_000)
            seen.append(Array(out.intensities))
        }
        #expect(seen == [[50, 50], [100, 100], [150, 120], [100, 120], [50, 0], [20, 50]])
    }

    @Test func theUsersMaximumIntensityHolds() throws {
        var governor = SafetyGovernor(limits: try SafetyLimits(actuatorAccelerations: [100, 100, 100], heaterCap: 0,
                                                               maxIntensity: 600, slewStepPerTick: 1000))
        var out = levels([1000, 601, 300])
        governor.apply(to: &out, atMicroseconds: 0)
        #expect(Array(out.intensities) == [600, 600, 300])
    }

    @Test func levelsAreSizedToTheDevice() throws {
        var governor = SafetyGovernor(limits: try SafetyLimits(actuatorAccelerations: [100, 100, 100], heaterCap: 0, slewStepPerTick: 1000))
        var out = levels([500])
        governor.apply(to: &out, atMicroseconds: 0)
        #expect(Array(out.intensities) == [500, 0, 0])
        out = levels([1, 2, 3, 4, 5])
        governor.apply(to: &out, atMicroseconds: 10_000)
        #expect(Array(out.intensities) == [1, 2, 3])
    }

    @Test func theSessionStopsAtItsMaximumDuration() throws {
        let limits = try SafetyLimits(actuatorAccelerations: [10], heaterCap: 410, slewStepPerTick: 1000,
                                      maxSessionMicroseconds: 10 * 60_000_000)
        var governor = SafetyGovernor(limits: limits)
        #expect(drive(&governor, wanted: levels([300], heater: 380), tickMicroseconds: 20_000, until: 3_600_000_000) == 600_000_000)
        #expect(governor.stopReason == .sessionDuration(microseconds: 600_000_000))
        #expect(throws: SafetyConfigurationError.sessionDurationOutOfRange(0)) {
            try SafetyLimits(actuatorAccelerations: [10], heaterCap: 410, slewStepPerTick: 10, maxSessionMicroseconds: 0)
        }
    }

    @Test func aFaultOrLinkLossStopsAndTheFirstReasonIsKept() throws {
        var governor = SafetyGovernor(limits: try SafetyLimits(actuatorAccelerations: [100], heaterCap: 410, slewStepPerTick: 1000))
        var out = levels([700], heater: 380)
        governor.apply(to: &out, atMicroseconds: 0)
        #expect(out.intensities[0] == 700)
        governor.stop(because: .deviceFault(.heaterRunaway))
        governor.stop(because: .linkLost)
        out = levels([700], heater: 380)
        governor.apply(to: &out, atMicroseconds: 10_000)
        #expect(out.isOff)
        #expect(governor.stopReason == .deviceFault(.heaterRunaway))
    }

    @Test func settingsOutOfRangeAreRefusedWithTheRange() {
        #expect(throws: SafetyConfigurationError.slewStepOutOfRange(0)) {
            try SafetyLimits(actuatorAccelerations: [10], heaterCap: 410, slewStepPerTick: 0)
        }
        #expect(throws: SafetyConfigurationError.maxIntensityOutOfRange(1001)) {
            try SafetyLimits(actuatorAccelerations: [10], heaterCap: 410, maxIntensity: 1001, slewStepPerTick: 10)
        }
        #expect(throws: SafetyConfigurationError.tooManyActuators(17)) {
            try SafetyLimits(actuatorAccelerations: Array(repeating: 10, count: 17), heaterCap: 410, slewStepPerTick: 10)
        }
        #expect(SafetyConfigurationError.doseStopOutOfRange(500).description.contains("1–400"))
    }

    /// PROTOCOL.md 6.6's per-second figure as a per-tick step.
    @Test func slewPerSecondBecomesAStepPerTick() {
        #expect(SafetyLimits.slewStep(perSecond: 2000, rateHertz: 100) == 20)
        #expect(SafetyLimits.slewStep(perSecond: 10, rateHertz: 1000) == 1)
    }
}
