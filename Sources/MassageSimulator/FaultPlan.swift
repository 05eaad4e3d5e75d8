/// Faults to inject into a simulated device: on its link, and in its hardware.
/// Times are µs of simulated time from the simulation's start.
public struct FaultPlan: Sendable {
    /// Probability that a frame (in either direction) is lost whole, 0–1.
    public var dropProbability: Double = 0
    /// Probability that any one byte (either direction) has a random bit flipped, 0–1.
    public var corruptProbability: Double = 0
    /// One-way latency added to every byte, µs.
    public var delay: UInt64 = 0
    /// Extra latency, uniform in 0 ..< jitter, per frame, µs. Order is kept (a serial
    /// link never reorders).
    public var jitter: UInt64 = 0
    /// The link carries nothing during this window; what was sent in it arrives when it
    /// ends (a stalled endpoint that recovers).
    public var stall: Range<UInt64>? = nil
    /// The link drops for good at this time (a cable pulled).
    public var disconnectAt: UInt64? = nil
    /// The temperature sensor comes off the heater element at this time.
    public var sensorDetachedAt: UInt64? = nil
    /// The temperature sensor reads open circuit (far below range) from this time.
    public var sensorOpenAt: UInt64? = nil
    /// The temperature sensor reads short circuit (far above range) from this time.
    public var sensorShortedAt: UInt64? = nil
    /// Motor `motor` jams at `time`.
    public var stuckMotor: (motor: Int, time: UInt64)? = nil
    /// A lying firmware: every Status and StatusReport says the surface is this hot (0.1 °C)
    /// while the device latches nothing, for testing the host's own temperature check.
    public var reportedTemperature: Int16? = nil

    public init() {}
}
