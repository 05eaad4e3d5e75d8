import CGPIOD
import Glibc
import MassageKit
@testable import MassageGPIO
import Testing

/// The libgpiod adapter through its one seam (`GPIODCalls`): errors, edge conversion,
/// overflow inference, ordering, and the pump into a tracker.
@Suite struct GPIOContactLinesTests {
    static let ms: UInt64 = 1_000_000

    @Test func aMissingChipSaysHowToFindOne() {
        let mock = MockGPIOD()
        mock.openFailure = ENOENT
        #expect {
            try GPIOContactLines(chip: "gpiochip9", offsets: [1], options: GPIOLineOptions(), calls: mock)
        } throws: { error in
            guard let error = error as? TransportError, case .notFound = error else { return false }
            return error.description.contains("gpiochip9") && error.description.contains("gpiodetect")
        }
    }

    @Test func permissionDeniedNamesTheUdevRule() {
        let mock = MockGPIOD()
        mock.openFailure = EACCES
        #expect {
            try GPIOContactLines(chip: "gpiochip0", offsets: [1], options: GPIOLineOptions(), calls: mock)
        } throws: { error in
            guard let error = error as? TransportError, case .permissionDenied(let path, _) = error else { return false }
            return path == "/dev/gpiochip0" && error.description.contains("udev/70-massage-control.rules")
        }
    }

    @Test func aLineInUseNamesTheLineAndItsHolder() {
        let mock = MockGPIOD()
        mock.requestFailures[5] = EBUSY
        mock.consumers[5] = "other-app"
        #expect {
            try GPIOContactLines(chip: "gpiochip0", offsets: [4, 5, 6], options: GPIOLineOptions(), calls: mock)
        } throws: { error in
            guard let error = error as? TransportError, case .busy = error else { return false }
            return error.description.contains("line 5 on gpiochip0") && error.description.contains("'other-app'")
        }
        #expect(mock.requestFailures.count == 1)
    }

    @Test func aLinePastTheChipAndBadOffsetListsAreRefused() {
        let mock = MockGPIOD()
        mock.lineCount = 8
        #expect(throws: TransportError.self) {
            try GPIOContactLines(chip: "gpiochip0", offsets: [2, 8], options: GPIOLineOptions(), calls: mock)
        }
        #expect(throws: TransportError.self) {
            try GPIOContactLines(chip: "gpiochip0", offsets: [3, 3], options: GPIOLineOptions(), calls: mock)
        }
        #expect(throws: TransportError.self) {
            try GPIOContactLines(chip: "gpiochip0", offsets: [], options: GPIOLineOptions(), calls: mock)
        }
    }

    @Test func pullUpAndActiveLowBecomeRequestFlags() throws {
        let mock = MockGPIOD()
        _ = try GPIOContactLines(chip: "gpiochip0", offsets: [1], options: GPIOLineOptions(pullUp: true, activeLow: true), calls: mock)
        _ = try GPIOContactLines(chip: "gpiochip0", offsets: [2], options: GPIOLineOptions(pullUp: false, activeLow: false), calls: mock)
        #expect(mock.requestedFlags[1] == Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP | GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW))
        #expect(mock.requestedFlags[2] == 0)
    }

    @Test func edgesOfSeveralLinesComeInTimeOrderWithInitialLevelsFirst() throws {
        let mock = MockGPIOD()
        mock.levels[7] = 1   // zone 1 is pressed when the lines are requested
        let lines = try GPIOContactLines(chip: "gpiochip0", offsets: [3, 7], options: GPIOLineOptions(), calls: mock)
        let start = mock.clock
        mock.queued[3] = [RawLineEvent(timestampNanoseconds: start + 10, rising: true),
                          RawLineEvent(timestampNanoseconds: start + 30, rising: false)]
        mock.queued[7] = [RawLineEvent(timestampNanoseconds: start + 20, rising: false)]
        var batch = ContactEventBatch()
        try lines.read(into: &batch, timeoutNanoseconds: 0)
        #expect(batch.edges == [
            ContactEdge(zone: 1, .pressed, atNanoseconds: start),
            ContactEdge(zone: 0, .pressed, atNanoseconds: start + 10),
            ContactEdge(zone: 1, .released, atNanoseconds: start + 20),
            ContactEdge(zone: 0, .released, atNanoseconds: start + 30),
        ])
        #expect(batch.overflows.isEmpty)
    }

    @Test func anUnreadableStartingLevelIsReportedNotGuessed() throws {
        let mock = MockGPIOD()
        mock.valueFailures[9] = EIO
        let lines = try GPIOContactLines(chip: "gpiochip0", offsets: [8, 9], options: GPIOLineOptions(), calls: mock)
        var batch = ContactEventBatch()
        try lines.read(into: &batch, timeoutNanoseconds: 0)
        #expect(batch.edges.isEmpty)
        #expect(batch.overflows == [EdgeOverflow(zone: 1, atNanoseconds: mock.clock, levelNow: nil)])
    }

    @Test func sixteenEventsAtOnceMeanAPossibleOverflowFifteenDoNot() throws {
        let mock = MockGPIOD()
        let lines = try GPIOContactLines(chip: "gpiochip0", offsets: [0, 1], options: GPIOLineOptions(), calls: mock)
        let t = mock.clock
        mock.queued[0] = (0 ..< 16).map { RawLineEvent(timestampNanoseconds: t + UInt64($0) * 1000, rising: $0 % 2 == 0) }
        mock.queued[1] = (0 ..< 15).map { RawLineEvent(timestampNanoseconds: t + UInt64($0) * 1000, rising: $0 % 2 == 0) }
        mock.levels[0] = 1
        var batch = ContactEventBatch()
        try lines.read(into: &batch, timeoutNanoseconds: 0)
        #expect(batch.edges.count == 31)
        #expect(batch.overflows == [EdgeOverflow(zone: 0, atNanoseconds: t + 15_000, levelNow: .pressed)])
    }

    @Test func thePumpFeedsTheTrackerAndReportsOverflowInTheSummary() throws {
        let mock = MockGPIOD()
        let lines = try GPIOContactLines(chip: "gpiochip0", offsets: [10, 11], options: GPIOLineOptions(), calls: mock)
        var pump = ContactEventPump(source: lines, tracker: ContactTracker(configuration: try .gpio(zoneCount: 2)))
        let t = mock.clock
        // Zone 0: pressed with a bounce, held 2 s. Zone 1: a burst of 16 edges (overflow),
        // the line read as released afterwards.
        mock.queued[10] = [RawLineEvent(timestampNanoseconds: t + 100 * Self.ms, rising: true),
                           RawLineEvent(timestampNanoseconds: t + 101 * Self.ms, rising: false),
                           RawLineEvent(timestampNanoseconds: t + 102 * Self.ms, rising: true)]
        mock.queued[11] = (0 ..< 16).map { RawLineEvent(timestampNanoseconds: t + 200 * Self.ms + UInt64($0) * Self.ms, rising: $0 % 2 == 0) }
        try pump.step(timeoutNanoseconds: 0)
        mock.queued[10] = [RawLineEvent(timestampNanoseconds: t + 2_102 * Self.ms, rising: false)]
        mock.clock = t + 2_200 * Self.ms
        try pump.step(timeoutNanoseconds: 0)
        try pump.step(timeoutNanoseconds: 500 * Self.ms)   // nothing comes: the clock moves on
        let summary = pump.tracker.finish(atNanoseconds: mock.clock)
        #expect(summary.zoneContactNanoseconds == [2_000 * Self.ms, 0])
        #expect(summary.overflowCount == 1 && summary.overflowedZones == ZoneSet(rawValue: 0b10))
        #expect(!summary.isExact)
    }

    @Test func linesAreReleasedAndTheChipClosedWhenTheAdapterGoes() throws {
        let mock = MockGPIOD()
        do {
            _ = try GPIOContactLines(chip: "gpiochip0", offsets: [1, 2], options: GPIOLineOptions(), calls: mock)
        }
        #expect(mock.released.sorted() == [1, 2] && mock.closed)
    }
}

/// The tracker fed from a plain scripted source: the same event type as the GPIO adapter.
@Suite struct ContactEventPumpTests {
    struct ScriptedSource: ContactEventSource {
        var batches: [ContactEventBatch]
        var now: UInt64 = 0
        mutating func read(into batch: inout ContactEventBatch, timeoutNanoseconds: UInt64) throws(TransportError) {
            now += timeoutNanoseconds
            guard !batches.isEmpty else { return }
            let next = batches.removeFirst()
            batch.edges += next.edges
            batch.overflows += next.overflows
            if let last = next.edges.last { now = max(now, last.timestampNanoseconds) }
        }
        func nowNanoseconds() -> UInt64 { now }
    }

    @Test func theClockMovesOnlyToNowLessTheMarginSoAnEdgeInTransitIsNotLate() throws {
        var first = ContactEventBatch()
        first.edges = [ContactEdge(zone: 0, .pressed, atNanoseconds: 1_000_000_000)]
        var second = ContactEventBatch()
        // Stamped before the first read's "now", arriving one read later.
        second.edges = [ContactEdge(zone: 1, .pressed, atNanoseconds: 1_000_000_000 + 1_000_000)]
        let source = ScriptedSource(batches: [first, second], now: 0)
        var pump = ContactEventPump(source: source, tracker: ContactTracker(configuration: try .gpio(zoneCount: 2)),
                                    clockMarginNanoseconds: 5_000_000)
        try pump.step(timeoutNanoseconds: 2_000_000)
        try pump.step(timeoutNanoseconds: 0)
        let summary = pump.tracker.finish(atNanoseconds: 3_000_000_000)
        #expect(summary.lateInputs == 0)
        #expect(summary.zoneContactNanoseconds == [2_000_000_000, 1_999_000_000])
    }
}
