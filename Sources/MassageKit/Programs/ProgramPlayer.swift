import MassageWire

/// Plays a ``Program`` as the scheduler's ``TickSource``: at each tick, the current step's
/// pattern at the time into that step, scaled by the step's intensity, and the step's heat.
/// The first `transition` seconds of a step blend linearly from the previous step's
/// pattern, so a change of technique never jolts. No allocation per tick.
public struct ProgramPlayer: TickSource, Sendable {
    public let program: Program
    public let geometry: ActuatorGeometry
    /// Seconds over which one step blends into the next.
    public let transition: Double
    /// Where the heater setpoint comes from.
    public let heat: HeatChoice
    /// Start time of each step, seconds (one more than the steps: the end).
    let starts: [Double]
    /// The step being played (time only moves forward, so it is found incrementally).
    public private(set) var stepIndex = 0
    var scratch = ActuatorLevels()

    public init(program: Program, geometry: ActuatorGeometry, transition: Double = 1.0, heat: HeatChoice = .program) {
        self.program = program
        self.geometry = geometry
        self.transition = max(0, transition)
        self.heat = heat
        starts = program.stepStarts
    }

    /// The step playing at `seconds`, or nil after the end.
    public func step(at seconds: Double) -> Int? {
        guard seconds < starts[starts.count - 1] else { return nil }
        var low = 0
        var high = program.steps.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= seconds { low = middle } else { high = middle - 1 }
        }
        return low
    }

    public mutating func levels(atMicroseconds microseconds: UInt64, into levels: inout OutputLevels) -> TickResult {
        let seconds = Double(microseconds) / 1_000_000
        // Time only moves forward: advance the step index instead of searching.
        while stepIndex < program.steps.count && seconds >= starts[stepIndex + 1] { stepIndex += 1 }
        if stepIndex >= program.steps.count || stepIndex > 0 && seconds < starts[stepIndex] {
            guard let found = step(at: seconds) else { return .finished }
            stepIndex = found
        }
        let step = program.steps[stepIndex]
        let into = seconds - starts[stepIndex]
        var current = ActuatorLevels()
        step.pattern.evaluate(at: into, on: geometry, into: &current)
        var blend = 1.0
        if stepIndex > 0 && into < transition && transition > 0 {
            blend = into / transition
            let previous = program.steps[stepIndex - 1]
            previous.pattern.evaluate(at: seconds - starts[stepIndex - 1], on: geometry, into: &scratch)
            for i in 0..<geometry.count {
                current[i] = current[i] * step.intensity * blend + scratch[i] * previous.intensity * (1 - blend)
            }
        } else {
            for i in 0..<geometry.count { current[i] *= step.intensity }
        }
        let count = min(levels.intensities.count, geometry.count)
        for i in 0..<count {
            let value = current[i].isFinite ? min(max(current[i], 0), 1) : 0
            levels.intensities[i] = UInt16((value * 1000).rounded())
        }
        let celsius: Double? = switch heat {
        case .program: step.heat
        case .off: nil
        case .celsius(let value): value
        }
        levels.heaterSetpoint = celsius.map { UInt16((max(0, min($0, 43)) * 10).rounded()) } ?? 0
        return .running
    }
}

/// The heat a program is played with: as its steps say, off, or one setpoint throughout
/// (`massagectl run --heat 38`). The governor clamps any setpoint to the device's cap.
public enum HeatChoice: Sendable, Equatable {
    case program
    case off
    case celsius(Double)
}
