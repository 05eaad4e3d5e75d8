import MassageKit
import MassageSimulator
import MassageWire
import PropertyBased
import Synchronization
import Testing

/// The session against the real firmware core through a link that drops, corrupts and
/// delays frames (the simulator's FaultPlan), on the virtual clock.
@Suite struct SessionFaultTests {
    static func plan(drop: Double, corrupt: Double, delayMilliseconds: UInt64, jitterMilliseconds: UInt64) -> FaultPlan {
        var faults = FaultPlan()
        faults.dropProbability = drop
        faults.corruptProbability = corrupt
        faults.delay = delayMilliseconds * 1000
        faults.jitter = jitterMilliseconds * 1000
        return faults
    }

    /// Every acked command completes exactly once; each one that succeeded took effect on
    /// the device, and none that failed is silent. With at most 10 % of frames dropped in
    /// each direction, a command's 4 tries all fail with odds of about 1 in 770, so a run
    /// of 12 commands may see one; it must then be reported as not answered.
    @Test func noAcknowledgedCommandIsLost() async {
        await propertyCheck(count: 40, input: Gen.uint64(), Gen.double(in: 0...0.10), Gen.double(in: 0...0.01),
                            Gen.uint64(in: 0...8)) { seed, drop, corrupt, delay in
            var session = LockstepSession(
                device: SimulatedDevice(profile: .handheldRing4, seed: seed,
                                        faults: Self.plan(drop: drop, corrupt: corrupt, delayMilliseconds: delay,
                                                          jitterMilliseconds: delay / 2)))
            guard case .success = session.connect(limit: 5_000_000) else {
                // With these odds the handshake can fail too; it must say so, not hang.
                #expect(session.engine.phase != .handshaking)
                return
            }
            var answered = 0
            for i in 0..<12 {
                let value = UInt32(1000 + 500 * i)
                let id = session.submit(.setConfig(.slewPerSecond, value))
                guard let result = session.await(id, limit: 3_000_000) else {
                    Issue.record("command \(i) never completed (seed \(seed))")
                    return
                }
                let completions = session.events.filter { if case .completed(id, _) = $0 { true } else { false } }
                #expect(completions.count == 1)
                switch result {
                case .success(.acknowledged):
                    answered += 1
                    #expect(session.device.core.config.slewPerSecond == value, "acked but not applied (seed \(seed))")
                case .failure(.notAnswering(let command, let tries)):
                    #expect(command.hasPrefix("SetConfig") && tries == 4)
                case .failure(.linkLost):
                    return   // 1 s of silence by chance at 10 % drop: reported, not lost
                default:
                    Issue.record("unexpected result \(result) (seed \(seed))")
                }
                session.run(for: 5_000)
            }
            #expect(answered >= 10, "only \(answered) of 12 answered at drop \(drop) (seed \(seed))")
        }
    }

    /// Outputs set every 2 ms (faster than the device's rate) while the link drops and
    /// delays frames: the host sends them in the order they were set, never an older one
    /// after a newer one, at most one waiting at a time, and the device ends up driving
    /// the newest (a frame the link lost is repaired by the 20 Hz refresh).
    @Test func onlyTheNewestOutputsAreDelivered() async {
        await propertyCheck(count: 25, input: Gen.uint64(), Gen.double(in: 0...0.10), Gen.uint64(in: 0...6)) { seed, drop, delay in
            var session = LockstepSession(
                device: SimulatedDevice(profile: .handheldRing4, seed: seed,
                                        faults: Self.plan(drop: drop, corrupt: 0.002, delayMilliseconds: delay,
                                                          jitterMilliseconds: delay)))
            session.recordsSentFrames = true
            guard case .success = session.connect(limit: 5_000_000) else { return }
            var set = 0
            for step in 1...200 {
                var levels = OutputLevels.off(actuatorCount: 4)
                for i in 0..<4 { levels.intensities[i] = UInt16(step * 4) }   // a counter: newer = larger
                do throws(SessionError) {
                    try session.setOutputs(levels)
                    set += 1
                } catch {
                    if case .linkLost = error { return }
                    Issue.record("setOutputs failed: \(error)")
                    return
                }
                session.run(for: 2_000)
            }
            session.run(for: 300_000)
            let values = session.sentFrames.compactMap { frame -> UInt16? in
                if case .setOutputs(let outputs) = frame.message { return outputs.intensities[0] }
                return nil
            }
            // Equal neighbours are the refresh (the newest outputs again); never a smaller one.
            #expect(zip(values, values.dropFirst()).allSatisfy { $0 <= $1 }, "an older output after a newer one: \(values)")
            #expect(values.last == 800, "the newest outputs were not sent")
            let statistics = session.engine.statistics
            #expect(statistics.outputsSent + statistics.outputsCoalesced == set)
            #expect(statistics.outputsCoalesced > 0, "every 2 ms is faster than the device's rate, so some must be coalesced")
            if case .ended = session.engine.phase { return }
            #expect(session.device.core.status.outputs.first == 800 || !session.device.core.faults.isEmpty,
                    "the device drives \(String(describing: session.device.core.status.outputs.first)), not the newest 800")
        }
    }

    /// The link goes dead at a random moment while outputs run: the session reports link
    /// loss within 1.2 s (1 s of silence by design), and the device's watchdog has stopped
    /// the motors by then.
    @Test func linkLossIsReportedWithinOnePointTwoSeconds() async {
        let delays = Mutex<[UInt64]>([])
        defer {
            let seen = delays.withLock { $0 }.sorted()
            if let first = seen.first, let last = seen.last {
                print("link loss reported \(Double(first) / 1000)–\(Double(last) / 1000) ms after the cut (\(seen.count) runs, bound 1200 ms)")
            }
        }
        await propertyCheck(count: 30, input: Gen.uint64(), Gen.uint64(in: 200...3000)) { seed, cutMilliseconds in
            var faults = FaultPlan()
            faults.dropProbability = 0.02
            let cut = 100_000 + cutMilliseconds * 1000
            faults.disconnectAt = cut
            var session = LockstepSession(device: SimulatedDevice(profile: .handheldRing4, seed: seed, faults: faults))
            guard case .success = session.connect() else {
                Issue.record("no handshake (seed \(seed))")
                return
            }
            var levels = OutputLevels.off(actuatorCount: 4)
            for i in 0..<4 { levels.intensities[i] = 500 }
            var endedAt: UInt64? = nil
            while session.now < cut + 2_000_000, endedAt == nil {
                try? session.setOutputs(levels)
                session.run(for: 10_000)
                for event in session.events {
                    if case .ended(.linkLost) = event { endedAt = session.now }
                }
            }
            guard let endedAt else {
                Issue.record("link loss never reported (seed \(seed), cut at \(cut) µs)")
                return
            }
            let delay = endedAt - cut
            delays.withLock { $0.append(delay) }
            #expect(delay <= 1_200_000, "reported \(delay) µs after the cut")
            // No lower bound here: silence counts from the last frame heard, which may be a
            // few lost status reports before the cut (the engine test pins the 1 s exactly).
            #expect(session.device.outputs.isAllOff, "the device still drives its motors after losing the host")
        }
    }
}
