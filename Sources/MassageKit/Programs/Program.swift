/// A vibration program: named steps, each a pattern played for a time at an intensity,
/// with the heater's setpoint for that step. Built from a YAML or JSON file or taken from
/// the built-in library; played in real time by ``ProgramPlayer``.
public struct Program: Sendable, Equatable {
    /// The identifier `massagectl run NAME` takes: lowercase letters, digits and dashes.
    public var name: String
    /// A title for people: "Swedish relaxation".
    public var title: String
    /// The massage technique it follows, from the seeds: "Swedish massage: effleurage,
    /// petrissage, friction".
    public var technique: String
    /// What it does and how it feels, for `massagectl programs` and `show`.
    public var description: String
    public var steps: [ProgramStep]

    public init(name: String, title: String, technique: String, description: String, steps: [ProgramStep]) {
        self.name = name
        self.title = title
        self.technique = technique
        self.description = description
        self.steps = steps
    }

    /// Seconds from start to end.
    public var duration: Double { steps.reduce(0) { $0 + $1.duration } }

    /// When each step starts, s from the program's start, and last the end: one more
    /// entry than there are steps.
    public var stepStarts: [Double] {
        var starts: [Double] = [0]
        starts.reserveCapacity(steps.count + 1)
        for step in steps { starts.append(starts[starts.count - 1] + step.duration) }
        return starts
    }

    /// Whether any step heats.
    public var heats: Bool { steps.contains { $0.heat != nil } }
}

/// One step of a program.
public struct ProgramStep: Sendable, Equatable {
    /// What the step is, for the progress line: "long strokes", "kneading".
    public var name: String
    /// Seconds.
    public var duration: Double
    /// The vibration; ``Pattern/off`` for a heat-only step.
    public var pattern: Pattern
    /// Scales the pattern, 0…1 (the user's `--intensity` scales it again).
    public var intensity: Double
    /// The heater setpoint in °C for this step, or nil for heater off. The governor clamps
    /// it to the device's cap.
    public var heat: Double?

    public init(name: String, duration: Double, pattern: Pattern, intensity: Double = 1, heat: Double? = nil) {
        self.name = name
        self.duration = duration
        self.pattern = pattern
        self.intensity = intensity
        self.heat = heat
    }
}
