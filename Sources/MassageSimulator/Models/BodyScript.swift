/// A side of the body lying face up on the mat, and so a side of the mat.
public enum MatSide: Equatable, Sendable {
    /// The person's left: columns 0 ..< columns/2.
    case left
    /// The person's right: the columns past the middle.
    case right
}

/// What the body on the mat does at one moment of a `BodyScript`.
public enum BodyAction: Equatable, Sendable {
    /// Lies down: pressures rise from what they were to the body's pressure map
    /// (heavier under the shoulder blades and the sacrum, light at the lumbar curve and
    /// the edges) over `lieDownRampMicroseconds`, centred, both hips down.
    case lieDown
    /// Shifts weight sideways: each zone's share of the body map is scaled by
    /// `1 + lean · x`, x the zone's position across the mat (−1 left edge … +1 right
    /// edge), so the total is kept. `lean` in −1…1 (clamped): +0.4 puts 20 % more
    /// weight on the right half of a 2-column mat and 20 % less on the left.
    case shift(lean: Double)
    /// Lifts one hip off the mat for `durationMicroseconds`: that side's hip zones drop
    /// to 0 and the other hip takes 30 % more; then the hip comes back down.
    case liftHip(MatSide, durationMicroseconds: UInt64 = 3_000_000)
    /// Lies on one side (or rolls onto it from the back): only that half of the mat (a
    /// middle column counts for both) carries the body, each of its zones
    /// `sideLyingLoad` times its share of the body map (shoulder and hip take the weight
    /// a back spreads); the other half falls to 0. Over `shiftRampMicroseconds`. A
    /// `lieDown` turns the body onto its back again.
    case lieOnSide(MatSide)
    /// Gets up: every zone falls to 0 over `getUpRampMicroseconds`.
    case getUp
    /// Nobody on the mat, at once (no ramp): a script's explicit empty start, or a body
    /// that rolled off.
    case absent

    /// Lying down and settling takes about a second.
    public static let lieDownRampMicroseconds: UInt64 = 1_000_000
    /// Getting up unloads the mat in about a second.
    public static let getUpRampMicroseconds: UInt64 = 1_000_000
    /// Rolling weight to one side is slower than lying down.
    public static let shiftRampMicroseconds: UInt64 = 1_500_000
    /// How much more a zone under a body lying on its side carries than under the same
    /// body lying on its back.
    public static let sideLyingLoad = 1.6
    /// A hip comes up off the mat quickly ...
    public static let hipLiftRampMicroseconds: UInt64 = 300_000
    /// ... and is set back down a little more gently.
    public static let hipLowerRampMicroseconds: UInt64 = 500_000

    /// How long the pressures take to reach the new map, µs.
    public var rampMicroseconds: UInt64 {
        switch self {
        case .lieDown: Self.lieDownRampMicroseconds
        case .shift: Self.shiftRampMicroseconds
        case .liftHip: Self.hipLiftRampMicroseconds
        case .lieOnSide: Self.shiftRampMicroseconds
        case .getUp: Self.getUpRampMicroseconds
        case .absent: 0
        }
    }
}

/// One action at a time, µs from the start of its script.
public struct BodyEvent: Equatable, Sendable {
    /// µs from the script's start.
    public var timeMicroseconds: UInt64
    /// What happens then.
    public var action: BodyAction

    /// `action` at `timeMicroseconds` from the script's start.
    public init(at timeMicroseconds: UInt64, _ action: BodyAction) {
        self.timeMicroseconds = timeMicroseconds
        self.action = action
    }
}

/// What a body does on the mat over time: a time-ordered list of `BodyEvent`s, played by
/// `MatModel`. Before the first event the mat is empty.
///
/// Build one from a list (`BodyScript([BodyEvent(at: 2_000_000, .lieDown), ...])`) or
/// step by step (`BodyScript().then(.lieDown, at: 2_000_000).then(.getUp, at: 60_000_000)`).
/// Events are kept sorted by time; events at the same time keep the order they were given.
public struct BodyScript: Equatable, Sendable {
    /// The events, sorted by time.
    public private(set) var events: [BodyEvent]

    /// A script of these events, sorted by time (stable).
    public init(_ events: [BodyEvent] = []) {
        self.events = []
        for event in events { append(event.action, at: event.timeMicroseconds) }
    }

    /// Adds `action` at `timeMicroseconds`, after any events at the same time.
    public mutating func append(_ action: BodyAction, at timeMicroseconds: UInt64) {
        var index = events.endIndex
        while index > events.startIndex && events[index - 1].timeMicroseconds > timeMicroseconds {
            index -= 1
        }
        events.insert(BodyEvent(at: timeMicroseconds, action), at: index)
    }

    /// This script with `action` added at `timeMicroseconds`.
    public func then(_ action: BodyAction, at timeMicroseconds: UInt64) -> BodyScript {
        var script = self
        script.append(action, at: timeMicroseconds)
        return script
    }

    /// When the last thing in the script has happened and settled, µs from its start:
    /// the last event's time plus its ramp (a hip lift also counts its duration and the
    /// lowering ramp).
    public var durationMicroseconds: UInt64 {
        var end: UInt64 = 0
        for event in events {
            var eventEnd = event.timeMicroseconds &+ event.action.rampMicroseconds
            if case .liftHip(_, let duration) = event.action {
                eventEnd = max(eventEnd, event.timeMicroseconds &+ duration &+ BodyAction.hipLowerRampMicroseconds)
            }
            end = max(end, eventEnd)
        }
        return end
    }

    /// The built-in script, 17 s long: an empty mat for 2 s; lie down at 2 s (settled by
    /// 3 s); shift weight to the right at 6 s (settled by 7.5 s); lift the left hip at
    /// 10 s for 3 s (down again by 13.5 s); get up at 16 s (empty from 17 s).
    public static let `default` = BodyScript([
        BodyEvent(at: 0, .absent),
        BodyEvent(at: 2_000_000, .lieDown),
        BodyEvent(at: 6_000_000, .shift(lean: 0.4)),
        BodyEvent(at: 10_000_000, .liftHip(.left, durationMicroseconds: 3_000_000)),
        BodyEvent(at: 16_000_000, .getUp),
    ])
}
