import CGPIOD
#if canImport(Glibc)
import Glibc
#endif

/// One edge as libgpiod hands it over: the kernel's timestamp and the logical direction.
struct RawLineEvent: Equatable {
    var timestampNanoseconds: UInt64
    var rising: Bool
}

/// Every libgpiod call the adapter makes, and nothing else: the one seam between
/// `GPIOContactLines` and the C library. `SystemGPIOD` is the real thing; tests stand in
/// for it to reach errors (EACCES, EBUSY, a missing chip) and kernel behaviour (a full
/// 16-event buffer) that need hardware or another user to provoke. Failures come back as
/// errno values, the way libgpiod v1 reports them.
protocol GPIODCalls {
    /// `gpiod_chip_open_lookup`: a chip by name, number, path or label; errno on failure.
    func openChip(_ descriptor: String) -> Result<OpaquePointer, Errno>
    /// `gpiod_chip_name` and `gpiod_chip_num_lines`.
    func chipInfo(_ chip: OpaquePointer) -> (name: String, lines: UInt32)
    /// `gpiod_chip_get_line`.
    func line(_ chip: OpaquePointer, offset: UInt32) -> Result<OpaquePointer, Errno>
    /// `gpiod_line_request` for both edges with `flags` (GPIOD_LINE_REQUEST_FLAG_*).
    func requestBothEdges(_ line: OpaquePointer, consumer: String, flags: Int32) -> Errno?
    /// `gpiod_line_consumer`: who holds the line, if anyone said.
    func consumer(_ line: OpaquePointer) -> String?
    /// `gpiod_line_event_wait_bulk`: true in `ready[i]` for each line with events; false
    /// from the call when the timeout passed first.
    func wait(_ lines: [OpaquePointer], timeoutNanoseconds: UInt64, ready: inout [Bool]) -> Result<Bool, Errno>
    /// `gpiod_line_event_read_multiple` into `events` (at most 16): how many were read.
    func readEvents(_ line: OpaquePointer, into events: inout [RawLineEvent]) -> Result<Int, Errno>
    /// `gpiod_line_get_value`: the logical level, 0 or 1.
    func value(_ line: OpaquePointer) -> Result<Int32, Errno>
    /// `gpiod_line_release`.
    func release(_ line: OpaquePointer)
    /// `gpiod_chip_close`.
    func close(_ chip: OpaquePointer)
    /// `clock_gettime(CLOCK_MONOTONIC)`: the clock the kernel stamps edges with.
    func monotonicNanoseconds() -> UInt64
}

/// An errno value from a failed call.
struct Errno: Error, Equatable {
    var code: Int32
    /// strerror's text.
    var text: String { String(cString: strerror(code)) }
}

/// The real libgpiod 1.6.
struct SystemGPIOD: GPIODCalls {
    /// `gpiod_version_string`.
    static var version: String {
        guard let version = gpiod_version_string() else { return "unknown" }
        return String(cString: version)
    }

    func openChip(_ descriptor: String) -> Result<OpaquePointer, Errno> {
        errno = 0
        guard let chip = gpiod_chip_open_lookup(descriptor) else { return .failure(Errno(code: errno == 0 ? ENOENT : errno)) }
        return .success(chip)
    }

    func chipInfo(_ chip: OpaquePointer) -> (name: String, lines: UInt32) {
        let name = gpiod_chip_name(chip).map { String(cString: $0) } ?? "gpiochip"
        return (name, gpiod_chip_num_lines(chip))
    }

    func line(_ chip: OpaquePointer, offset: UInt32) -> Result<OpaquePointer, Errno> {
        guard let line = gpiod_chip_get_line(chip, offset) else { return .failure(Errno(code: errno)) }
        return .success(line)
    }

    func requestBothEdges(_ line: OpaquePointer, consumer: String, flags: Int32) -> Errno? {
        consumer.withCString { name in
            var config = gpiod_line_request_config(
                consumer: name, request_type: Int32(GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES), flags: flags)
            return gpiod_line_request(line, &config, 0) == 0 ? nil : Errno(code: errno)
        }
    }

    func consumer(_ line: OpaquePointer) -> String? {
        gpiod_line_consumer(line).map { String(cString: $0) }
    }

    func wait(_ lines: [OpaquePointer], timeoutNanoseconds: UInt64, ready: inout [Bool]) -> Result<Bool, Errno> {
        var bulk = gpiod_line_bulk()
        gpiod_line_bulk_init(&bulk)
        for line in lines { gpiod_line_bulk_add(&bulk, line) }
        var readyBulk = gpiod_line_bulk()
        var timeout = timespec(tv_sec: Int(timeoutNanoseconds / 1_000_000_000), tv_nsec: Int(timeoutNanoseconds % 1_000_000_000))
        let result = gpiod_line_event_wait_bulk(&bulk, &timeout, &readyBulk)
        if result < 0 { return .failure(Errno(code: errno)) }
        for i in ready.indices { ready[i] = false }
        guard result > 0 else { return .success(false) }
        let count = Int(gpiod_line_bulk_num_lines(&readyBulk))
        for k in 0 ..< count {
            guard let line = gpiod_line_bulk_get_line(&readyBulk, UInt32(k)),
                  let index = lines.firstIndex(of: line) else { continue }
            ready[index] = true
        }
        return .success(true)
    }

    func readEvents(_ line: OpaquePointer, into events: inout [RawLineEvent]) -> Result<Int, Errno> {
        var buffer = [gpiod_line_event](repeating: gpiod_line_event(), count: GPIOContactLines.kernelEventBuffer)
        let count = gpiod_line_event_read_multiple(line, &buffer, UInt32(buffer.count))
        guard count >= 0 else { return .failure(Errno(code: errno)) }
        events.removeAll(keepingCapacity: true)
        for event in buffer.prefix(Int(count)) {
            let ns = UInt64(max(0, event.ts.tv_sec)) &* 1_000_000_000 &+ UInt64(max(0, event.ts.tv_nsec))
            events.append(RawLineEvent(timestampNanoseconds: ns, rising: event.event_type == Int32(GPIOD_LINE_EVENT_RISING_EDGE)))
        }
        return .success(Int(count))
    }

    func value(_ line: OpaquePointer) -> Result<Int32, Errno> {
        let value = gpiod_line_get_value(line)
        return value < 0 ? .failure(Errno(code: errno)) : .success(value)
    }

    func release(_ line: OpaquePointer) { gpiod_line_release(line) }

    func close(_ chip: OpaquePointer) { gpiod_chip_close(chip) }

    func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }
}
