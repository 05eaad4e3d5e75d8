import MassageWire

/// Turns a mat's raw contact (GPIO edges or pressure reports) into accepted contact per
/// zone, contact intervals, and a session summary.
///
/// **The rule.** Each zone has a raw state: a GPIO line's level, or a pressure zone's
/// state after the hysteresis of `PressureThresholds` (sample and hold: a reading stands
/// until the zone's next one). A raw state that differs from the accepted one is accepted
/// once it has held for the settle time (`ContactTrackerConfiguration.settleNanoseconds`:
/// the debounce window for GPIO, the minimum stable time for pressure) and is then counted
/// from the moment it began, so a debounced contact loses no time. A raw state that does
/// not hold that long is ignored: a bounce inside the window changes nothing.
///
/// **Time.** Only the sources' own timestamps count, never the wall clock: the kernel's
/// monotonic ns for GPIO edges, the device's µs (× 1000) for MatReports. The tracker's
/// clock is the newest timestamp it was given; a pending change is accepted when that
/// clock reaches its start + settle time (any zone's input, or `advance(toNanoseconds:)`,
/// moves it). Accepted changes are applied in time order, and changes at one instant
/// together, so a weight moving from one zone to the next is not a body leaving the mat.
/// Inputs must come in time order; one stamped earlier than the clock is counted in
/// `MatSessionSummary.lateInputs` and taken at the clock's time. Feed one tracker from one
/// clock: GPIO and a device's uptime are different clocks.
///
/// **Cost.** State is a few 64-bit zone masks and three fixed arrays of 64 timestamps:
/// nothing is allocated while tracking. A pressure report costs two compares per zone and
/// a few mask operations; per-zone work happens only for zones that changed.
///
/// Intervals are handed to the `onInterval` closure of the call that closes them: a zone's
/// when its contact is accepted as ended, the body's when the last zone is released.
public struct ContactTracker: Sendable {
    /// Called with each contact interval as it closes.
    public typealias IntervalHandler = (ContactInterval) -> Void

    /// The tracker's settings.
    public let configuration: ContactTrackerConfiguration
    @usableFromInline let settle: UInt64
    @usableFromInline let onThreshold: UInt16
    @usableFromInline let offThreshold: UInt16

    // The session clock: the newest timestamp given, ns.
    @usableFromInline var started: Bool
    @usableFromInline var start: UInt64
    @usableFromInline var clock: UInt64

    // Per zone, as masks: the raw state, and the accepted one. raw ^ contact is pending.
    @usableFromInline var raw: UInt64 = 0
    @usableFromInline var contact: UInt64 = 0
    /// When each zone's raw state began, ns.
    @usableFromInline var rawSince = InlineArray<64, UInt64>(repeating: 0)
    /// When each accepted contact began, ns.
    @usableFromInline var contactSince = InlineArray<64, UInt64>(repeating: 0)
    /// Closed contact time per zone, ns.
    @usableFromInline var zoneTotal = InlineArray<64, UInt64>(repeating: 0)
    /// No pending change is due before this; may be early (then a scan finds nothing due).
    @usableFromInline var earliestDeadline: UInt64 = .max

    // The body: any zone in contact.
    @usableFromInline var bodySince: UInt64 = 0
    @usableFromInline var onMatTotal: UInt64 = 0
    @usableFromInline var longest: UInt64 = 0
    @usableFromInline var timesOn = 0
    @usableFromInline var timesLeft = 0

    // What may have been missed.
    @usableFromInline var overflowCount = 0
    @usableFromInline var overflowedZones: UInt64 = 0
    @usableFromInline var lateInputs = 0
    @usableFromInline var unknownZoneInputs = 0

    /// A tracker with every zone released; its session starts at the configured start, or
    /// at the first input.
    public init(configuration: ContactTrackerConfiguration) {
        self.init(configuration: configuration, start: configuration.sessionStartNanoseconds)
    }

    init(configuration: ContactTrackerConfiguration, start: UInt64?) {
        self.configuration = configuration
        settle = max(configuration.settleNanoseconds, 1)
        onThreshold = configuration.thresholds.on
        offThreshold = configuration.thresholds.off
        started = start != nil
        self.start = start ?? 0
        clock = start ?? 0
    }

    // MARK: State

    /// Zones whose contact is accepted now.
    public var contactZones: ZoneSet { ZoneSet(rawValue: contact) }
    /// Zones whose raw state is contact now (accepted or still settling).
    public var rawContactZones: ZoneSet { ZoneSet(rawValue: raw) }
    /// Whether the body is on the mat (any zone's contact accepted).
    public var isBodyOnMat: Bool { contact != 0 }
    /// The newest timestamp taken, ns; nil before the session started.
    public var clockNanoseconds: UInt64? { started ? clock : nil }
    /// The session's start, ns; nil before it started.
    public var sessionStartNanoseconds: UInt64? { started ? start : nil }

    // MARK: GPIO edges

    /// Takes one edge event. An edge for a zone past the zone count is counted in
    /// `unknownZoneInputs` and ignored.
    @inlinable
    public mutating func feed(_ edge: ContactEdge, onInterval: IntervalHandler = { _ in }) {
        guard edge.zone >= 0 && edge.zone < configuration.zoneCount else {
            unknownZoneInputs += 1
            return
        }
        let now = take(edge.timestampNanoseconds)
        if now >= earliestDeadline { commitDue(through: now, onInterval) }
        let bit: UInt64 = 1 << UInt64(edge.zone)
        let level: UInt64 = edge.kind == .pressed ? bit : 0
        // A repeated level (two rising edges: one lost between them) changes nothing.
        guard raw & bit != level else { return }
        raw ^= bit
        rawSince[edge.zone] = now
        if (raw ^ contact) & bit != 0 { earliestDeadline = min(earliestDeadline, saturatingAdd(now, settle)) }
    }

    /// Takes edge events in time order.
    @inlinable
    public mutating func feed<Edges: Sequence<ContactEdge>>(_ edges: Edges, onInterval: IntervalHandler = { _ in }) {
        for edge in edges { feed(edge, onInterval: onInterval) }
    }

    /// Records that a zone's events may have been lost (the summary stops being exact)
    /// and, when the line's level was read after the overflow, takes it as an edge.
    public mutating func note(_ overflow: EdgeOverflow, onInterval: IntervalHandler = { _ in }) {
        guard overflow.zone >= 0 && overflow.zone < configuration.zoneCount else {
            unknownZoneInputs += 1
            return
        }
        overflowCount += 1
        overflowedZones |= 1 << UInt64(overflow.zone)
        if let level = overflow.levelNow {
            feed(ContactEdge(zone: overflow.zone, level, atNanoseconds: overflow.timestampNanoseconds), onInterval: onInterval)
        }
    }

    // MARK: Pressure

    /// Takes one MatReport: the pressures of zones `firstZone ..< firstZone + count` at the
    /// device's `timestampMicroseconds`. Zones past the zone count are counted in
    /// `unknownZoneInputs` and ignored.
    @inlinable
    public mutating func feed(_ report: MatReport, onInterval: IntervalHandler = { _ in }) {
        let (product, overflow) = report.timestampMicroseconds.multipliedReportingOverflow(by: 1000)
        let time = overflow ? UInt64.max : product
        let first = Int(report.firstZone)
        let handled: Void? = report.pressures.withContiguousStorageIfAvailable { pressures in
            takePressures(pressures, firstZone: first, atNanoseconds: time, onInterval)
        }
        if handled == nil {
            var copy = InlineArray<22, UInt16>(repeating: 0)
            for i in 0 ..< report.pressures.count { copy[i] = report.pressures[i] }
            copy.span.withUnsafeBufferPointer { all in
                takePressures(UnsafeBufferPointer(rebasing: all[..<report.pressures.count]),
                              firstZone: first, atNanoseconds: time, onInterval)
            }
        }
    }

    /// Takes the pressures (per mille) of zones `firstZone ..< firstZone + pressures.count`
    /// sampled at `timestampMicroseconds` on the device's clock.
    @inlinable
    public mutating func feed(
        pressures: Span<UInt16>, firstZone: Int, atMicroseconds timestampMicroseconds: UInt64,
        onInterval: IntervalHandler = { _ in }
    ) {
        let (product, overflow) = timestampMicroseconds.multipliedReportingOverflow(by: 1000)
        let time = overflow ? UInt64.max : product
        pressures.withUnsafeBufferPointer { takePressures($0, firstZone: firstZone, atNanoseconds: time, onInterval) }
    }

    @inlinable
    mutating func takePressures(
        _ pressures: UnsafeBufferPointer<UInt16>, firstZone: Int, atNanoseconds time: UInt64,
        _ onInterval: IntervalHandler
    ) {
        let zoneCount = configuration.zoneCount
        guard firstZone >= 0 && firstZone < zoneCount else {
            unknownZoneInputs += pressures.count
            return
        }
        let n = min(pressures.count, zoneCount - firstZone)
        unknownZoneInputs += pressures.count - n
        guard n > 0 else { return }
        let now = take(time)
        if now >= earliestDeadline { commitDue(through: now, onInterval) }

        // Hysteresis for all the report's zones at once: at or above `on` presses, below
        // `off` releases, in between keeps the raw state. (off ≤ on, so no zone is both.)
        let on = onThreshold
        let off = offThreshold
        var above: UInt64 = 0
        var below: UInt64 = 0
        for i in 0 ..< n {
            let p = pressures[i]
            above |= UInt64(p >= on ? 1 : 0) << UInt64(i)
            below |= UInt64(p < off ? 1 : 0) << UInt64(i)
        }
        let shift = UInt64(firstZone)
        let range: UInt64 = (n == 64 ? UInt64.max : (1 << UInt64(n)) &- 1) << shift
        let updated = (raw & ~(below << shift)) | (above << shift)
        let changed = (updated ^ raw) & range
        guard changed != 0 else { return }
        raw ^= changed
        var bits = changed
        while bits != 0 {
            rawSince[bits.trailingZeroBitCount] = now
            bits &= bits &- 1
        }
        if changed & (raw ^ contact) != 0 { earliestDeadline = min(earliestDeadline, saturatingAdd(now, settle)) }
    }

    // MARK: Time

    /// Moves the clock to `timeNanoseconds` (when newer) and accepts the changes that have
    /// held for the settle time by then. A GPIO reader calls this when a wait times out
    /// with no edge, with the same monotonic clock the kernel stamps edges with.
    public mutating func advance(toNanoseconds timeNanoseconds: UInt64, onInterval: IntervalHandler = { _ in }) {
        if !started {
            started = true
            start = timeNanoseconds
            clock = timeNanoseconds
        } else if timeNanoseconds > clock {
            clock = timeNanoseconds
        }
        if clock >= earliestDeadline { commitDue(through: clock, onInterval) }
    }

    /// The session's summary if it ended at `endNanoseconds` (or at the clock, if that is
    /// newer). Changes pending then that have not held for the settle time are not counted.
    /// The tracker itself is not changed.
    public func summary(atNanoseconds endNanoseconds: UInt64) -> MatSessionSummary {
        var copy = self
        return copy.finish(atNanoseconds: endNanoseconds)
    }

    /// Ends the session at `endNanoseconds` (or at the clock, if that is newer): accepts
    /// what has settled by then, closes open contact there (those intervals have
    /// `endedBySessionEnd`), and returns the summary. The tracker is then a new one with
    /// every zone released, whose session starts at its next input.
    public mutating func finish(atNanoseconds endNanoseconds: UInt64, onInterval: IntervalHandler = { _ in }) -> MatSessionSummary {
        advance(toNanoseconds: endNanoseconds, onInterval: onInterval)
        let end = clock
        var zoneTimes = [UInt64](repeating: 0, count: configuration.zoneCount)
        for zone in 0 ..< configuration.zoneCount { zoneTimes[zone] = zoneTotal[zone] }
        var open = contact
        while open != 0 {
            let zone = open.trailingZeroBitCount
            open &= open &- 1
            zoneTimes[zone] += end - contactSince[zone]
            onInterval(ContactInterval(.zone(zone), from: contactSince[zone], to: end, endedBySessionEnd: true))
        }
        var onMat = onMatTotal
        var longestContact = longest
        if contact != 0 {
            onMat += end - bodySince
            longestContact = max(longestContact, end - bodySince)
            onInterval(ContactInterval(.body, from: bodySince, to: end, endedBySessionEnd: true))
        }
        let summary = MatSessionSummary(
            startNanoseconds: start, endNanoseconds: end, timeOnMatNanoseconds: onMat,
            zoneContactNanoseconds: zoneTimes, longestContactNanoseconds: longestContact,
            timesOn: timesOn, timesLeft: timesLeft, onMatAtEnd: contact != 0,
            overflowCount: overflowCount, overflowedZones: ZoneSet(rawValue: overflowedZones),
            lateInputs: lateInputs, unknownZoneInputs: unknownZoneInputs)
        self = ContactTracker(configuration: configuration, start: nil)
        return summary
    }

    // MARK: Internals

    /// The time to use for an input stamped `time`: starts the session on the first one;
    /// an input older than the clock is late and taken at the clock.
    @inlinable
    mutating func take(_ time: UInt64) -> UInt64 {
        if _slowPath(!started) {
            started = true
            start = time
            clock = time
            return time
        }
        guard time >= clock else {
            lateInputs += 1
            return clock
        }
        clock = time
        return time
    }

    /// Accepts every pending change that has held for the settle time by `now`, earliest
    /// first, changes at the same instant together.
    @usableFromInline
    mutating func commitDue(through now: UInt64, _ onInterval: IntervalHandler) {
        var due: UInt64 = 0
        var next = UInt64.max
        var pending = raw ^ contact
        while pending != 0 {
            let zone = pending.trailingZeroBitCount
            pending &= pending &- 1
            let deadline = saturatingAdd(rawSince[zone], settle)
            if deadline <= now {
                due |= 1 << UInt64(zone)
            } else if deadline < next {
                next = deadline
            }
        }
        earliestDeadline = next
        while due != 0 {
            var time = UInt64.max
            var bits = due
            while bits != 0 {
                time = min(time, rawSince[bits.trailingZeroBitCount])
                bits &= bits &- 1
            }
            var group: UInt64 = 0
            bits = due
            while bits != 0 {
                let zone = bits.trailingZeroBitCount
                bits &= bits &- 1
                if rawSince[zone] == time { group |= 1 << UInt64(zone) }
            }
            apply(group, at: time, onInterval)
            due &= ~group
        }
    }

    /// Flips the accepted state of the zones in `group` at `time`.
    mutating func apply(_ group: UInt64, at time: UInt64, _ onInterval: IntervalHandler) {
        let before = contact
        var ending = group & contact
        while ending != 0 {
            let zone = ending.trailingZeroBitCount
            ending &= ending &- 1
            // Accepted changes come in time order (see commitDue), so time ≥ the start;
            // the guard only keeps saturated timestamps from trapping.
            let since = contactSince[zone]
            zoneTotal[zone] += time >= since ? time - since : 0
            onInterval(ContactInterval(.zone(zone), from: since, to: max(time, since)))
        }
        var beginning = group & ~contact
        while beginning != 0 {
            contactSince[beginning.trailingZeroBitCount] = time
            beginning &= beginning &- 1
        }
        contact ^= group
        if before == 0 && contact != 0 {
            bodySince = time
            timesOn += 1
        } else if before != 0 && contact == 0 {
            let length = time >= bodySince ? time - bodySince : 0
            onMatTotal += length
            longest = max(longest, length)
            timesLeft += 1
            onInterval(ContactInterval(.body, from: bodySince, to: bodySince + length))
        }
    }
}
