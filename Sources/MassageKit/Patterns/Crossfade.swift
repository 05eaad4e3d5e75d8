/// A straight-line crossfade from one pattern to another: `from` until `start`, `to` from
/// `start + duration` on, and in between `(1 − u) × from + u × to` with u going 0 → 1.
/// Both patterns see the same time as the crossfade.
public struct Crossfade: Sendable, Equatable {
    public let from: Pattern
    public let to: Pattern
    /// Seconds before the crossfade begins.
    public let start: Double
    /// Seconds the crossfade takes.
    public let duration: Double
    let shape: PatternShape

    public init(from: Pattern, to: Pattern, start: Double = 0, duration: Double) throws(PatternError) {
        self.from = from
        self.to = to
        self.start = try checked(start, "start", PatternLimits.start, .seconds)
        self.duration = try checked(duration, "duration", PatternLimits.transition, .seconds)
        self.shape = try PatternShape(children: [from, to])
    }

    func fill(_ out: inout ActuatorLevels, at t: Double, on geometry: ActuatorGeometry) {
        if t <= start { return from.fill(&out, at: t, on: geometry) }
        if t >= start + duration { return to.fill(&out, at: t, on: geometry) }
        let u = (t - start) / duration
        var other = ActuatorLevels()
        from.fill(&out, at: t, on: geometry)
        to.fill(&other, at: t, on: geometry)
        out.blend(towards: other, by: u)
    }
}
