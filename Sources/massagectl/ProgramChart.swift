import Foundation
import MassageKit
import MassageWire

/// A program drawn for a terminal: one row per actuator with its intensity over time in
/// shade blocks, a row of the heater setpoint, the step boundaries above and a time axis
/// below, then a table of the steps.
///
/// The levels are what `ProgramPlayer` sends — each step's pattern at its intensity, with
/// the blend between steps — averaged over the stretch of time each column covers.
struct ProgramChart {
    let program: Program
    let geometry: ActuatorGeometry
    /// Columns for the whole picture, labels included.
    let width: Int
    /// The stretch of program time drawn, seconds (the whole program unless zoomed in).
    let window: Range<Double>

    init(program: Program, geometry: ActuatorGeometry, width: Int, window: Range<Double>? = nil) {
        self.program = program
        self.geometry = geometry
        self.width = width
        self.window = window ?? 0 ..< program.duration
    }

    static let shades: [Character] = [" ", "░", "▒", "▓", "█"]
    /// Samples averaged into each column.
    static let samplesPerColumn = 16

    /// The shade for a level 0 … 1: blank below 2 %, then quarters.
    static func shade(level: Double) -> Character {
        guard level >= 0.02 else { return shades[0] }
        return shades[1 + min(3, Int(level * 4))]
    }

    /// The shade for a heater setpoint in °C (nil: off).
    static func shade(celsius: Double?) -> Character {
        guard let celsius else { return shades[0] }
        if celsius < 37 { return shades[1] }
        if celsius < 39 { return shades[2] }
        if celsius < 40.5 { return shades[3] }
        return shades[4]
    }

    var labels: [String] {
        (0 ..< geometry.count).map { i in
            guard let bearing = geometry[i].bearing else { return "motor \(i)" }
            let degrees = Int((bearing * 180 / Double.pi).rounded()) % 360
            return "motor \(i) \(degrees)°"
        }
    }

    /// Per column: each actuator's mean level and the heater's highest setpoint.
    func sample(columns: Int) -> (levels: [[Double]], heat: [Double?]) {
        var player = ProgramPlayer(program: program, geometry: geometry)
        let duration = window.upperBound - window.lowerBound
        var levels = Array(repeating: Array(repeating: 0.0, count: columns), count: geometry.count)
        var heat: [Double?] = Array(repeating: nil, count: columns)
        for column in 0 ..< columns {
            var hottest: Double?
            for s in 0 ..< Self.samplesPerColumn {
                let t = window.lowerBound + (Double(column) + (Double(s) + 0.5) / Double(Self.samplesPerColumn)) * duration / Double(columns)
                var outputs = OutputLevels.off(actuatorCount: geometry.count)
                guard player.levels(atMicroseconds: UInt64(t * 1_000_000), into: &outputs) == .running else { continue }
                for (i, value) in outputs.intensities.enumerated() where i < geometry.count {
                    levels[i][column] += Double(value) / 1000 / Double(Self.samplesPerColumn)
                }
                if outputs.heaterSetpoint > 0 { hottest = max(hottest ?? 0, Double(outputs.heaterSetpoint) / 10) }
            }
            heat[column] = hottest
        }
        return (levels, heat)
    }

    func render() -> String {
        let labels = self.labels + ["heat", "steps", "time"]
        let labelWidth = (labels.map(\.count).max() ?? 0) + 2
        let columns = max(10, width - labelWidth)
        let duration = window.upperBound - window.lowerBound
        func pad(_ label: String) -> String { label + String(repeating: " ", count: labelWidth - label.count) }
        /// The column showing program time `seconds`, or nil outside the window.
        func column(at seconds: Double) -> Int? {
            guard window.contains(seconds) else { return nil }
            return min(columns - 1, Int((seconds - window.lowerBound) / duration * Double(columns)))
        }

        var lines: [String] = []
        // Step numbers over their first column, where there is room.
        var starts: [(index: Int, column: Int)] = []
        var elapsed = 0.0
        for (index, step) in program.steps.enumerated() {
            // A step that began before the window is marked at the window's start.
            if let start = column(at: max(elapsed, window.lowerBound)), elapsed + step.duration > window.lowerBound {
                starts.append((index, start))
            }
            elapsed += step.duration
        }
        var numbers = Array(repeating: Character(" "), count: columns)
        var boundary = Array(repeating: Character("─"), count: columns)
        var free = 0
        for (index, start) in starts {
            boundary[start] = start == 0 ? "├" : "┼"
            let label = Array(String(index + 1))
            if start >= free && start + label.count <= columns {
                for (k, c) in label.enumerated() { numbers[start + k] = c }
                free = start + label.count + 1
            }
        }
        lines.append(pad("") + String(numbers))
        lines.append(pad("steps") + String(boundary))

        let sampled = sample(columns: columns)
        for (i, label) in self.labels.enumerated() {
            lines.append(pad(label) + String(sampled.levels[i].map { Self.shade(level: $0) }))
        }
        lines.append(pad("heat") + String(sampled.heat.map { Self.shade(celsius: $0) }))
        lines.append(pad("time") + timeAxis(columns: columns))
        lines.append("")
        let span = duration / Double(columns)
        let spanText = span < 60 ? String(format: "%.1f s", span) : clockText(span)
        lines.append("motors: ░ under 25 %, ▒ under 50 %, ▓ under 75 %, █ 75 % and more of full intensity; blank is off "
            + "(the mean over each column's \(spanText))")
        lines.append("heat:   ░ under 37 °C, ▒ 37–38.9, ▓ 39–40.4, █ 40.5 °C and more; blank is off")
        lines.append("")
        lines.append(stepTable())
        return lines.joined(separator: "\n")
    }

    /// `0:00` at the start and labels at round intervals, none overlapping.
    func timeAxis(columns: Int) -> String {
        let duration = window.upperBound - window.lowerBound
        let intervals: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600]
        let minimumGap = 9.0
        let interval = intervals.first { $0 / duration * Double(columns) >= minimumGap } ?? 3600
        var axis = Array(repeating: Character(" "), count: columns)
        // The first round time at or after the window's start.
        var t = (window.lowerBound / interval).rounded(.up) * interval
        while t < window.upperBound {
            let position = Int((t - window.lowerBound) / duration * Double(columns))
            let label = Array(clockText(t))
            if position + label.count <= columns { for (k, c) in label.enumerated() { axis[position + k] = c } }
            t += interval
        }
        return String(axis)
    }

    func stepTable() -> String {
        let header = ["#", "START", "LENGTH", "STEP", "PATTERN", "INTENSITY", "HEAT"]
        var rows: [[String]] = []
        var elapsed = 0.0
        for (index, step) in program.steps.enumerated() {
            rows.append([String(index + 1), clockText(elapsed), clockText(step.duration), step.name, Self.kindName(step.pattern),
                         "\(Int((step.intensity * 100).rounded())) %", step.heat.map { "\(Self.celsiusText($0)) °C" } ?? "off"])
            elapsed += step.duration
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.indices.map { i in row[i] + String(repeating: " ", count: widths[i] - row[i].count) }
                .joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }

    static func celsiusText(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    static func kindName(_ pattern: Pattern) -> String {
        switch pattern {
        case .constant(let c): c.level == 0 ? "off" : "constant"
        case .ramp: "ramp"
        case .pulse: "pulse"
        case .circular: "circular"
        case .wave: "wave"
        case .knead: "knead"
        case .tap: "tap"
        case .hold: "hold"
        case .rock: "rock"
        case .envelope(let e): "envelope of " + kindName(e.pattern)
        case .scale(let s): "scale of " + kindName(s.pattern)
        case .sequence(let s): "sequence of \(s.steps.count)"
        case .crossfade: "crossfade"
        case .mix(let m): "mix of " + m.patterns.map { kindName($0) }.joined(separator: ", ")
        }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
