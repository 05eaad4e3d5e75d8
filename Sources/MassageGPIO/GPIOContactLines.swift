import CGPIOD
import MassageKit
#if canImport(Glibc)
import Glibc
#endif

/// The mat's contact lines on a GPIO chip, read through libgpiod 1.6 (the v1 API Debian 12
/// ships): one line per zone, requested for both edges, each edge with the kernel's
/// timestamp.
///
/// **Overflow.** libgpiod v1 has no sequence numbers, and the kernel keeps at most 16
/// events per line, dropping newer ones while that buffer is full. So every read asks for
/// 16 at once: fewer means the buffer was not full and nothing was dropped; exactly 16
/// means it was full when read, and edges after the 16th may have been lost. The adapter
/// then reads the line's level and reports an `EdgeOverflow` with it, stamped with the
/// 16th edge's time, so the tracker resynchronises and the summary says it is not exact.
///
/// **Order.** Lines are read one after another, so the edges of one read are sorted by
/// timestamp before they are handed on. Initial levels are read when the lines are
/// requested and come with the first read as edges stamped at that moment; a level that
/// cannot be read comes as an `EdgeOverflow` without a level (the zone's state is unknown).
///
/// Owns the chip and the line requests; released on deinit. Not `Sendable`: use it from
/// one thread.
public final class GPIOContactLines: ContactEventSource {
    /// The libgpiod this program runs with, as the library reports itself, e.g. `1.6.3`.
    public static var libraryVersion: String { SystemGPIOD.version }

    /// The kernel's event buffer per line (libgpiod v1 reads at most this many at once).
    public static let kernelEventBuffer = 16

    /// The chip's name, e.g. "gpiochip0".
    public let chipName: String
    /// The line offset of each zone: zone `i` is line `offsets[i]`.
    public let offsets: [UInt32]
    let calls: any GPIODCalls
    let chip: OpaquePointer
    var lines: [OpaquePointer] = []
    var ready: [Bool]
    var events: [RawLineEvent] = []
    var pendingInitial: [ContactEdge] = []
    var pendingOverflows: [EdgeOverflow] = []

    /// Requests `offsets` (zone `i` is line `offsets[i]`, at most 64) on `chip` (a name,
    /// number, path or label, as `gpiodetect` shows them) for both edges.
    ///
    /// Throws `TransportError.notFound` for a missing chip or line, `.busy` when another
    /// consumer holds a line (EBUSY), `.permissionDenied` when the chip is not the user's
    /// (install the udev rule), `.io` otherwise.
    public convenience init(chip: String, offsets: [UInt32], options: GPIOLineOptions = GPIOLineOptions()) throws(TransportError) {
        try self.init(chip: chip, offsets: offsets, options: options, calls: SystemGPIOD())
    }

    init(chip descriptor: String, offsets: [UInt32], options: GPIOLineOptions, calls: any GPIODCalls) throws(TransportError) {
        guard !offsets.isEmpty && offsets.count <= 64 else {
            throw .unsupported(what: "\(offsets.count) contact lines", hint: "a mat has 1 to 64 zones: give one line offset per zone")
        }
        guard Set(offsets).count == offsets.count else {
            throw .unsupported(what: "line offsets \(offsets)", hint: "each zone needs its own line: remove the repeated offsets")
        }
        let chip: OpaquePointer
        switch calls.openChip(descriptor) {
        case .success(let opened): chip = opened
        case .failure(let error): throw Self.openError(error, chip: descriptor)
        }
        self.calls = calls
        self.chip = chip
        self.offsets = offsets
        let info = calls.chipInfo(chip)
        chipName = info.name
        ready = [Bool](repeating: false, count: offsets.count)
        events.reserveCapacity(Self.kernelEventBuffer)

        var flags: Int32 = 0
        if options.pullUp { flags |= Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP) }
        if options.activeLow { flags |= Int32(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) }
        // One line at a time (v1 requests event lines one by one anyway), so an error names
        // the line it is about.
        for offset in offsets {
            guard offset < info.lines else {
                throw .notFound(what: "line \(offset) on \(chipName)",
                                hint: "\(chipName) has lines 0–\(info.lines - 1); check the offsets with gpioinfo \(chipName)")
            }
            let line: OpaquePointer
            switch calls.line(chip, offset: offset) {
            case .success(let found): line = found
            case .failure(let error):
                throw .io(endpoint: chipName, operation: "get line \(offset)", detail: error.text)
            }
            if let error = calls.requestBothEdges(line, consumer: options.consumer, flags: flags) {
                throw requestError(error, line: line, offset: offset)
            }
            lines.append(line)
        }
        let now = calls.monotonicNanoseconds()
        for (zone, line) in lines.enumerated() {
            switch calls.value(line) {
            case .success(let level):
                if level != 0 { pendingInitial.append(ContactEdge(zone: zone, .pressed, atNanoseconds: now)) }
            case .failure:
                // The zone's starting level is unknown: say so (the summary will not be
                // exact) rather than guess "released" silently.
                pendingOverflows.append(EdgeOverflow(zone: zone, atNanoseconds: now, levelNow: nil))
            }
        }
    }

    deinit {
        for line in lines { calls.release(line) }
        calls.close(chip)
    }

    public func nowNanoseconds() -> UInt64 { calls.monotonicNanoseconds() }

    public func read(into batch: inout ContactEventBatch, timeoutNanoseconds: UInt64) throws(TransportError) {
        let first = batch.edges.count
        let hadPending = !pendingInitial.isEmpty || !pendingOverflows.isEmpty
        if hadPending {
            batch.edges.append(contentsOf: pendingInitial)
            batch.overflows.append(contentsOf: pendingOverflows)
            pendingInitial.removeAll()
            pendingOverflows.removeAll()
        }
        let anything: Bool
        switch calls.wait(lines, timeoutNanoseconds: hadPending ? 0 : timeoutNanoseconds, ready: &ready) {
        case .success(let any): anything = any
        case .failure(let error): throw .io(endpoint: chipName, operation: "wait for edges", detail: error.text)
        }
        guard anything else { return }
        for zone in lines.indices where ready[zone] {
            let count: Int
            switch calls.readEvents(lines[zone], into: &events) {
            case .success(let n): count = n
            case .failure(let error):
                throw .io(endpoint: chipName, operation: "read edges of line \(offsets[zone])", detail: error.text)
            }
            for event in events.prefix(count) {
                batch.edges.append(ContactEdge(zone: zone, event.rising ? .pressed : .released,
                                               atNanoseconds: event.timestampNanoseconds))
            }
            if count >= Self.kernelEventBuffer {
                // The buffer was full: edges after the 16th may have been dropped.
                let level: ContactEdge.Kind? = switch calls.value(lines[zone]) {
                case .success(let value): value != 0 ? .pressed : .released
                case .failure: nil
                }
                batch.overflows.append(EdgeOverflow(zone: zone, atNanoseconds: events[count - 1].timestampNanoseconds,
                                                    levelNow: level))
            }
        }
        // Lines were read one after another: put their edges in time order (stable, so one
        // line's edges at one instant keep their order).
        var merged = Array(batch.edges[first...])
        if !isSorted(merged) {
            merged = merged.enumerated().sorted {
                ($0.element.timestampNanoseconds, $0.offset) < ($1.element.timestampNanoseconds, $1.offset)
            }.map(\.element)
            batch.edges.replaceSubrange(first..., with: merged)
        }
    }

    func isSorted(_ edges: [ContactEdge]) -> Bool {
        zip(edges, edges.dropFirst()).allSatisfy { $0.timestampNanoseconds <= $1.timestampNanoseconds }
    }

    static func openError(_ error: Errno, chip: String) -> TransportError {
        switch error.code {
        case ENOENT, ENODEV, ENOTTY:
            return .notFound(what: "no GPIO chip '\(chip)'",
                             hint: "list the chips with gpiodetect and give a name, number, path or label from it")
        case EACCES, EPERM:
            return .permissionDenied(path: chip.hasPrefix("/") ? chip : "/dev/\(chip)", hint: gpioPermissionHint)
        default:
            return .io(endpoint: chip, operation: "open GPIO chip", detail: error.text)
        }
    }

    func requestError(_ error: Errno, line: OpaquePointer, offset: UInt32) -> TransportError {
        switch error.code {
        case EBUSY:
            let holder = calls.consumer(line).map { "'\($0)'" } ?? "another consumer"
            return .busy(what: "line \(offset) on \(chipName)",
                         hint: "\(holder) holds it (see gpioinfo \(chipName)); stop that program or wire the zone to a free line")
        case EACCES, EPERM:
            return .permissionDenied(path: "/dev/\(chipName)", hint: Self.gpioPermissionHint)
        case EINVAL:
            return .unsupported(what: "line \(offset) on \(chipName) with these options",
                                hint: "the chip may not support bias or edge detection on it: try without --pull-up, or another line")
        default:
            return .io(endpoint: chipName, operation: "request line \(offset) for edges", detail: error.text)
        }
    }

    /// What to do when the chip is not the user's.
    static let gpioPermissionHint =
        "install the udev rule that gives /dev/gpiochip* to the plugdev group (sudo cp udev/70-massage-control.rules"
        + " /etc/udev/rules.d/ && sudo udevadm control --reload && sudo udevadm trigger) and add yourself to it"
        + " (sudo usermod -aG plugdev $USER, then log in again); see udev/README.md"
}
