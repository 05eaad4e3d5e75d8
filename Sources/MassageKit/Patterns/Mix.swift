/// How a mix combines its patterns, actuator by actuator.
public enum MixMode: Sendable, Equatable {
    /// The largest level.
    case max
    /// The sum, clamped to full intensity.
    case sum
}

/// Several patterns at once, e.g. a slow rock under a tapping rhythm.
public struct Mix: Sendable, Equatable {
    public let patterns: [Pattern]
    public let mode: MixMode
    let shape: PatternShape

    public init(_ patterns: [Pattern], mode: MixMode = .max) throws(PatternError) {
        guard PatternLimits.mixComponents.contains(patterns.count) else {
            throw .count(parameter: "patterns", count: patterns.count, allowed: PatternLimits.mixComponents)
        }
        self.patterns = patterns
        self.mode = mode
        self.shape = try PatternShape(children: patterns)
    }

    func fill(_ out: inout ActuatorLevels, at t: Double, on geometry: ActuatorGeometry) {
        var other = ActuatorLevels()
        for (index, pattern) in patterns.enumerated() {
            if index == 0 {
                pattern.fill(&out, at: t, on: geometry)
                continue
            }
            pattern.fill(&other, at: t, on: geometry)
            switch mode {
            case .max: out.formMaximum(with: other)
            case .sum: out.formClampedSum(with: other)
            }
        }
    }
}
