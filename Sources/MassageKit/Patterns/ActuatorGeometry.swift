import MassageWire

/// Where one actuator sits, in the form patterns use.
public struct ActuatorPosition: Sendable, Equatable {
    /// Where the device says it is: centre, on the ring, or at x/y on the face.
    public var placement: ActuatorPlacement
    /// Its direction from the centre of the face in radians, counter-clockwise from +x
    /// seen from the treatment face; nil for an actuator at the centre.
    public var bearing: Double?
    /// Position on the face; mm when the device gave one. A ring actuator the device gave
    /// no x/y for sits on a circle of the device's largest radius (1 when none is known):
    /// only the positions' order along an axis matters to patterns.
    public var x: Double
    public var y: Double
    /// Its place in the device's natural order: round the ring counter-clockwise from +x,
    /// or along a line or grid's longer axis. Alternating patterns (knead, tap) split
    /// actuators into even and odd ranks.
    public var rank: Int
}

/// Why a device's actuator description cannot be used for patterns.
public enum GeometryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// More actuators than a SetOutputs frame carries.
    case tooManyActuators(count: Int, maximum: Int)
    /// A ring angle outside 0 … 35999 (0.01°).
    case angleOutOfRange(actuator: Int, angle: UInt16)
    /// A test constructor given a count it cannot build.
    case badCount(count: Int, allowed: ClosedRange<Int>)

    public var description: String {
        switch self {
        case let .tooManyActuators(count, maximum):
            "the device declares \(count) actuators; at most \(maximum) are supported (the device's Info is wrong)"
        case let .angleOutOfRange(actuator, angle):
            "actuator \(actuator): ring angle \(angle) (0.01°) is outside 0 … 35999 (the device's Info is wrong)"
        case let .badCount(count, allowed):
            "\(count) actuators: \(allowed.lowerBound) … \(allowed.upperBound) allowed"
        }
    }
}

/// A device's actuator layout as patterns see it: how many actuators, where each one is,
/// and their order. Built once per device (from its Info frames) and stored inline, so
/// evaluating a pattern against it never allocates.
public struct ActuatorGeometry: Sendable, Equatable {
    /// The most actuators a device may have (a SetOutputs frame's intensity list).
    public static let maximumActuators = 16

    var positions: InlineArray<16, ActuatorPosition>
    /// How many actuators the device has (0 for a mat, which has none).
    public let count: Int
    /// Whether any actuator has a bearing: false for a single motor (or only centre
    /// actuators), where a rotating peak is felt as a rhythm instead.
    public let hasBearings: Bool

    /// Actuator `index`'s position (0 ..< count).
    public subscript(index: Int) -> ActuatorPosition {
        precondition(index >= 0 && index < count, "ActuatorGeometry index out of range")
        return positions[index]
    }

    /// The geometry of a device from its Info actuator sections, in actuator order.
    /// Ring actuators take their bearing from `angle`; planar ones from their x/y around
    /// the face's centre (none at the centre itself); centre actuators have none.
    public init(actuators: some Collection<ActuatorInfo>) throws(GeometryError) {
        guard actuators.count <= Self.maximumActuators else {
            throw .tooManyActuators(count: actuators.count, maximum: Self.maximumActuators)
        }
        let filler = ActuatorPosition(placement: .centre, bearing: nil, x: 0, y: 0, rank: 0)
        var positions = InlineArray<16, ActuatorPosition>(repeating: filler)
        var radius = 0.0
        for info in actuators where info.x != 0 || info.y != 0 {
            radius = max(radius, (Double(info.x) * Double(info.x) + Double(info.y) * Double(info.y)).squareRoot())
        }
        if radius == 0 { radius = 1 }
        var n = 0
        for info in actuators {
            var p = filler
            p.placement = info.placement
            switch info.placement {
            case .centre:
                break
            case .ring:
                guard info.angle <= 35999 else { throw .angleOutOfRange(actuator: n, angle: info.angle) }
                let bearing = Double(info.angle) / 100 * Double.pi / 180
                p.bearing = bearing
                if info.x == 0 && info.y == 0 {
                    p.x = radius * cosine(bearing)
                    p.y = radius * sine(bearing)
                } else {
                    p.x = Double(info.x)
                    p.y = Double(info.y)
                }
            case .planar:
                p.x = Double(info.x)
                p.y = Double(info.y)
                if info.x != 0 || info.y != 0 {
                    p.bearing = normalizedAngle(arcTangent(p.y, p.x))
                }
            }
            positions[n] = p
            n += 1
        }
        self.init(positions: positions, count: n)
    }

    /// Ranks the actuators and settles `hasBearings`.
    init(positions: InlineArray<16, ActuatorPosition>, count: Int) {
        var positions = positions
        var anyRing = false
        var anyBearing = false
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for i in 0 ..< count {
            let p = positions[i]
            if p.placement == .ring { anyRing = true }
            if p.bearing != nil { anyBearing = true }
            minX = min(minX, p.x); maxX = max(maxX, p.x); minY = min(minY, p.y); maxY = max(maxY, p.y)
        }
        let alongX = count == 0 || maxX - minX >= maxY - minY
        // Order key: round the ring by bearing (non-ring actuators after, in index order),
        // or along the longer axis of a line or grid.
        func key(_ p: ActuatorPosition) -> Double {
            if anyRing { return p.placement == .ring ? (p.bearing ?? 0) : 10 }
            return alongX ? p.x : p.y
        }
        for i in 0 ..< count {
            let ki = key(positions[i])
            var rank = 0
            for j in 0 ..< count where j != i {
                let kj = key(positions[j])
                if kj < ki || (kj == ki && j < i) { rank += 1 }
            }
            positions[i].rank = rank
        }
        self.positions = positions
        self.count = count
        self.hasBearings = anyBearing
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for i in 0 ..< lhs.count where lhs.positions[i] != rhs.positions[i] { return false }
        return true
    }

    // MARK: Plain layouts (tests, the simulator's profiles, examples)

    /// `count` actuators evenly round a ring of `radius` mm, actuator 0 at +x and the rest
    /// counter-clockwise (a 4-ring is at 0°, 90°, 180°, 270°).
    public static func ring(count: Int, radius: Double = 30) throws(GeometryError) -> ActuatorGeometry {
        guard (1 ... maximumActuators).contains(count) else { throw .badCount(count: count, allowed: 1 ... maximumActuators) }
        let filler = ActuatorPosition(placement: .ring, bearing: nil, x: 0, y: 0, rank: 0)
        var positions = InlineArray<16, ActuatorPosition>(repeating: filler)
        for k in 0 ..< count {
            let bearing = 2 * Double.pi * Double(k) / Double(count)
            positions[k] = ActuatorPosition(placement: .ring, bearing: bearing,
                                            x: radius * cosine(bearing), y: radius * sine(bearing), rank: 0)
        }
        return ActuatorGeometry(positions: positions, count: count)
    }

    /// One motor at the centre of the face: the common handheld massager.
    public static let single: ActuatorGeometry = {
        var positions = InlineArray<16, ActuatorPosition>(
            repeating: ActuatorPosition(placement: .centre, bearing: nil, x: 0, y: 0, rank: 0))
        positions[0] = ActuatorPosition(placement: .centre, bearing: nil, x: 0, y: 0, rank: 0)
        return ActuatorGeometry(positions: positions, count: 1)
    }()

    /// `count` actuators `spacing` mm apart on a line along x, centred on the face:
    /// actuator 0 at the -x end (a strip laid along the spine).
    public static func line(count: Int, spacing: Double = 20) throws(GeometryError) -> ActuatorGeometry {
        guard (1 ... maximumActuators).contains(count) else { throw .badCount(count: count, allowed: 1 ... maximumActuators) }
        let filler = ActuatorPosition(placement: .planar, bearing: nil, x: 0, y: 0, rank: 0)
        var positions = InlineArray<16, ActuatorPosition>(repeating: filler)
        for k in 0 ..< count {
            let x = (Double(k) - Double(count - 1) / 2) * spacing
            positions[k] = ActuatorPosition(placement: .planar, bearing: x == 0 ? nil : (x > 0 ? 0 : Double.pi),
                                            x: x, y: 0, rank: 0)
        }
        return ActuatorGeometry(positions: positions, count: count)
    }

    // MARK: Used by patterns while they run (no allocation)

    /// Each actuator's position along the axis at `angle` radians, scaled so the device's
    /// extent along it runs 0 … 1. With no extent (one motor, or all on a line across
    /// the axis) every actuator is at 0.5.
    func positionsAlong(angle: Double, into out: inout ActuatorLevels) {
        let c = cosine(angle), s = sine(angle)
        out.count = count
        // Through spans: indexing the InlineArrays directly in a loop copies them whole.
        let positions = self.positions.span
        var along = out.storage.mutableSpan
        var lo = Double.infinity, hi = -Double.infinity
        for i in 0 ..< count {
            let p = positions[i].x * c + positions[i].y * s
            along[i] = p
            lo = min(lo, p); hi = max(hi, p)
        }
        let extent = hi - lo
        // Below a micrometre of extent the device is a point along this axis.
        guard extent > 1e-3 else {
            for i in 0 ..< count { along[i] = 0.5 }
            return
        }
        for i in 0 ..< count { along[i] = (along[i] - lo) / extent }
    }
}
