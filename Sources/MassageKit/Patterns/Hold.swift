/// Which actuator a hold presses with.
public enum HoldTarget: Sendable, Equatable {
    /// Actuator `index` (0 … 15). On a device with fewer actuators it wraps round
    /// (index modulo the count), so a program written for 8 still presses on a 4-ring.
    case actuator(Int)
    /// The actuator whose bearing is nearest this angle in degrees (the lowest index on a
    /// tie); on a device with no bearings, every actuator.
    case towards(Double)
}

/// Trigger point: a steady press with one actuator, optionally built up slowly (a straight
/// line from 0 to `level` over `build` seconds), the others at `surround`.
public struct Hold: Sendable, Equatable {
    public let target: HoldTarget
    public let level: Double
    /// Seconds from 0 to `level`; 0 presses at once.
    public let build: Double
    /// The level of every other actuator.
    public let surround: Double

    public init(target: HoldTarget, level: Double, build: Double = 0, surround: Double = 0) throws(PatternError) {
        switch target {
        case .actuator(let index):
            guard (0 ..< ActuatorGeometry.maximumActuators).contains(index) else {
                throw .actuatorIndex(parameter: "actuator", index: index, allowed: 0 ... ActuatorGeometry.maximumActuators - 1)
            }
        case .towards(let angle):
            _ = try checked(angle, "towards", PatternLimits.angle, .degrees)
        }
        self.target = target
        self.level = try checked(level, "level", PatternLimits.level, .fraction)
        self.build = try checked(build, "build", PatternLimits.holdBuild, .seconds)
        self.surround = try checked(surround, "surround", PatternLimits.level, .fraction)
    }

    func fill(_ out: inout ActuatorLevels, at t: Double, on geometry: ActuatorGeometry) {
        let pressed = build > 0 && t < build ? level * t / build : level
        out.count = geometry.count
        guard geometry.count > 0 else { return }
        var chosen = -1   // -1: every actuator
        switch target {
        case .actuator(let index):
            chosen = index % geometry.count
        case .towards(let degrees):
            let angle = radians(degrees)
            var nearest = Double.infinity
            let positions = geometry.positions.span
            for i in 0 ..< geometry.count {
                guard let bearing = positions[i].bearing else { continue }
                let d = angularDistance(bearing, angle)
                if d < nearest { nearest = d; chosen = i }
            }
        }
        var levels = out.storage.mutableSpan
        for i in 0 ..< geometry.count {
            levels[i] = chosen < 0 || i == chosen ? pressed : surround
        }
    }
}
