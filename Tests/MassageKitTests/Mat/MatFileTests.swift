import Foundation
import MassageKit
import Testing

@Suite struct MatFileTests {
    @Test func readsLinesGridAndWiring() throws {
        let json = #"{"chip":"gpiochip0","rows":2,"columns":2,"zones":[{"line":5,"name":"left shoulder"},{"line":6},{"line":13},{"line":19,"name":"right hip"}],"active_low":false,"bias":"as-is"}"#
        let file = try MatFile.parse(Data(json.utf8), source: "mat.json")
        #expect(file.chip == "gpiochip0")
        #expect(file.lines == [5, 6, 13, 19])
        #expect(file.rows == 2 && file.columns == 2)
        #expect(file.zones[0].name == "left shoulder" && file.zones[1].name == nil)
        #expect(file.wiring == GPIOContactWiring(pullUp: false, activeLow: false))
    }

    @Test func defaultsToOneRowAndContactsToGround() throws {
        let file = try MatFile.parse(Data(#"{"chip":"0","zones":[{"line":1},{"line":2},{"line":3}]}"#.utf8), source: "m")
        #expect(file.rows == 1 && file.columns == 3)
        #expect(file.wiring == GPIOContactWiring())
    }

    @Test(arguments: [
        (#"{"chip":"gpiochip0","zones":[{"line":5},{"line":5}]}"#, "zones[1].line: line 5 is already zone 0"),
        (#"{"chip":"gpiochip0","rows":3,"zones":[{"line":5},{"line":6}]}"#, "rows × columns"),
        (#"{"chip":"gpiochip0","zones":[]}"#, "give 1–64 zones"),
        (#"{"chip":"","zones":[{"line":5}]}"#, "chip:"),
        (#"{"zones":[{"line":5}]}"#, "chip: missing"),
        (#"{"chip":"c","zones":[{"line":"five"}]}"#, "zones[0].line: the wrong type; give the line's offset"),
        (#"{"chip":"c","zones":[{"line":-1}]}"#, "zones[0].line: give the line's offset, a whole number from 0"),
        (#"{"chip":"c","zones":[{"line":1}],"active_high":true}"#, "active_high: unknown key; did you mean active_low?"),
        (#"{"chip":"c","zones":[{"line":1}],"colums":1}"#, "colums: unknown key; did you mean columns?"),
        (#"{"chip":"c","zones":[{"line":1,"nmae":"x"}]}"#, "zones[0].nmae: unknown key; did you mean name?"),
        (#"{"chip":"c","zones":[{"line":1}],"\u001b]0;x\u0007":1}"#, #"\u{1B}]0;x\u{7}: unknown key"#),
        ("{\"chip\":\"gpio\u{202E}chip0\",\"zones\":[{\"line\":1}]}", "chip: give the chip's name"),
        (#"{"chip":"c","zones":[{"line":5}],"bias":"pull-down"}"#, "bias: \"pull-down\""),
        ("not json", "not JSON"),
    ])
    func badFilesSayWhatToFix(json: String, problem: String) {
        #expect {
            _ = try MatFile.parse(Data(json.utf8), source: "mat.json")
        } throws: { error in
            "\(error)".contains(problem) && "\(error)".hasPrefix("mat file mat.json:")
        }
    }

    @Test func aMissingFileIsNamed() {
        var missing = MatFileError(path: "/nonexistent/mat.json", problem: "no such file")
        missing.isUnreadable = true
        #expect(throws: missing) {
            _ = try MatFile.load(path: "/nonexistent/mat.json")
        }
    }
}
