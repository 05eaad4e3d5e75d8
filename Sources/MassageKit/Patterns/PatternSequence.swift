/// One step of a sequence: a pattern for `duration` seconds.
public struct SequenceStep: Sendable, Equatable {
    public let pattern: Pattern
    public let duration: Double

    public init(_ pattern: Pattern, for duration: Double) throws(PatternError) {
        self.pattern = pattern
        self.duration = try checked(duration, "duration", PatternLimits.stepDuration, .seconds)
    }
}

/// Patterns one after another. Each step sees its own time, starting at 0 when the step
/// begins. After the last step the sequence is silent, or starts again when `repeats`.
public struct PatternSequence: Sendable, Equatable {
    public let steps: [SequenceStep]
    public let repeats: Bool
    /// The sum of the steps' durations, in seconds.
    public let duration: Double
    let shape: PatternShape

    public init(_ steps: [SequenceStep], repeats: Bool = false) throws(PatternError) {
        guard PatternLimits.sequenceSteps.contains(steps.count) else {
            throw .count(parameter: "steps", count: steps.count, allowed: PatternLimits.sequenceSteps)
        }
        self.steps = steps
        self.repeats = repeats
        var total = 0.0
        for step in steps { total += step.duration }
        self.duration = total
        self.shape = try PatternShape(children: steps.lazy.map { $0.pattern })
    }

    func fill(_ out: inout ActuatorLevels, at t: Double, on geometry: ActuatorGeometry) {
        var local = t
        if local >= duration {
            guard repeats else {
                out.fill(0, count: geometry.count)
                return
            }
            local = local.truncatingRemainder(dividingBy: duration)
        }
        // Walk the steps; the last one also takes any rounding left at the very end.
        for (index, step) in steps.enumerated() {
            if local < step.duration || index == steps.count - 1 {
                step.pattern.fill(&out, at: local, on: geometry)
                return
            }
            local -= step.duration
        }
    }
}
