import MassageFirmware
import MassageSimulator
import MassageWire
import Testing

/// The link faults of a `FaultPlan` (drop, corrupt, delay, jitter, stall, disconnect),
/// seen from outside: a host sends frames into a `SimulatedDevice` on the virtual clock
/// and looks at what comes back, when, and what the device made of it.
///
/// Most tests talk to a device that has had no Hello: it answers GetStatus but sends
/// nothing unsolicited, so every frame on the link is one the test accounts for. The
/// stall and disconnect tests need a session, for the watchdog.
@Suite struct LinkFaultTests {
    // MARK: - Drop

    /// 4000 Heartbeats, no session: nothing comes back, so every frame lost is one of
    /// the host's. Lost ~ Binomial(4000, 0.3): mean 1200, σ = √(4000 · 0.3 · 0.7) ≈ 29.
    /// ±4σ (±116 frames, ±2.9 points) holds for any seed with probability 1 − 6·10⁻⁵;
    /// with the seed fixed the count is the same every run.
    @Test func dropLosesThatShareOfFrames() {
        var faults = FaultPlan()
        faults.dropProbability = 0.3
        var probe = LinkProbe(SimulatedDevice(profile: .handheldRing4, seed: 21, faults: faults))
        let sent = 4000
        for _ in 0..<sent {
            probe.send(.heartbeat)
            probe.step()
        }
        probe.run(until: probe.device.now + 100_000)
        let lost = probe.device.framesLostOnLink
        let sigma = (Double(sent) * 0.3 * 0.7).squareRoot()
        #expect(abs(Double(lost) - 0.3 * Double(sent)) <= 4 * sigma,
                "lost \(lost) of \(sent) (\(Double(lost) / Double(sent) * 100) %), expected 1200 ± \(Int(4 * sigma))")
        #expect(probe.frames.isEmpty, "Heartbeat is never answered: \(probe.frames.prefix(3))")
        #expect(probe.device.core.framesBad == 0, "a dropped frame is lost whole, never cut")
    }

    /// 2000 GetStatus, no session: an answer comes back only when neither the request
    /// nor the answer is lost, so with p = 0.3 each way the round trip succeeds with
    /// 0.7² = 0.49. Answered ~ Binomial(2000, 0.49): σ ≈ 22; ±4σ = ±90. Every frame that
    /// did not make the round trip is exactly one frame lost on the link.
    @Test func dropCountsEveryLostFrameBothWays() {
        var faults = FaultPlan()
        faults.dropProbability = 0.3
        var probe = LinkProbe(SimulatedDevice(profile: .handheldRing4, seed: 22, faults: faults))
        let sent = 2000
        for _ in 0..<sent {
            probe.send(.getStatus)
            probe.step()
        }
        probe.run(until: probe.device.now + 100_000)
        let answered = probe.frames.count
        let sigma = (Double(sent) * 0.49 * 0.51).squareRoot()
        #expect(abs(Double(answered) - 0.49 * Double(sent)) <= 4 * sigma,
                "\(answered) of \(sent) answered, expected 980 ± \(Int(4 * sigma))")
        #expect(probe.device.framesLostOnLink == sent - answered,
                "lost \(probe.device.framesLostOnLink), but \(sent - answered) round trips failed")
        #expect(probe.frames.allSatisfy { if case .status = $0.frame.message { true } else { false } })
        #expect(probe.badFrames == 0)
    }

    // MARK: - Corrupt

    /// 1 % of bytes flipped. A GetStatus frame is 9 bytes on the wire, so about
    /// 1 − 0.99⁹ ≈ 8.6 % of requests arrive damaged; the answers (40 bytes) about 33 %.
    /// CRC-32C catches every single-bit error: the device counts the damaged requests as
    /// bad frames, and nothing damaged is ever taken for another message.
    @Test func corruptFramesAreCountedAndNeverMistaken() throws {
        var faults = FaultPlan()
        faults.corruptProbability = 0.01
        var probe = LinkProbe(SimulatedDevice(profile: .handheldRing4, seed: 23, faults: faults))
        let sent = 3000
        for _ in 0..<sent {
            probe.send(.getStatus)
            probe.step()
        }
        probe.run(until: probe.device.now + 100_000)

        let bad = Int(probe.device.core.framesBad)
        let expectedBad = Double(sent) * (1 - 0.99 * 0.99 * 0.99 * 0.99 * 0.99 * 0.99 * 0.99 * 0.99 * 0.99)
        // A flip can also cut a frame in two (a byte becomes 0x00) or glue two together
        // (the delimiter stops being 0x00), so the count is near, not exactly, that.
        #expect(Double(bad) > expectedBad * 0.6 && Double(bad) < expectedBad * 1.5,
                "device counted \(bad) bad frames; about \(Int(expectedBad)) requests were damaged")
        #expect(probe.badFrames > 0, "no damaged answer reached the host")

        // Only Status ever comes back, each answering a request that was sent, in order.
        var statuses: [Status] = []
        for received in probe.frames {
            guard case .status(let status) = received.frame.message else {
                Issue.record("a damaged frame was taken for \(received.frame.message)")
                continue
            }
            statuses.append(status)
        }
        let answered = statuses.count
        #expect(answered > sent / 2 && answered < sent, "\(answered) of \(sent) answered")
        #expect(statuses.allSatisfy { $0.state == .awaitingHello && $0.faults.isEmpty })
        let counters = statuses.map(\.framesBad)
        #expect(counters == counters.sorted(), "frames_bad went down")
        #expect(Int(counters.last ?? 0) <= bad)
        let uptimes = statuses.map(\.uptimeMicroseconds)
        #expect(uptimes == uptimes.sorted(), "answers out of order")
    }

    // MARK: - Delay

    /// 20 ms each way: the device reads the request 20 ms after it was sent (the uptime
    /// its Status carries), and the answer reaches the host 20 ms after that.
    @Test func delayAddsTheLatencyEachWay() throws {
        var faults = FaultPlan()
        faults.delay = 20_000
        var probe = LinkProbe(SimulatedDevice(profile: .handheldRing4, seed: 24, faults: faults))
        for k in 1...5 {
            let sentAt = UInt64(k) * 200_000
            probe.run(until: sentAt)
            let before = probe.frames.count
            probe.send(.getStatus)
            probe.run(until: sentAt + 100_000)
            let answers = probe.frames[before...]
            #expect(answers.count == 1, "request at \(sentAt) µs got \(answers.count) answers")
            let answer = try #require(answers.first)
            guard case .status(let status) = answer.frame.message else {
                Issue.record("answered with \(answer.frame.message)")
                continue
            }
            let tick = probe.device.tick
            #expect(status.uptimeMicroseconds >= sentAt + 20_000 && status.uptimeMicroseconds <= sentAt + 20_000 + tick,
                    "the device read it \(status.uptimeMicroseconds - sentAt) µs after it was sent")
            let roundTrip = answer.arrivedAt - sentAt
            #expect(roundTrip >= 40_000 && roundTrip <= 40_000 + 2 * tick, "round trip \(roundTrip) µs")
        }
    }

    // MARK: - Jitter

    /// A GetStatus every millisecond with up to 20 ms of jitter each way: without the
    /// order being kept, requests and answers would overtake each other all the time.
    /// Checked with and without drops (the pipe keeps whole frames only when it may drop).
    @Test(arguments: [0.0, 0.05])
    func jitterKeepsTheOrder(drop: Double) {
        var faults = FaultPlan()
        faults.jitter = 20_000
        faults.dropProbability = drop
        var probe = LinkProbe(SimulatedDevice(profile: .handheldRing4, seed: 25, faults: faults))
        for _ in 0..<2000 {
            probe.send(.getStatus)
            probe.step()
        }
        probe.run(until: probe.device.now + 100_000)
        let sequences = probe.frames.map(\.frame.sequence)

        let uptimes = probe.frames.compactMap { if case .status(let s) = $0.frame.message { s.uptimeMicroseconds } else { nil } }
        #expect(uptimes.count == probe.frames.count, "only Status should come back")
        #expect(zip(uptimes, uptimes.dropFirst()).allSatisfy { $0 <= $1 }, "Status uptimes went backwards")
        // Sequence numbers come back in the order they were sent (mod 256, with gaps
        // only where frames were dropped).
        var outOfOrder = 0
        for (a, b) in zip(sequences, sequences.dropFirst()) where b &- a == 0 || b &- a > 128 { outOfOrder += 1 }
        #expect(outOfOrder == 0, "\(outOfOrder) answers overtook another")
        if drop == 0 {
            #expect(probe.frames.count == 2000, "every request answered")
            #expect(sequences == (0..<2000).map { UInt8(truncatingIfNeeded: $0) })
        } else {
            #expect(probe.frames.count > 1700 && probe.frames.count < 2000)
        }
        // The jitter did something, and no more than it may: each way takes 0 ..< 20 ms
        // (plus the device tick).
        var roundTrips: [UInt64] = []
        for received in probe.frames {
            guard case .status(let status) = received.frame.message else { continue }
            let toDevice = status.uptimeMicroseconds - received.sentAt
            let toHost = received.arrivedAt - status.uptimeMicroseconds
            roundTrips.append(received.arrivedAt - received.sentAt)
            #expect(toDevice <= 20_000 + probe.device.tick && toHost <= 20_000 + probe.device.tick,
                    "seq \(received.frame.sequence): \(toDevice) µs there, \(toHost) µs back")
        }
        // Traffic this dense piles up behind the latest arrival (order is kept), so the
        // round trips bunch towards 40 ms; they still vary. (How they are distributed is
        // the sparse test below.)
        let spread = (roundTrips.max() ?? 0) - (roundTrips.min() ?? 0)
        #expect(spread >= 2_000, "round trips all within \(spread) µs: no jitter")
    }

    /// FaultPlan.jitter promises extra latency "uniform in 0 ..< jitter, per frame". With
    /// a GetStatus every 100 ms (nothing queued behind anything) and 20 ms of jitter,
    /// each way should then take 10 ms on average (σ = 20/√12 ≈ 5.8 ms, so the mean of
    /// 500 is within ±0.26 ms; ±2 ms allows for the 1 ms tick), with and without drops.
    @Test(arguments: [0.0, 0.000_001])
    func jitterIsUniformPerFrame(drop: Double) {
        var faults = FaultPlan()
        faults.jitter = 20_000
        faults.dropProbability = drop
        var probe = LinkProbe(SimulatedDevice(profile: .handheldRing4, seed: 28, faults: faults))
        for k in 0..<500 {
            probe.run(until: UInt64(k) * 100_000)
            probe.send(.getStatus)
        }
        probe.run(until: probe.device.now + 100_000)
        var there: [Double] = []
        var back: [Double] = []
        for received in probe.frames {
            guard case .status(let status) = received.frame.message else { continue }
            there.append(Double(status.uptimeMicroseconds - received.sentAt))
            back.append(Double(received.arrivedAt - status.uptimeMicroseconds))
        }
        #expect(there.count == 500)
        let meanThere = there.reduce(0, +) / Double(max(1, there.count))
        let meanBack = back.reduce(0, +) / Double(max(1, back.count))
        // Per frame, whether or not frames can be dropped (the two paths of FaultyPipe).
        #expect(abs(meanThere - 10_500) <= 2_000, "host → device: mean \(Int(meanThere)) µs, min \(Int(there.min() ?? 0))")
        #expect(abs(meanBack - 10_500) <= 2_000, "device → host: mean \(Int(meanBack)) µs, min \(Int(back.min() ?? 0))")
    }

    // MARK: - Stall

    /// A stall from 1 s to 2 s in a running session. The host keeps sending SetOutputs
    /// at 10 Hz, but none of it reaches the device, so to the device the host fell silent
    /// at 0.9 s and its watchdog trips at 1.4 s. Nothing reaches the host during the
    /// stall either; what it held arrives at 2 s, in order (the Status frames of the
    /// stall and the Fault), followed by the device's Naks to the SetOutputs it got late.
    @Test func stallHoldsEverythingUntilItEnds() throws {
        var faults = FaultPlan()
        faults.stall = 1_000_000 ..< 2_000_000
        var probe = LinkProbe(SimulatedDevice(profile: .handheldRing4, seed: 26, faults: faults))
        probe.send(.hello(Hello()))
        var runningBeforeStall = false
        var stoppedInStall = false
        var lastSentBeforeStall: UInt64 = 0
        var sentDuringStall: Set<UInt8> = []
        while probe.device.now < 3_000_000 {
            let now = probe.device.now
            if now % 100_000 == 0 {
                if (1_000_000 ..< 2_000_000).contains(now) { sentDuringStall.insert(probe.sequence) }
                else if now < 1_000_000 { lastSentBeforeStall = now }
                probe.setOutputs([500, 500, 500, 500], lease: 3000)
            }
            probe.step()
            if probe.device.now == 999_000 { runningBeforeStall = !probe.device.outputs.isAllOff }
            if probe.device.now == 1_999_000 {
                stoppedInStall = probe.device.outputs.isAllOff && probe.device.core.heaterTarget == 0
            }
        }
        #expect(runningBeforeStall, "the motors should run before the stall")
        #expect(stoppedInStall, "the watchdog should have stopped the outputs during the stall")

        let arrivals = probe.byteArrivals.map(\.time)
        #expect(!arrivals.contains { (1_000_000 ..< 2_000_000).contains($0) },
                "bytes reached the host during the stall at \(arrivals.filter { (1_000_000 ..< 2_000_000).contains($0) })")
        let burst = probe.frames.filter { $0.arrivedAt == 2_000_000 }
        let heldStatuses = burst.compactMap { if case .statusReport(let s) = $0.frame.message { s } else { nil } }
        #expect(heldStatuses.count >= 9, "\(heldStatuses.count) StatusReport frames released at 2 s")
        #expect(heldStatuses.allSatisfy { (1_000_000 ..< 2_000_000).contains($0.uptimeMicroseconds) })
        let held = burst.map(\.frame.message)
        let report = try #require(held.compactMap { if case .fault(let r) = $0 { r } else { nil } }.first,
                                  "no Fault in what the stall held: \(held)")
        #expect(report.code == 0, "watchdog, not \(report)")
        let expectedTrip = lastSentBeforeStall + 500_000
        #expect(report.uptimeMicroseconds >= expectedTrip && report.uptimeMicroseconds <= expectedTrip + probe.device.tick,
                "tripped at \(report.uptimeMicroseconds) µs; the last frame got through at \(lastSentBeforeStall) µs")
        // What the host sent during the stall reached the device when it ended: too late,
        // the fault is latched, so each SetOutputs is refused.
        let naks = probe.frames.filter {
            if case .nak(let nak) = $0.frame.message { nak.reason == .faultLatched } else { false }
        }
        #expect(Set(naks.map(\.frame.sequence)).isSuperset(of: sentDuringStall),
                "SetOutputs held by the stall, not answered: \(sentDuringStall.subtracting(naks.map(\.frame.sequence)).sorted())")
        #expect(naks.allSatisfy { $0.arrivedAt >= 2_000_000 })
        #expect(probe.frames.filter { if case .fault = $0.frame.message { true } else { false } }.count == 1)
    }

    // MARK: - Disconnect

    /// The cable is pulled at 1 s. The host keeps sending (a Heartbeat every 10 ms, a
    /// SetOutputs every 100 ms), but nothing gets through either way from then on; the
    /// device's watchdog trips 500 ms after the last frame it got, and stops everything.
    @Test func disconnectCutsTheLinkAndTheWatchdogStopsTheDevice() {
        var faults = FaultPlan()
        faults.disconnectAt = 1_000_000
        var probe = LinkProbe(SimulatedDevice(profile: .handheldRing4, seed: 27, faults: faults))
        probe.send(.hello(Hello()))
        var lastSentBeforeCut: UInt64 = 0
        var runningAtCut = false
        var linkUpBeforeCut = true
        var linkDownAfterCut = true
        var trippedAt: UInt64? = nil
        while probe.device.now < 2_500_000 {
            let now = probe.device.now
            if now % 100_000 == 0 {
                probe.setOutputs([700, 0, 700, 0], heater: 380, lease: 3000)
            } else if now % 10_000 == 0 {
                probe.send(.heartbeat)
            }
            if now % 10_000 == 0 && now < 1_000_000 { lastSentBeforeCut = now }
            probe.step()
            let device = probe.device
            if device.now < 1_000_000 { linkUpBeforeCut = linkUpBeforeCut && device.isLinkUp }
            else { linkDownAfterCut = linkDownAfterCut && !device.isLinkUp }
            if device.now == 999_000 { runningAtCut = !device.outputs.isAllOff }
            if trippedAt == nil && device.core.faults.contains(.watchdog) { trippedAt = device.now }
        }
        #expect(linkUpBeforeCut, "the link was down before 1 s")
        #expect(linkDownAfterCut, "isLinkUp came back after the disconnect")
        #expect(runningAtCut, "the motors should run until the cable is pulled")
        let late = probe.byteArrivals.filter { $0.time >= 1_000_000 }
        #expect(late.isEmpty, "bytes reached the host after the disconnect at \(late.map(\.time).prefix(5))")
        #expect(probe.frames.contains { if case .info = $0.frame.message { true } else { false } })

        let expectedTrip = lastSentBeforeCut + 500_000
        #expect(trippedAt.map { $0 >= expectedTrip && $0 <= expectedTrip + probe.device.tick } == true,
                "watchdog tripped at \(trippedAt.map(String.init) ?? "never") µs; last frame through at \(lastSentBeforeCut) µs")
        #expect(probe.device.outputs.isAllOff)
        #expect(probe.device.core.heaterTarget == 0)
        #expect(probe.device.core.state == .faulted)
        // The Fault frame was sent into a dead link: the host never saw it.
        #expect(!probe.frames.contains { if case .fault = $0.frame.message { true } else { false } })
    }
}

// MARK: - A host that timestamps everything

/// A host on the virtual clock that steps the device one tick at a time and notes, for
/// every frame it gets back, when it arrived and when the request with that sequence
/// number was sent.
private struct LinkProbe {
    struct Received {
        var frame: Frame
        /// µs of simulated time when the frame's last byte reached the host.
        var arrivedAt: UInt64
        /// When the host last sent a frame with this sequence number (0 if never).
        var sentAt: UInt64
    }

    var device: SimulatedDevice
    var decoder = FrameDecoder()
    var sequence: UInt8 = 0
    var frames: [Received] = []
    /// Every tick on which bytes reached the host, with how many.
    var byteArrivals: [(time: UInt64, count: Int)] = []
    var badFrames = 0
    private var sendTimes = [UInt64](repeating: 0, count: 256)
    private var inbox: [UInt8] = []

    init(_ device: SimulatedDevice) { self.device = device }

    mutating func send(_ message: Message) {
        sendTimes[Int(sequence)] = device.now
        device.hostSend(Frame(sequence: sequence, message: message).encoded())
        sequence &+= 1
    }

    mutating func setOutputs(_ intensities: [UInt16], heater: UInt16 = 0, lease: UInt16 = 500) {
        send(.setOutputs(SetOutputs(leaseMilliseconds: lease, heaterSetpoint: heater,
                                    intensities: Intensities(intensities) ?? Intensities())))
    }

    /// One device tick, then whatever reached the host by then.
    mutating func step() {
        device.step()
        inbox.removeAll(keepingCapacity: true)
        device.hostReceive(into: &inbox)
        guard !inbox.isEmpty else { return }
        let now = device.now
        byteArrivals.append((now, inbox.count))
        var decoded: [Frame] = []
        var bad = 0
        decoder.feed(inbox) { event in
            switch event {
            case .frame(let frame): decoded.append(frame)
            case .error: bad += 1
            }
        }
        badFrames += bad
        for frame in decoded {
            frames.append(Received(frame: frame, arrivedAt: now, sentAt: sendTimes[Int(frame.sequence)]))
        }
    }

    mutating func run(until time: UInt64) {
        while device.now + device.tick <= time { step() }
    }
}
