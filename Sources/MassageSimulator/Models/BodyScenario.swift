/// A named body script for the simulated mat: what the simulated person does on it, with
/// the times drawn from a seed, so that a run is reproducible (same scenario, same seed,
/// same contact) and varied (another seed, other times).
///
/// Chosen with `sim:mat-16?body=gets-up&seed=3` or `massagectl simulate --profile mat-16
/// --body gets-up --seed 3`. Each scenario's claim (its ``summary``) is held by
/// `BodyScenarioTests`, which plays it through `MatModel` and a `ContactTracker` on a
/// virtual clock.
public enum BodyScenario: String, CaseIterable, Sendable {
    /// The 17 s script of ``BodyScript/default``, whatever the seed.
    case `default`
    /// One long stretch on the back: lies down 2–10 s in, stays 25–35 min, shifting weight
    /// every 1–3 min and lifting a hip now and then (the body stays on the mat), then gets
    /// up for good.
    case longSession = "long-session"
    /// Gets up again and again: 1–4 min on the mat, then 15–60 s off, for the whole
    /// horizon.
    case getsUp = "gets-up"
    /// Lies on one side (left or right, by the seed) 2–10 s in and stays on it for the
    /// whole horizon, shifting a little: only that half of the mat is in contact.
    case oneSide = "one-side"

    /// How far ahead a generated script goes: a day, the longest `mat session --duration`.
    public static let defaultHorizonMicroseconds: UInt64 = 24 * 3_600_000_000

    /// The scenario called `name`, or nil.
    public static func named(_ name: String) -> BodyScenario? { BodyScenario(rawValue: name) }

    /// The names, for help and errors: "default, long-session, gets-up, one-side".
    public static var namesText: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// One line: what the person does.
    public var summary: String {
        switch self {
        case .default: "lies down at 2 s, leans right, lifts the left hip, gets up at 16 s (17 s in all)"
        case .longSession: "lies down 2–10 s in, stays 25–35 min shifting weight and lifting a hip now and then, gets up"
        case .getsUp: "1–4 min on the mat, 15–60 s off, again and again"
        case .oneSide: "lies on one side (left or right, by the seed) 2–10 s in and stays on it"
        }
    }

    /// The script for `seed`, with events up to `horizonMicroseconds` from its start.
    public func script(seed: UInt64, horizonMicroseconds: UInt64 = defaultHorizonMicroseconds) -> BodyScript {
        var random = SimulationRandom(seed: seed, stream: 0xB0D7)
        // A time drawn uniformly from `range` (seconds), in µs.
        func seconds(_ range: ClosedRange<Double>) -> UInt64 {
            UInt64(((range.lowerBound + (range.upperBound - range.lowerBound) * random.nextUnit()) * 1e6).rounded())
        }
        var events = [BodyEvent(at: 0, .absent)]
        switch self {
        case .default:
            return .default
        case .longSession:
            let down = seconds(2...10)
            let up = down + seconds(25 * 60...35 * 60)
            events.append(BodyEvent(at: down, .lieDown))
            var time = down + seconds(60...180)
            while time + 10_000_000 < up && time < horizonMicroseconds {
                if random.nextUnit() < 0.25 {
                    let side: MatSide = random.nextUnit() < 0.5 ? .left : .right
                    events.append(BodyEvent(at: time, .liftHip(side, durationMicroseconds: seconds(2...6))))
                } else {
                    events.append(BodyEvent(at: time, .shift(lean: (random.nextUnit() - 0.5) * 0.8)))
                }
                time += seconds(60...180)
            }
            if up < horizonMicroseconds { events.append(BodyEvent(at: up, .getUp)) }
        case .getsUp:
            var time = seconds(2...10)
            while time < horizonMicroseconds {
                events.append(BodyEvent(at: time, .lieDown))
                time += seconds(60...240)
                guard time < horizonMicroseconds else { break }
                events.append(BodyEvent(at: time, .getUp))
                time += seconds(15...60)
            }
        case .oneSide:
            let side: MatSide = random.nextUnit() < 0.5 ? .left : .right
            var time = seconds(2...10)
            events.append(BodyEvent(at: time, .lieOnSide(side)))
            time += seconds(60...180)
            while time < horizonMicroseconds {
                // Settling on the side: the weight moves a little, the side stays.
                events.append(BodyEvent(at: time, .shift(lean: (random.nextUnit() - 0.5) * 0.4)))
                time += seconds(60...180)
            }
        }
        return BodyScript(events)
    }
}
