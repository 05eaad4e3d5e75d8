import MassageWire

/// One level per actuator as a fraction of full intensity (0 … 1): what a pattern
/// evaluates to before it becomes per mille. Stored inline (no heap), so a real-time tick
/// can keep one on its stack.
public struct ActuatorLevels: Sendable {
    var storage: InlineArray<16, Double>
    /// How many actuators hold a level.
    public internal(set) var count: Int

    /// `count` actuators (clamped to 0 … 16), all at 0.
    public init(count: Int = 0) {
        storage = InlineArray(repeating: 0)
        self.count = min(max(0, count), ActuatorGeometry.maximumActuators)
    }

    /// The level of actuator `index` (0 ..< count).
    public subscript(index: Int) -> Double {
        get {
            precondition(index >= 0 && index < count, "ActuatorLevels index out of range")
            return storage[index]
        }
        set {
            precondition(index >= 0 && index < count, "ActuatorLevels index out of range")
            storage[index] = newValue
        }
    }

    /// Actuator `index`'s level in per mille, 0 … 1000: clamped to 0 … 1 and rounded to
    /// the nearest (halves away from zero). NaN becomes 0.
    public func perMille(_ index: Int) -> UInt16 {
        Self.perMille(self[index])
    }

    static func perMille(_ level: Double) -> UInt16 {
        guard level > 0 else { return 0 }   // also NaN
        guard level < 1 else { return 1000 }
        return UInt16((level * 1000).rounded())
    }

    /// Replaces `intensities` with these levels in per mille (see `perMille(_:)`).
    public func write(into intensities: inout Intensities) {
        intensities.removeAll()
        let levels = storage.span   // indexing the InlineArray in a loop would copy it whole
        for i in 0 ..< count { intensities.append(Self.perMille(levels[i])) }
    }
}

// Whole-list arithmetic for the combinators, through spans (indexing the InlineArray in
// a loop would copy it whole).
extension ActuatorLevels {
    /// Every level set to `level`, `count` of them.
    mutating func fill(_ level: Double, count: Int) {
        self.count = count
        var levels = storage.mutableSpan
        for i in 0 ..< count { levels[i] = level }
    }

    /// Every level multiplied by `factor`.
    mutating func multiply(by factor: Double) {
        var levels = storage.mutableSpan
        for i in 0 ..< count { levels[i] *= factor }
    }

    /// `(1 − u) × self + u × other`, actuator by actuator.
    mutating func blend(towards other: borrowing ActuatorLevels, by u: Double) {
        var levels = storage.mutableSpan
        let others = other.storage.span
        for i in 0 ..< count { levels[i] = (1 - u) * levels[i] + u * others[i] }
    }

    /// The larger of each pair.
    mutating func formMaximum(with other: borrowing ActuatorLevels) {
        var levels = storage.mutableSpan
        let others = other.storage.span
        for i in 0 ..< count { levels[i] = Swift.max(levels[i], others[i]) }
    }

    /// The sum of each pair, at most 1.
    mutating func formClampedSum(with other: borrowing ActuatorLevels) {
        var levels = storage.mutableSpan
        let others = other.storage.span
        for i in 0 ..< count { levels[i] = Swift.min(1, levels[i] + others[i]) }
    }
}
