import MassageKit
import Testing

@Suite struct MatClockCheckTests {
    static let second: UInt64 = 1_000_000_000

    @Test func aDeviceClockKeepingTimeIsBelieved() {
        var check = MatClockCheck()
        for step in 0..<600 {
            // Device reports lag the host by up to 300 ms, its crystal 1 % fast.
            let host = UInt64(step) * Self.second / 10
            let device = 5_000 * Self.second + UInt64(Double(host) * 1.01) - (step > 0 ? Self.second * 3 / 10 : 0)
            #expect(check.check(deviceNanoseconds: device, hostNanoseconds: host) == .believable, "step \(step)")
        }
    }

    /// The defect: 4 s of wall time counted as 78 hours.
    @Test func aJumpAheadIsCaughtAndNotBelieved() {
        var check = MatClockCheck()
        #expect(check.check(deviceNanoseconds: 10 * Self.second, hostNanoseconds: 0) == .believable)
        #expect(check.check(deviceNanoseconds: 12 * Self.second, hostNanoseconds: 2 * Self.second) == .believable)
        let jump = 78 * 3600 * Self.second
        #expect(check.check(deviceNanoseconds: jump, hostNanoseconds: 4 * Self.second)
                == .jumpedAhead(deviceNanoseconds: jump - 10 * Self.second, hostNanoseconds: 4 * Self.second))
        // Still checked against the last believable time.
        #expect(check.check(deviceNanoseconds: 13 * Self.second, hostNanoseconds: 3 * Self.second) == .believable)
    }

    @Test func speedScalesWhatIsBelievable() {
        var fast = MatClockCheck(speed: 4)
        _ = fast.check(deviceNanoseconds: 0, hostNanoseconds: 0)
        #expect(fast.check(deviceNanoseconds: 40 * Self.second, hostNanoseconds: 10 * Self.second) == .believable)
        var real = MatClockCheck()
        _ = real.check(deviceNanoseconds: 0, hostNanoseconds: 0)
        #expect(real.check(deviceNanoseconds: 40 * Self.second, hostNanoseconds: 10 * Self.second) != .believable)
    }

    @Test func goingBackIsCaughtBeyondTheTolerance() {
        var check = MatClockCheck()
        _ = check.check(deviceNanoseconds: 100 * Self.second, hostNanoseconds: 0)
        _ = check.check(deviceNanoseconds: 101 * Self.second, hostNanoseconds: Self.second)
        #expect(check.check(deviceNanoseconds: 101 * Self.second - 1000, hostNanoseconds: Self.second) == .believable)
        #expect(check.check(deviceNanoseconds: 50 * Self.second, hostNanoseconds: 2 * Self.second) == .wentBack(byNanoseconds: 51 * Self.second))
    }
}
