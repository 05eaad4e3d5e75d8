import MassageWire
import Synchronization

/// The scheduler's controls and live counters, shared between the real-time thread and
/// everyone else: pause, resume, stop and intensity from any thread; fault and link-loss
/// reports from the device session. Every field is an atomic, so the tick path reads them
/// without a lock.
public final class SchedulerControl: Sendable {
    /// What the tick loop should do.
    public enum Command: UInt8, Sendable {
        case run = 0
        case pause = 1
        case stop = 2
    }

    private let commandValue = Atomic<UInt8>(Command.run.rawValue)
    private let intensityValue: Atomic<UInt8>
    /// Safety reports from the session: bit 31 link lost, bit 30 device fault, bits 0–15
    /// the fault set. Bits only accumulate.
    private let safetyReports = Atomic<UInt32>(0)
    private let tickCount = Atomic<UInt64>(0)
    private let overrunCount = Atomic<UInt64>(0)
    private let offeredCount = Atomic<UInt64>(0)
    /// The over-temperature report: the reading (0.1 °C, low 16 bits) and the cap (high
    /// 16 bits); 0 = none. The first one stays.
    private let overTemperatureReport = Atomic<UInt32>(0)

    private static let linkLostBit: UInt32 = 1 << 31
    private static let faultBit: UInt32 = 1 << 30

    /// Starts running at `intensityPercent` (0–100).
    public init(intensityPercent: Int = 100) throws(SchedulerConfigurationError) {
        guard (0...100).contains(intensityPercent) else { throw .intensityOutOfRange(intensityPercent) }
        intensityValue = Atomic(UInt8(intensityPercent))
    }

    /// The current command.
    public var command: Command {
        Command(rawValue: commandValue.load(ordering: .acquiring)) ?? .stop
    }

    /// Outputs go to zero and program time stands still until `resume()`. No effect once stopped.
    public func pause() {
        _ = commandValue.compareExchange(expected: Command.run.rawValue, desired: Command.pause.rawValue, ordering: .acquiringAndReleasing)
    }

    /// Continues a paused program where it stopped (the governor's slew limit ramps the
    /// outputs back up). No effect once stopped.
    public func resume() {
        _ = commandValue.compareExchange(expected: Command.pause.rawValue, desired: Command.run.rawValue, ordering: .acquiringAndReleasing)
    }

    /// Ends the run at the next tick, with every output at zero. Final.
    public func stop() { commandValue.store(Command.stop.rawValue, ordering: .releasing) }

    /// The intensity every level is scaled by, 0–100 %.
    public var intensityPercent: Int { Int(intensityValue.load(ordering: .relaxed)) }

    /// Sets the intensity every level is scaled by from the next tick.
    public func setIntensity(percent: Int) throws(SchedulerConfigurationError) {
        guard (0...100).contains(percent) else { throw .intensityOutOfRange(percent) }
        intensityValue.store(UInt8(percent), ordering: .relaxed)
    }

    /// The device reported `faults` (a Fault frame, or fault bits in a Status): the
    /// governor stops at the next tick.
    public func reportDeviceFault(_ faults: FaultSet) {
        safetyReports.bitwiseOr(Self.faultBit | UInt32(faults.rawValue), ordering: .releasing)
    }

    /// The link to the device is gone: the governor stops at the next tick.
    public func reportLinkLost() {
        safetyReports.bitwiseOr(Self.linkLostBit, ordering: .releasing)
    }

    /// The device reported a surface of `reading` (0.1 °C) above `cap` (0.1 °C, the cap in
    /// force) by more than the margin, without a fault of its own: the governor stops at
    /// the next tick.
    public func reportOverTemperature(reading: Int16, cap: UInt16) {
        let packed = UInt32(cap) << 16 | UInt32(UInt16(bitPattern: reading))
        _ = overTemperatureReport.compareExchange(expected: 0, desired: packed == 0 ? 1 << 16 : packed, ordering: .releasing)
    }

    /// The first safety report waiting, as a stop reason (a fault before the host's
    /// temperature check, before a link loss).
    var pendingSafetyStop: SafetyStopReason? {
        let bits = safetyReports.load(ordering: .acquiring)
        if bits & Self.faultBit != 0 { return .deviceFault(FaultSet(rawValue: UInt16(truncatingIfNeeded: bits))) }
        let hot = overTemperatureReport.load(ordering: .acquiring)
        if hot != 0 {
            return .overTemperature(reported: Int16(bitPattern: UInt16(truncatingIfNeeded: hot)), cap: UInt16(truncatingIfNeeded: hot >> 16))
        }
        if bits & Self.linkLostBit != 0 { return .linkLost }
        return nil
    }

    /// Ticks run so far (live).
    public var ticks: UInt64 { tickCount.load(ordering: .relaxed) }
    /// Overruns so far (live).
    public var overruns: UInt64 { overrunCount.load(ordering: .relaxed) }
    /// Levels offered to the sink so far (live).
    public var framesOffered: UInt64 { offeredCount.load(ordering: .relaxed) }

    /// Called by the tick thread only (single writer), so plain stores suffice.
    func publish(ticks: UInt64, overruns: UInt64, offered: UInt64) {
        tickCount.store(ticks, ordering: .relaxed)
        overrunCount.store(overruns, ordering: .relaxed)
        offeredCount.store(offered, ordering: .relaxed)
    }
}
