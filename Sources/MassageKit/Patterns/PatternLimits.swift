/// The allowed range of every pattern parameter, in one place, with where each figure
/// comes from. Program files are untrusted input: each number is checked against these
/// when a pattern is built, never while it runs.
///
/// The seeds describe techniques by feel, not numbers ("long, gliding strokes",
/// "pulsing pressure", "gently rock back and forth", "circular motions"), so the ranges
/// are generous around what a hand does, and bounded where a faster or slower setting
/// would stop being that technique on a vibration motor that takes tens of ms to spin up.
public enum PatternLimits {
    /// Every intensity level: 0 = off, 1 = full (the governor caps what reaches the device).
    public static let level: ClosedRange<Double> = 0 ... 1

    /// A circle on the ring: a hand circles about once a second ("friction: circular
    /// movements"); faster than 4 per second the motors cannot follow, slower than one per
    /// 10 s it is no longer felt as a circle.
    public static let circularPeriod: ClosedRange<Double> = 0.25 ... 10
    /// The peak's full width on the ring: below 30° a ring of 4–8 motors has gaps with
    /// nothing on; 360° is a broad swell going round.
    public static let circularWidth: ClosedRange<Double> = 30 ... 360

    /// Shiatsu's pulsing pressure: one press every 0.2 s (a rapid flutter) to 10 s (a slow,
    /// held press and release).
    public static let pulsePeriod: ClosedRange<Double> = 0.2 ... 10
    /// The fraction of each period the press is on.
    public static let pulseDuty: ClosedRange<Double> = 0.05 ... 1
    /// Attack and release of one press (together at most the on-time).
    public static let pulseEdge: ClosedRange<Double> = 0 ... 10

    /// One effleurage stroke ("long, gliding strokes"): 0.5 s to 20 s end to end.
    public static let wavePeriod: ClosedRange<Double> = 0.5 ... 20
    /// The stroke's full width as a fraction of the device's length along the stroke.
    public static let waveWidth: ClosedRange<Double> = 0.1 ... 1

    /// One full petrissage cycle (each group squeezes once): 0.5 s to 10 s.
    public static let kneadPeriod: ClosedRange<Double> = 0.5 ... 10

    /// Tapotement: 20 taps per second at most, one per 2 s at least.
    public static let tapPeriod: ClosedRange<Double> = 0.05 ... 2
    /// One tap's burst: at least 20 ms (a motor needs about that to be felt), and at most
    /// half the period, so there is a gap between taps.
    public static let tapBurst: ClosedRange<Double> = 0.02 ... 1

    /// A trigger-point hold's build-up from 0 to its level: none to 10 minutes (pressure
    /// on a trigger point is built slowly and held for 30–90 s).
    public static let holdBuild: ClosedRange<Double> = 0 ... 600
    /// Direction of a hold given as an angle.
    public static let angle: ClosedRange<Double> = 0 ... 360

    /// The tennis ball: "gently rock back and forth", one full rock in 1 s to 20 s.
    public static let rockPeriod: ClosedRange<Double> = 1 ... 20
    /// The rocking peak's full width as a fraction of the device's length across the rock;
    /// above 1 both sides stay partly on.
    public static let rockWidth: ClosedRange<Double> = 0.1 ... 2

    /// A ramp's length, a crossfade's length: up to an hour.
    public static let transition: ClosedRange<Double> = 0.01 ... 3600
    /// When a crossfade starts: up to 4 hours in.
    public static let start: ClosedRange<Double> = 0 ... 14_400
    /// Envelope attack, decay and release: up to 10 minutes each.
    public static let envelopeSegment: ClosedRange<Double> = 0 ... 600
    /// A sequence step's or an envelope's length: 10 ms to 4 hours.
    public static let stepDuration: ClosedRange<Double> = 0.01 ... 14_400

    /// Steps in one sequence.
    public static let sequenceSteps: ClosedRange<Int> = 1 ... 256
    /// Patterns in one mix (one per actuator of the largest device is plenty).
    public static let mixComponents: ClosedRange<Int> = 1 ... 16
    /// How deep composition may nest.
    public static let maximumDepth = 16
    /// How many nodes one pattern tree may hold: bounds the work of one evaluation.
    public static let maximumNodes = 4096
}
