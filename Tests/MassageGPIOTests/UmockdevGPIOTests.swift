import Glibc
import MassageGPIO
import MassageKit
import Testing

/// The real libgpiod 1.6 against an emulated gpiochip (`GPIOChipTestbed`). One test at a
/// time: a testbed redirects /dev and /sys for the whole process. Outside
/// umockdev-wrapper the suite skips and says why.
@Suite(.serialized, .enabled(if: GPIOChipTestbed.isAvailable, Comment(rawValue: GPIOChipTestbed.unavailableReason ?? "")))
struct UmockdevGPIOTests {
    static let ms: UInt64 = 1_000_000

    @Test func linesAreRequestedForBothEdgesWithPullUpAndActiveLow() throws {
        let testbed = try GPIOChipTestbed()
        let lines = try GPIOContactLines(chip: "gpiochip0", offsets: [2, 3], options: GPIOLineOptions(consumer: "mat-test"))
        #expect(lines.chipName == "gpiochip0")
        // GPIOHANDLE_REQUEST_INPUT 0x1 | ACTIVE_LOW 0x4 | BIAS_PULL_UP 0x20; GPIOEVENT_REQUEST_BOTH_EDGES 0x3.
        #expect(testbed.requests == [
            .init(offset: 2, handleFlags: 0x25, eventFlags: 0x3, consumer: "mat-test"),
            .init(offset: 3, handleFlags: 0x25, eventFlags: 0x3, consumer: "mat-test"),
        ])
        let plain = try GPIOContactLines(chip: "/dev/gpiochip0", offsets: [4], options: GPIOLineOptions(pullUp: false, activeLow: false))
        #expect(testbed.requests.last == .init(offset: 4, handleFlags: 0x1, eventFlags: 0x3, consumer: "massagectl-mat"))
        _ = plain
    }

    @Test func edgesWithKernelTimestampsReachTheTrackerExactly() throws {
        let testbed = try GPIOChipTestbed()
        let lines = try GPIOContactLines(chip: "gpiochip0", offsets: [0, 1])
        var pump = ContactEventPump(source: lines, tracker: ContactTracker(configuration: try .gpio(zoneCount: 2)))
        try pump.step(timeoutNanoseconds: 0)   // the starting levels: unknown here (see GPIOChipTestbed)
        // Stamped on the monotonic clock, a little ahead of it, as fresh kernel edges are
        // relative to the tracker (which the pump moves to the clock's now).
        let t = lines.nowNanoseconds() + 1_000 * Self.ms
        testbed.push(line: 0, [(t, true), (t + 1 * Self.ms, false), (t + 2 * Self.ms, true)])   // a bounce
        testbed.push(line: 1, [(t + 500 * Self.ms, true)])
        try pump.step(timeoutNanoseconds: 1_000 * Self.ms)
        testbed.push(line: 0, [(t + 4_002 * Self.ms + 7, false)])
        testbed.push(line: 1, [(t + 3_500 * Self.ms, false)])
        try pump.step(timeoutNanoseconds: 1_000 * Self.ms)
        let summary = pump.tracker.finish(atNanoseconds: t + 10_000 * Self.ms)
        #expect(summary.zoneContactNanoseconds == [4_000 * Self.ms + 7, 3_000 * Self.ms])
        #expect(summary.timeOnMatNanoseconds == 4_000 * Self.ms + 7)
        #expect(summary.timesLeft == 1)
        #expect(summary.overflowCount == 2, "both starting levels were unreadable, and the summary says so")
        #expect(summary.lateInputs == 0)
    }

    @Test func sixteenEdgesInTheBufferAreReportedAsAPossibleOverflow() throws {
        let testbed = try GPIOChipTestbed()
        let lines = try GPIOContactLines(chip: "gpiochip0", offsets: [5])
        var batch = ContactEventBatch()
        try lines.read(into: &batch, timeoutNanoseconds: 0)
        batch.removeAll()
        testbed.push(line: 5, (0 ..< 20).map { (UInt64(1_000_000 + $0 * 1000), $0 % 2 == 0) })
        try lines.read(into: &batch, timeoutNanoseconds: 100 * Self.ms)
        #expect(batch.edges.count == 16)
        #expect(batch.overflows == [EdgeOverflow(zone: 0, atNanoseconds: 1_015_000, levelNow: nil)])
        batch.removeAll()
        try lines.read(into: &batch, timeoutNanoseconds: 100 * Self.ms)
        #expect(batch.edges.count == 4 && batch.overflows.isEmpty)
    }

    @Test func aLineInUseIsBusyAndNamesItsHolder() throws {
        let testbed = try GPIOChipTestbed(busy: [6: "heater-daemon"])
        #expect {
            try GPIOContactLines(chip: "gpiochip0", offsets: [5, 6])
        } throws: { error in
            guard let error = error as? TransportError, case .busy = error else { return false }
            return error.description.contains("line 6 on gpiochip0") && error.description.contains("'heater-daemon'")
        }
        _ = testbed
    }

    @Test func aMissingChipOrLineIsNotFound() throws {
        let testbed = try GPIOChipTestbed(lineCount: 4)
        #expect {
            try GPIOContactLines(chip: "gpiochip7", offsets: [0])
        } throws: { error in
            guard let error = error as? TransportError, case .notFound = error else { return false }
            return error.description.contains("gpiodetect")
        }
        #expect {
            try GPIOContactLines(chip: "gpiochip0", offsets: [4])
        } throws: { error in
            guard let error = error as? TransportError, case .notFound = error else { return false }
            return error.description.contains("lines 0–3")
        }
        _ = testbed
    }
}
