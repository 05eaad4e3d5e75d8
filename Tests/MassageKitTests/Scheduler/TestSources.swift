import MassageKit
import MassageWire

/// A tick source for tests: the same intensity on every actuator (optionally a function
/// of time) and a heater setpoint, finishing at `endMicroseconds`; remembers the program
/// times it was asked for.
struct ScriptedSource: TickSource, Sendable {
    var endMicroseconds: UInt64 = .max
    var heaterSetpoint: UInt16 = 0
    var intensityAt: @Sendable (UInt64) -> UInt16
    var recordTimes = true
    private(set) var times: [UInt64] = []

    init(endMicroseconds: UInt64 = .max, heaterSetpoint: UInt16 = 0, recordTimes: Bool = true,
         intensityAt: @escaping @Sendable (UInt64) -> UInt16) {
        self.endMicroseconds = endMicroseconds
        self.heaterSetpoint = heaterSetpoint
        self.recordTimes = recordTimes
        self.intensityAt = intensityAt
    }

    mutating func levels(atMicroseconds microseconds: UInt64, into levels: inout OutputLevels) -> TickResult {
        if recordTimes { times.append(microseconds) }
        if microseconds >= endMicroseconds { return .finished }
        let intensity = intensityAt(microseconds)
        for i in 0..<levels.intensities.count { levels.intensities[i] = intensity }
        levels.heaterSetpoint = heaterSetpoint
        return .running
    }
}

/// Limits that let levels through unchanged (no slew, no cap below what tests ask),
/// for tests of the scheduler rather than the governor.
func permissiveLimits(actuators: Int, acceleration: UInt16 = 100, heaterCap: UInt16 = 410) throws -> SafetyLimits {
    try SafetyLimits(actuatorAccelerations: Array(repeating: acceleration, count: actuators), heaterCap: heaterCap,
                     slewStepPerTick: 1000, doseStopPoints: 400,
                     maxSessionMicroseconds: SafetyLimits.longestSessionMicroseconds)
}

func makeCore<Sink: OutputSink>(rate: Int = 100, actuators: Int = 2, source: ScriptedSource, sink: Sink,
                                limits: SafetyLimits? = nil) throws -> SchedulerCore<ScriptedSource, Sink> {
    let configuration = try SchedulerConfiguration(rateHertz: rate, actuatorCount: actuators)
    return SchedulerCore(configuration: configuration, source: source, sink: sink,
                         governor: SafetyGovernor(limits: try limits ?? permissiveLimits(actuators: actuators)),
                         control: try SchedulerControl())
}
