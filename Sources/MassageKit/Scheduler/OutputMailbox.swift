import MassageWire
import Synchronization

/// A latest-value-wins hand-off from the scheduler's real-time thread to one consumer
/// (the thread that writes SetOutputs): `offer` never blocks and never waits for the
/// consumer; `take` returns the newest levels not yet taken, and counts the offers that
/// a newer one replaced first.
///
/// A sequence lock over atomics: the producer makes the sequence odd, stores the levels
/// in five 64-bit words, and makes it even again; a reader retries when the sequence was
/// odd or changed while it read. One producer and one consumer at a time.
public final class OutputMailbox: OutputSink {
    private let sequence = Atomic<UInt64>(0)
    private let header = Atomic<UInt64>(0)   // actuator count | heater setpoint << 8
    private let motors0 = Atomic<UInt64>(0)  // four 16-bit intensities per word
    private let motors1 = Atomic<UInt64>(0)
    private let motors2 = Atomic<UInt64>(0)
    private let motors3 = Atomic<UInt64>(0)
    private let takenSequence = Atomic<UInt64>(0)
    private let sentCount = Atomic<UInt64>(0)
    private let coalescedCount = Atomic<UInt64>(0)

    public init() {}

    /// Stores `levels` as the newest (producer side; real-time safe).
    public func offer(_ levels: OutputLevels) {
        let start = sequence.load(ordering: .relaxed)
        sequence.store(start &+ 1, ordering: .relaxed)
        atomicMemoryFence(ordering: .releasing)
        let count = min(levels.intensities.count, 16)
        header.store(UInt64(count) | UInt64(levels.heaterSetpoint) << 8, ordering: .relaxed)
        motors0.store(Self.pack(levels.intensities, from: 0, count: count), ordering: .relaxed)
        motors1.store(Self.pack(levels.intensities, from: 4, count: count), ordering: .relaxed)
        motors2.store(Self.pack(levels.intensities, from: 8, count: count), ordering: .relaxed)
        motors3.store(Self.pack(levels.intensities, from: 12, count: count), ordering: .relaxed)
        sequence.store(start &+ 2, ordering: .releasing)
    }

    /// The newest levels offered since the last `take`, or nil when there are none new
    /// (consumer side).
    public func take() -> OutputLevels? {
        while true {
            let before = sequence.load(ordering: .acquiring)
            let taken = takenSequence.load(ordering: .relaxed)
            if before == taken { return nil }
            if before & 1 == 1 { continue }   // a write in progress: it is a few stores long
            let levels = read()
            atomicMemoryFence(ordering: .acquiring)
            guard sequence.load(ordering: .relaxed) == before else { continue }
            let offers = (before &- taken) / 2
            takenSequence.store(before, ordering: .relaxed)
            sentCount.add(1, ordering: .relaxed)
            if offers > 1 { coalescedCount.add(offers - 1, ordering: .relaxed) }
            return levels
        }
    }

    /// How many offers were taken, and how many were replaced before being taken.
    public var deliveryCounts: OutputDeliveryCounts? {
        OutputDeliveryCounts(sent: sentCount.load(ordering: .relaxed), coalesced: coalescedCount.load(ordering: .relaxed))
    }

    /// Whether an offer came since the last `take` (consumer side: a check before waiting).
    public var hasNewOffer: Bool {
        sequence.load(ordering: .acquiring) != takenSequence.load(ordering: .relaxed)
    }

    /// How many times `offer` was called.
    public var offers: UInt64 { sequence.load(ordering: .acquiring) / 2 }

    private func read() -> OutputLevels {
        let head = header.load(ordering: .relaxed)
        let count = Int(head & 0xff)
        let words = (motors0.load(ordering: .relaxed), motors1.load(ordering: .relaxed),
                     motors2.load(ordering: .relaxed), motors3.load(ordering: .relaxed))
        var intensities = Intensities()
        for i in 0..<min(count, 16) {
            let word = i < 4 ? words.0 : i < 8 ? words.1 : i < 12 ? words.2 : words.3
            intensities.append(UInt16(truncatingIfNeeded: word >> UInt64(16 * (i % 4))))
        }
        return OutputLevels(intensities: intensities, heaterSetpoint: UInt16(truncatingIfNeeded: head >> 8))
    }

    private static func pack(_ intensities: Intensities, from first: Int, count: Int) -> UInt64 {
        var word: UInt64 = 0
        guard count > first else { return 0 }
        for i in first..<min(first + 4, count) {
            word |= UInt64(intensities[i]) << UInt64(16 * (i - first))
        }
        return word
    }
}
