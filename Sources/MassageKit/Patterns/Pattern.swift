import MassageWire

/// A vibration pattern: a pure function of time and the device's actuator layout,
/// giving one intensity per actuator.
///
/// A pattern is a value tree built from plain parameters, so programs loaded from files
/// can make one: primitives (`Constant`, `Ramp`, `Pulse`, `Circular`, `Wave`, `Knead`,
/// `Tap`, `Hold`, `Rock`) and combinators over other patterns (`Envelope`, `Scale`,
/// `PatternSequence`, `Crossfade`, `Mix`). Every parameter is checked when its part is
/// built (`PatternLimits`, `PatternError`); building may allocate, evaluating never does.
///
/// Units: time in seconds from the pattern's start (a non-finite or negative time
/// evaluates as 0); angles in degrees, counter-clockwise from +x seen from the treatment
/// face; levels as fractions of full intensity, 0 … 1. Evaluation works in those
/// fractions (`ActuatorLevels`) and converts to per mille (0 … 1000, rounded, clamped)
/// only when writing `Intensities` or `OutputLevels`.
///
/// Heat is not part of a pattern: programs carry their own heat profile.
public enum Pattern: Sendable, Equatable {
    case constant(Constant)
    case ramp(Ramp)
    case pulse(Pulse)
    case circular(Circular)
    case wave(Wave)
    case knead(Knead)
    case tap(Tap)
    case hold(Hold)
    case rock(Rock)
    indirect case envelope(Envelope)
    indirect case scale(Scale)
    indirect case sequence(PatternSequence)
    indirect case crossfade(Crossfade)
    indirect case mix(Mix)

    /// Every actuator off.
    public static let off = Pattern.constant(Constant.off)

    /// Levels of nesting (a primitive is 1; at most `PatternLimits.maximumDepth`).
    public var depth: Int { shape.depth }

    /// Parts in the tree (at most `PatternLimits.maximumNodes`).
    public var nodeCount: Int { shape.nodes }

    /// Seconds after which the pattern is silent for good, or nil when it never ends
    /// (primitives, repeating sequences). A program uses it as its length.
    public var duration: Double? {
        switch self {
        case .constant, .ramp, .pulse, .circular, .wave, .knead, .tap, .hold, .rock:
            return nil
        case .envelope(let e):
            return e.length
        case .scale(let s):
            return s.pattern.duration
        case .sequence(let s):
            return s.repeats ? nil : s.duration
        case .crossfade(let c):
            return c.to.duration.map { max($0, c.start + c.duration) }
        case .mix(let m):
            var longest = 0.0
            for pattern in m.patterns {
                guard let d = pattern.duration else { return nil }
                longest = max(longest, d)
            }
            return longest
        }
    }

    var shape: PatternShape {
        switch self {
        case .constant, .ramp, .pulse, .circular, .wave, .knead, .tap, .hold, .rock: .primitive
        case .envelope(let e): e.shape
        case .scale(let s): s.shape
        case .sequence(let s): s.shape
        case .crossfade(let c): c.shape
        case .mix(let m): m.shape
        }
    }

    // MARK: Evaluation

    /// Each actuator's level (0 … 1) at `seconds` into the pattern, on `geometry`.
    /// `levels` ends with `geometry.count` entries. Never allocates.
    public func evaluate(at seconds: Double, on geometry: ActuatorGeometry, into levels: inout ActuatorLevels) {
        let t = seconds.isFinite && seconds > 0 ? seconds : 0
        fill(&levels, at: t, on: geometry)
    }

    /// Each actuator's intensity in per mille (0 … 1000) at `seconds` into the pattern:
    /// `intensities` is replaced with `geometry.count` values. Never allocates.
    public func evaluate(at seconds: Double, on geometry: ActuatorGeometry, into intensities: inout Intensities) {
        var levels = ActuatorLevels()
        evaluate(at: seconds, on: geometry, into: &levels)
        levels.write(into: &intensities)
    }

    /// Sets `outputs.intensities` as `evaluate(at:on:into:)` does; the heater setpoint is
    /// left as it is. Never allocates.
    public func evaluate(at seconds: Double, on geometry: ActuatorGeometry, into outputs: inout OutputLevels) {
        evaluate(at: seconds, on: geometry, into: &outputs.intensities)
    }

    /// The levels at `t` (already ≥ 0 and finite).
    func fill(_ out: inout ActuatorLevels, at t: Double, on geometry: ActuatorGeometry) {
        switch self {
        case .constant(let p): p.fill(&out, on: geometry)
        case .ramp(let p): p.fill(&out, at: t, on: geometry)
        case .pulse(let p): p.fill(&out, at: t, on: geometry)
        case .circular(let p): p.fill(&out, at: t, on: geometry)
        case .wave(let p): p.fill(&out, at: t, on: geometry)
        case .knead(let p): p.fill(&out, at: t, on: geometry)
        case .tap(let p): p.fill(&out, at: t, on: geometry)
        case .hold(let p): p.fill(&out, at: t, on: geometry)
        case .rock(let p): p.fill(&out, at: t, on: geometry)
        case .envelope(let p): p.fill(&out, at: t, on: geometry)
        case .scale(let p): p.fill(&out, at: t, on: geometry)
        case .sequence(let p): p.fill(&out, at: t, on: geometry)
        case .crossfade(let p): p.fill(&out, at: t, on: geometry)
        case .mix(let p): p.fill(&out, at: t, on: geometry)
        }
    }
}
