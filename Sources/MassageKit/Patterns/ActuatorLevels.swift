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
        let level = self[index]
        guard level > 0 else { return 0 }   // also NaN
        guard level < 1 else { return 1000 }
        return UInt16((level * 1000).rounded())
    }

    /// Replaces `intensities` with these levels in per mille (see `perMille(_:)`).
    public func write(into intensities: inout Intensities) {
        intensities.removeAll()
        for i in 0 ..< count { intensities.append(perMille(i)) }
    }
}
