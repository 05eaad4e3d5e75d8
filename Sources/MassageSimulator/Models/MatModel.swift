import MassageWire

/// Room for one reading of every zone a mat may have (`WireLimits.maxMatZones`), per
/// mille of full scale: the caller's buffer, so reading the mat never allocates.
public typealias MatPressures = InlineArray<64, UInt16>

/// An acupressure mat's pressure sensors: `rows × columns` zones (1–64 in all), each
/// reporting the pressure on it in per mille of full scale (0–1000), with a body played
/// by a `BodyScript`.
///
/// Zone order: row-major from the head end. Zone `row · columns + column`; row 0 lies
/// under the neck, the last row under the top of the thighs (a mat covers the back);
/// column 0 is under the person's left side (lying face up). The default is 8 rows × 2
/// columns: 16 zones, two strips either side of the spine, 0–1 neck, 2–3 shoulder
/// blades, …, 12–15 hips. A 4 × 4 mat is `MatModel(rows: 4, columns: 4)`.
///
/// The body map, at `bodyLoad` 1 (a person of about 75 kg), per mille along the body
/// from the head end (u = 0) to the thighs (u = 1), linear between these points:
/// neck 200 (u 0) · upper shoulders 350 (0.1) · shoulder blades 650 (0.2) ·
/// upper back 520 (0.32) · mid back 420 (0.45) · lumbar curve 300 (0.6, it arches off the
/// mat) · sacrum and buttocks 780 (0.78) · buttocks' lower edge 560 (0.9) · thighs 350 (1);
/// then across the mat × (1 − 0.4 x²), x from −1 (left edge) to +1 (right edge): the
/// body is rounded, so the edges carry less. These are the peaks supine pressure maps
/// show (scapulae and sacrum), scaled so the heaviest zone sits near 80 % of full scale
/// and a lean or a lifted hip can move weight without saturating much. Every zone a
/// reading is clamped to 0–1000.
///
/// Noise: each loaded zone reads its pressure plus Gaussian noise of σ `noiseSigma` per
/// mille (2 by default: about 0.2 % of full scale, a force-sensing resistor with a
/// 12-bit ADC). An unloaded zone reads exactly 0: an unloaded FSR is an open circuit.
///
/// Cost: stepping is O(1) while nothing changes and one multiply-add per zone during a
/// ramp; reading draws one random number per loaded zone.
public struct MatModel: Sendable {
    /// Zones along the body.
    public let rows: Int
    /// Zones across the body.
    public let columns: Int
    /// `rows · columns`, 1–64.
    public let zoneCount: Int
    /// Scales the body map: 1 for about 75 kg, 0.6 for a light person.
    public let bodyLoad: Double
    /// σ of the reading noise of a loaded zone, per mille.
    public var noiseSigma: Double
    /// The script being played.
    public private(set) var script: BodyScript
    /// When the script started, µs (the simulation clock).
    public private(set) var scriptStartMicroseconds: UInt64

    // Pressures, per mille, unrounded: now, at the start of the ramp in progress, and
    // what the ramp leads to.
    @usableFromInline var current = InlineArray<64, Double>(repeating: 0)
    @usableFromInline var rampFrom = InlineArray<64, Double>(repeating: 0)
    @usableFromInline var target = InlineArray<64, Double>(repeating: 0)
    @usableFromInline var ramping = false
    @usableFromInline var rampStart: UInt64 = 0
    @usableFromInline var rampDuration: UInt64 = 0
    @usableFromInline var inverseRampDuration: Double = 0
    /// The next time something changes (an event, a hip coming down), µs; `.max` if never.
    @usableFromInline var nextChange: UInt64 = .max
    @usableFromInline var nextEvent = 0
    @usableFromInline var random: SimulationRandom

    // The body's pose.
    var present = false
    var lean = 0.0
    var liftedSide: MatSide?
    var liftEnds: UInt64 = .max
    /// The side the body lies on; nil on its back.
    var lyingSide: MatSide?

    /// An empty mat that starts playing `script` at `startMicroseconds`.
    public init(
        rows: Int = 8,
        columns: Int = 2,
        script: BodyScript = .default,
        startMicroseconds: UInt64 = 0,
        bodyLoad: Double = 1,
        noiseSigma: Double = 2,
        seed: UInt64 = 0x3A7
    ) {
        precondition(rows >= 1 && columns >= 1 && rows * columns <= WireLimits.maxMatZones,
                     "a mat has 1 to \(WireLimits.maxMatZones) zones")
        precondition(bodyLoad >= 0 && bodyLoad.isFinite, "body load must be finite and not negative")
        precondition(noiseSigma >= 0 && noiseSigma.isFinite, "noise σ must be finite and not negative")
        self.rows = rows
        self.columns = columns
        zoneCount = rows * columns
        self.bodyLoad = bodyLoad
        self.noiseSigma = noiseSigma
        self.script = script
        scriptStartMicroseconds = startMicroseconds
        random = SimulationRandom(seed: seed)
        scheduleNextChange()
    }

    /// Empties the mat and plays `script` from `startMicroseconds`.
    public mutating func restart(script: BodyScript, atMicroseconds startMicroseconds: UInt64) {
        self.script = script
        scriptStartMicroseconds = startMicroseconds
        for i in 0..<64 {
            current[i] = 0
            rampFrom[i] = 0
            target[i] = 0
        }
        ramping = false
        nextEvent = 0
        present = false
        lean = 0
        liftedSide = nil
        liftEnds = .max
        lyingSide = nil
        scheduleNextChange()
    }

    /// Someone is on the mat (between a `lieDown` and a `getUp` or `absent`), even while
    /// the pressures are still ramping.
    public var isBodyPresent: Bool { present }

    // MARK: Geometry

    /// The zone at `row` (0 at the head end) and `column` (0 at the person's left).
    public func zone(row: Int, column: Int) -> Int {
        precondition(row >= 0 && row < rows && column >= 0 && column < columns, "no such zone")
        return row * columns + column
    }

    /// Where zone `zone`'s centre is: `along` from 0 (head end) to 1 (thigh end),
    /// `across` from −1 (left edge) to +1 (right edge).
    public func position(ofZone zone: Int) -> (along: Double, across: Double) {
        precondition(zone >= 0 && zone < zoneCount, "no such zone")
        let row = zone / columns
        let column = zone % columns
        return ((Double(row) + 0.5) / Double(rows), 2 * (Double(column) + 0.5) / Double(columns) - 1)
    }

    /// Whether `zone` is under the hip on `side`: in a row whose centre is at u ≥ 0.7
    /// (the last row if none is), on that half (a middle column counts for both).
    public func isHip(zone: Int, side: MatSide) -> Bool {
        let (along, across) = position(ofZone: zone)
        let row = zone / columns
        let hipRow = along >= 0.7 || (row == rows - 1 && (Double(row) + 0.5) / Double(rows) < 0.7)
        guard hipRow else { return false }
        switch side {
        case .left: return across <= 0
        case .right: return across >= 0
        }
    }

    /// The body map's pressure at a position, per mille at `bodyLoad` 1: see the type's
    /// documentation.
    public static func bodyPressure(along u: Double, across x: Double) -> Double {
        let knots: InlineArray<9, (u: Double, p: Double)> = [
            (0.00, 200), (0.10, 350), (0.20, 650), (0.32, 520), (0.45, 420),
            (0.60, 300), (0.78, 780), (0.90, 560), (1.00, 350),
        ]
        let clamped = max(0, min(1, u))
        var along = knots[knots.count - 1].p
        for k in 1..<knots.count where clamped <= knots[k].u {
            let (u0, p0) = knots[k - 1]
            let (u1, p1) = knots[k]
            along = p0 + (p1 - p0) * (clamped - u0) / (u1 - u0)
            break
        }
        return along * (1 - 0.4 * x * x)
    }

    // MARK: Stepping

    /// Plays the script up to `nowMicroseconds` (the simulation clock; never going back).
    ///
    /// The mat is keyed to the clock, not to step lengths: a late or long step lands on
    /// the same pressures as many short ones, and events inside a step happen at their own
    /// times, in order.
    @inlinable
    public mutating func step(nowMicroseconds now: UInt64) {
        if now >= nextChange { applyChanges(through: now) }
        if ramping { advanceRamp(to: now) }
    }

    @inlinable
    mutating func advanceRamp(to now: UInt64) {
        let elapsed = now > rampStart ? now - rampStart : 0
        if elapsed >= rampDuration {
            for i in 0..<zoneCount { current[i] = target[i] }
            ramping = false
            return
        }
        // Smoothstep: a body settles onto the mat; it neither lands nor lifts at full speed.
        let x = Double(elapsed) * inverseRampDuration
        let s = x * x * (3 - 2 * x)
        for i in 0..<zoneCount {
            current[i] = rampFrom[i] + (target[i] - rampFrom[i]) * s
        }
    }

    @usableFromInline
    mutating func applyChanges(through now: UInt64) {
        while nextChange <= now {
            let time = nextChange
            if ramping { advanceRamp(to: time) }
            if liftEnds == time {
                liftedSide = nil
                liftEnds = .max
                retarget(at: time, ramp: BodyAction.hipLowerRampMicroseconds)
            } else {
                let action = script.events[nextEvent].action
                nextEvent += 1
                apply(action, at: time)
            }
            scheduleNextChange()
        }
    }

    mutating func apply(_ action: BodyAction, at time: UInt64) {
        switch action {
        case .lieDown:
            present = true
            lean = 0
            liftedSide = nil
            liftEnds = .max
            lyingSide = nil
        case .lieOnSide(let side):
            present = true
            lean = 0
            liftedSide = nil
            liftEnds = .max
            lyingSide = side
        case .shift(let newLean):
            lean = newLean.isNaN ? 0 : max(-1, min(1, newLean))
        case .liftHip(let side, let duration):
            guard present else { return }
            liftedSide = side
            liftEnds = time &+ max(duration, 1)
        case .getUp, .absent:
            present = false
            liftedSide = nil
            liftEnds = .max
            lyingSide = nil
        }
        retarget(at: time, ramp: action.rampMicroseconds)
    }

    mutating func scheduleNextChange() {
        var next = liftEnds
        if nextEvent < script.events.count {
            let eventTime = scriptStartMicroseconds &+ script.events[nextEvent].timeMicroseconds
            // A hip lowered at the same moment as the next event comes down first.
            if eventTime < next { next = eventTime }
        }
        nextChange = next
    }

    /// Sets the target map for the pose and starts a ramp to it from where the zones are.
    mutating func retarget(at time: UInt64, ramp: UInt64) {
        for zone in 0..<zoneCount {
            rampFrom[zone] = current[zone]
            target[zone] = present ? posedPressure(zone: zone) : 0
        }
        rampStart = time
        rampDuration = ramp
        if ramp == 0 {
            for zone in 0..<zoneCount { current[zone] = target[zone] }
            ramping = false
        } else {
            inverseRampDuration = 1 / Double(ramp)
            ramping = true
        }
    }

    func posedPressure(zone: Int) -> Double {
        let (along, across) = position(ofZone: zone)
        var pressure = bodyLoad * Self.bodyPressure(along: along, across: across) * (1 + lean * across)
        if let side = lyingSide {
            // The half under the body (a middle column, across 0, is under it either way).
            let under = side == .left ? across <= 0 : across >= 0
            pressure = under ? pressure * BodyAction.sideLyingLoad : 0
        }
        if let lifted = liftedSide {
            let onLifted = isHip(zone: zone, side: lifted)
            let onOther = isHip(zone: zone, side: lifted == .left ? .right : .left)
            if onLifted && onOther {
                pressure *= 0.5  // a middle column: half of it goes up
            } else if onLifted {
                pressure = 0
            } else if onOther {
                pressure *= 1.3
            }
        }
        return max(0, min(1000, pressure))
    }

    // MARK: Reading

    /// Zone `zone`'s pressure now, per mille, without noise.
    @inlinable
    public func pressure(zone: Int) -> UInt16 {
        precondition(zone >= 0 && zone < zoneCount, "no such zone")
        return UInt16(truncatingIfNeeded: roundedToInteger(current[zone]))
    }

    /// Writes a noisy reading of every zone into `pressures[0 ..< zoneCount]` (per mille,
    /// 0–1000) and 0 into the slots past the last zone.
    @inlinable
    public mutating func read(into pressures: inout MatPressures) {
        for i in 0..<zoneCount {
            let p = current[i]
            if p <= 0 {
                pressures[i] = 0
            } else {
                let noisy = p + noiseSigma * random.nextGaussian()
                pressures[i] = UInt16(truncatingIfNeeded: roundedToInteger(max(0, min(1000, noisy))))
            }
        }
        for i in zoneCount..<64 { pressures[i] = 0 }
    }
}
