import MassageKit
@testable import MassageProgramFiles
import PropertyBased
import Testing

@Suite("units: durations, levels, temperatures")
struct QuantityPropertyTests {
    @Test("a duration formatted then parsed comes back equal (whole seconds, milliseconds, any double)")
    func durationsRoundTrip() async {
        await propertyCheck(count: 500, input: Gen.double(in: 0 ... 14_400), Gen.int(in: 0 ... 14_400_000)) { any, milliseconds in
            for seconds in [any, any.rounded(), Double(milliseconds) / 1000] {
                let text = ProgramQuantities.text(seconds: seconds)
                #expect((try? ProgramQuantities.seconds(fromText: text)) == seconds, "\(seconds) → \(text)")
            }
        }
    }

    /// Found by the program round-trip property in CI: the shortest form of a subnormal
    /// duration has an exponent, which the reader took for a unit.
    @Test("tiny durations, written with an exponent, read back equal", arguments: [Double(bitPattern: 600), .leastNonzeroMagnitude, 1e-300, 1.25e-7])
    func tinyDurationsRoundTrip(seconds: Double) {
        let text = ProgramQuantities.text(seconds: seconds)
        #expect((try? ProgramQuantities.seconds(fromText: text)) == seconds, "\(seconds) → \(text)")
    }

    @Test("a level formatted then parsed comes back equal")
    func levelsRoundTrip() async {
        await propertyCheck(count: 500, input: Gen.double(in: 0 ... 1), Gen.int(in: 0 ... 100)) { any, percent in
            for level in [any, Double(percent) / 100] {
                let text = ProgramQuantities.text(level: level)
                #expect((try? ProgramQuantities.level(fromText: text)) == level, "\(level) → \(text)")
            }
        }
    }

    @Test("duration texts", arguments: [
        ("90s", 90.0), ("3m", 180), ("500ms", 0.5), ("1m30s", 90), ("1h", 3600), ("2.5 min", 150), ("1h 20m", 4800),
        ("90", 90), (" 45 s ", 45), ("1.5S", 1.5), ("2.964e-321s", Double(bitPattern: 600)), ("1e-3s", 0.001), ("1.5e2 s", 150),
    ])
    func durationTexts(text: String, seconds: Double) throws {
        #expect(try ProgramQuantities.seconds(fromText: text) == seconds)
    }

    @Test("whole durations are written in hours, minutes and seconds")
    func durationFormatting() {
        #expect(ProgramQuantities.text(seconds: 90) == "1m30s")
        #expect(ProgramQuantities.text(seconds: 3600) == "1h")
        #expect(ProgramQuantities.text(seconds: 3725) == "1h2m5s")
        #expect(ProgramQuantities.text(seconds: 0.25) == "0.25s")
        #expect(ProgramQuantities.text(level: 0.6) == "60%")
        #expect(ProgramQuantities.text(level: 0.123456) == "0.123456")
    }

    @Test("bad duration texts say what is allowed", arguments: ["12 parsecs", "s", "1m30", "-5s", "", "ten seconds"])
    func badDurations(text: String) {
        let error = #expect(throws: ProgramQuantities.ReadError.self) { try ProgramQuantities.seconds(fromText: text) }
        #expect(error?.description.contains("durations take ms, s, m (or min) and h") == true, "\(String(describing: error))")
    }

    @Test("temperatures: numbers, °C and off")
    func temperatures() throws {
        #expect(try ProgramQuantities.celsius(fromText: "39°C") == 39)
        #expect(try ProgramQuantities.celsius(fromText: "39.5 °C") == 39.5)
        #expect(try ProgramQuantities.celsius(fromText: "40C") == 40)
        #expect(try ProgramQuantities.celsius(fromText: "off") == nil)
        #expect(throws: ProgramQuantities.ReadError.self) { try ProgramQuantities.celsius(fromText: "102°F") }
    }

    @Test("edit distance: zero only for equal words, symmetric, at most the longer length")
    func editDistance() async {
        let word = Gen.int(in: 0 ... 5).array(of: 0 ... 8).map { $0.map { String(UnicodeScalar(UInt8(97 + $0))) }.joined() }
        await propertyCheck(count: 300, input: word, word) { a, b in
            let d = KeySuggestion.distance(a, b)
            #expect((d == 0) == (a == b))
            #expect(d == KeySuggestion.distance(b, a))
            #expect(d <= max(a.count, b.count))
        }
        #expect(KeySuggestion.distance("patern", "pattern") == 1)
        #expect(KeySuggestion.distance("pattren", "pattern") == 1)
        #expect(KeySuggestion.nearest(to: "patern", in: ProgramDecoder.stepKeys) == "pattern")
        #expect(KeySuggestion.nearest(to: "colour", in: ProgramDecoder.stepKeys) == nil)
    }
}
