import MassageKit
import Testing
@testable import MassageSimulator

/// Each body scenario produces the contact it claims: played through `MatModel` (the
/// 4 × 4 mat of `sim:mat-16`) and a `ContactTracker` with the thresholds `mat session`
/// uses, on a virtual clock read every 50 ms (the device's MatReport period).
@Suite struct BodyScenarioTests {
    /// What a stretch of the scenario did to the mat.
    struct Played {
        var summary: MatSessionSummary
        /// The zones ever in contact.
        var zonesEverInContact: ZoneSet
        /// Accepted contact (any zone) as intervals, µs: when the body was on the mat.
        var onMat: [Range<UInt64>]
    }

    static func play(_ script: BodyScript, forMicroseconds length: UInt64, rows: Int = 4, columns: Int = 4) throws -> Played {
        var mat = MatModel(rows: rows, columns: columns, script: script)
        var tracker = ContactTracker(configuration: try .pressure(zoneCount: rows * columns, sessionStartNanoseconds: 0))
        var pressures = MatPressures(repeating: 0)
        var ever = ZoneSet.none
        var onMat: [Range<UInt64>] = []
        var cameOn: UInt64?
        let period: UInt64 = 50_000
        var time: UInt64 = 0
        while time <= length {
            mat.step(nowMicroseconds: time)
            mat.read(into: &pressures)
            tracker.feed(pressures: pressures.span.extracting(0 ..< rows * columns), firstZone: 0, atMicroseconds: time)
            ever.rawValue |= tracker.contactZones.rawValue
            if tracker.isBodyOnMat, cameOn == nil { cameOn = time }
            if !tracker.isBodyOnMat, let start = cameOn {
                onMat.append(start ..< time)
                cameOn = nil
            }
            time += period
        }
        if let start = cameOn { onMat.append(start ..< time) }
        return Played(summary: tracker.finish(atNanoseconds: length * 1000), zonesEverInContact: ever, onMat: onMat)
    }

    static let minute: UInt64 = 60_000_000
    static let second: UInt64 = 1_000_000

    @Test("default: the 17 s script whatever the seed, about 15 s on the mat, once")
    func defaultScenario() throws {
        #expect(BodyScenario.default.script(seed: 1) == .default)
        #expect(BodyScenario.default.script(seed: 99) == .default)
        let played = try Self.play(BodyScenario.default.script(seed: 1), forMicroseconds: 3 * Self.minute)
        #expect(played.summary.timesOn == 1 && played.summary.timesLeft == 1)
        #expect((14 * Self.second ... 16 * Self.second).contains(played.summary.timeOnMatNanoseconds / 1000))
    }

    @Test("long-session: one stretch of 25–35 min, the body never leaves in between, then the mat stays empty", arguments: [1, 2, 3, 42] as [UInt64])
    func longSession(seed: UInt64) throws {
        let played = try Self.play(BodyScenario.longSession.script(seed: seed), forMicroseconds: 45 * Self.minute)
        #expect(played.onMat.count == 1, "\(played.onMat)")
        let stretch = try #require(played.onMat.first)
        #expect((2 * Self.second ... 11 * Self.second).contains(stretch.lowerBound), "came on at \(stretch.lowerBound)")
        let length = stretch.upperBound - stretch.lowerBound
        #expect((25 * Self.minute - 2 * Self.second ... 35 * Self.minute + 2 * Self.second).contains(length), "on for \(length) µs")
        #expect(played.summary.timesOn == 1 && played.summary.timesLeft == 1 && !played.summary.onMatAtEnd)
        #expect(played.zonesEverInContact.count == 16)
        // Weight shifts and hip lifts: some zones are out of contact now and then, others
        // (the shoulder blades) all along.
        let contact = played.summary.zoneContactNanoseconds
        #expect(contact.min()! < contact.max()!, "\(contact)")
    }

    @Test("gets-up: 1–4 min on, 15–60 s off, again and again", arguments: [1, 7, 3] as [UInt64])
    func getsUp(seed: UInt64) throws {
        let played = try Self.play(BodyScenario.getsUp.script(seed: seed), forMicroseconds: 30 * Self.minute)
        // 30 minutes hold at least 30 / (4 + 1) = 6 stretches on the mat.
        #expect(played.onMat.count >= 6, "\(played.onMat.count) stretches")
        #expect(played.summary.timesLeft >= 5)
        for (index, stretch) in played.onMat.enumerated() where stretch.upperBound < 30 * Self.minute {
            let length = stretch.upperBound - stretch.lowerBound
            #expect((58 * Self.second ... 4 * Self.minute + 2 * Self.second).contains(length), "stretch \(index): \(length) µs")
        }
        for (earlier, later) in zip(played.onMat, played.onMat.dropFirst()) {
            let gap = later.lowerBound - earlier.upperBound
            #expect((13 * Self.second ... 62 * Self.second).contains(gap), "off for \(gap) µs")
        }
    }

    @Test("one-side: only one half of the mat is ever in contact, the seed picks the half, and the body stays")
    func oneSide() throws {
        var sides: Set<String> = []
        for seed: UInt64 in 1...8 {
            let played = try Self.play(BodyScenario.oneSide.script(seed: seed), forMicroseconds: 20 * Self.minute)
            let zones = played.zonesEverInContact.zones
            let columns = Set(zones.map { $0 % 4 })
            #expect(columns == [0, 1] || columns == [2, 3], "seed \(seed): columns \(columns.sorted())")
            #expect(zones.count == 8, "seed \(seed): zones \(zones)")
            sides.insert(columns.contains(0) ? "left" : "right")
            #expect(played.summary.timesOn == 1 && played.summary.onMatAtEnd, "seed \(seed)")
        }
        #expect(sides == ["left", "right"], "the seed never changed the side")
    }

    @Test("the same seed gives the same script; another seed, other times")
    func seeds() {
        for scenario in BodyScenario.allCases where scenario != .default {
            #expect(scenario.script(seed: 5) == scenario.script(seed: 5))
            #expect(scenario.script(seed: 5) != scenario.script(seed: 6), "\(scenario)")
        }
    }

    @Test("a gets-up script covers a day: the body still comes and goes after 23 hours")
    func horizon() throws {
        let script = BodyScenario.getsUp.script(seed: 1)
        let last = try #require(script.events.last)
        #expect(last.timeMicroseconds > 23 * 60 * Self.minute)
        #expect(script.events.count < 5000)
    }

    @Test("sim URI parameters: body and seed reach the profile; mistakes say what is allowed")
    func profileParameters() throws {
        let profile = try SimulatorProfile.parse("mat-16?body=gets-up&seed=3")
        #expect(profile.name == "mat-16" && profile.body == .getsUp && profile.bodySeed == 3)
        #expect(profile.bodyScript(deviceSeed: 1) == BodyScenario.getsUp.script(seed: 3))
        #expect(try SimulatorProfile.parse("mat-16").body == .default)
        let device = SimulatedDevice(profile: profile, seed: 1)
        #expect(device.mat?.script == BodyScenario.getsUp.script(seed: 3))
        for (text, message) in [
            ("mat-16?body=sleeps", "no body scenario 'sleeps'; the scenarios are: default, long-session, gets-up, one-side"),
            ("handheld-ring4?body=gets-up", "has no mat"),
            ("mat-16?seed=x", "the seed is a whole number"),
            ("mat-16?colour=red", "'colour' is not a simulator parameter"),
            ("mat-16?body", "is not KEY=VALUE"),
            ("toaster", "no simulator profile 'toaster'"),
        ] {
            #expect(throws: SimulatorProfileError.self, "\(text)") { try SimulatorProfile.parse(text) }
            do {
                _ = try SimulatorProfile.parse(text)
            } catch {
                #expect(error.description.contains(message), "\(text): \(error)")
            }
        }
    }
}
