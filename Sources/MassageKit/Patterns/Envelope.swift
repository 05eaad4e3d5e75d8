/// An ADSR envelope over `length` seconds, multiplying another pattern.
///
/// The envelope rises 0 → 1 over `attack`, falls to `sustain` over `decay`, holds it, and
/// from `length − release` falls in a straight line from wherever it is to 0 at `length`;
/// after `length` it is 0. A release that starts during attack or decay starts from the
/// level reached there. The inner pattern sees the same time as the envelope.
public struct Envelope: Sendable, Equatable {
    public let attack: Double
    public let decay: Double
    /// 0 … 1: the level held between decay and release.
    public let sustain: Double
    public let release: Double
    /// Seconds from the start to the end of the release.
    public let length: Double
    public let pattern: Pattern
    let shape: PatternShape

    public init(attack: Double, decay: Double = 0, sustain: Double = 1, release: Double, length: Double,
                of pattern: Pattern) throws(PatternError) {
        self.attack = try checked(attack, "attack", PatternLimits.envelopeSegment, .seconds)
        self.decay = try checked(decay, "decay", PatternLimits.envelopeSegment, .seconds)
        self.sustain = try checked(sustain, "sustain", PatternLimits.level, .fraction)
        self.release = try checked(release, "release", PatternLimits.envelopeSegment, .seconds)
        self.length = try checked(length, "length", PatternLimits.stepDuration, .seconds)
        if release > length {
            throw .exceeds(parameter: "release", value: release, limitName: "length", limit: length, unit: .seconds)
        }
        self.pattern = pattern
        self.shape = try PatternShape(children: CollectionOfOne(pattern))
    }

    /// The envelope's level before any release.
    func attackDecaySustain(at t: Double) -> Double {
        if t < attack { return t / attack }
        if t < attack + decay { return 1 - (1 - sustain) * (t - attack) / decay }
        return sustain
    }

    /// The envelope's level at `t` seconds, 0 … 1.
    func level(at t: Double) -> Double {
        guard t < length else { return 0 }
        let releaseStart = length - release
        guard t >= releaseStart else { return attackDecaySustain(at: t) }
        return attackDecaySustain(at: releaseStart) * (length - t) / release
    }

    func fill(_ out: inout ActuatorLevels, at t: Double, on geometry: ActuatorGeometry) {
        let gain = level(at: t)
        guard gain > 0 else {
            // Silent: no need to evaluate what it would have multiplied.
            out.fill(0, count: geometry.count)
            return
        }
        pattern.fill(&out, at: t, on: geometry)
        out.multiply(by: gain)
    }
}
