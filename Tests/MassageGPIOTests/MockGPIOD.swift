@testable import MassageGPIO
import MassageKit

/// A stand-in for libgpiod and the kernel behind it: one chip, lines whose events and
/// levels the test sets, and errno values to fail with.
final class MockGPIOD: GPIODCalls {
    var chipName = "gpiochip0"
    var lineCount: UInt32 = 32
    /// Fails `openChip` with this errno.
    var openFailure: Int32?
    /// Fails the request of these offsets with these errno values.
    var requestFailures: [UInt32: Int32] = [:]
    /// Who holds a line, for EBUSY.
    var consumers: [UInt32: String] = [:]
    /// Events waiting in each line's kernel buffer.
    var queued: [UInt32: [RawLineEvent]] = [:]
    /// Each line's logical level.
    var levels: [UInt32: Int32] = [:]
    /// Lines whose level cannot be read, with this errno.
    var valueFailures: [UInt32: Int32] = [:]
    var clock: UInt64 = 1_000_000_000
    private(set) var released: [UInt32] = []
    private(set) var closed = false
    private(set) var requestedFlags: [UInt32: Int32] = [:]

    // Real (tiny) allocations stand for the chip and line handles; only their addresses count.
    private let chipHandle = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)
    private var lineHandles: [UInt32: UnsafeMutableRawPointer] = [:]

    deinit {
        chipHandle.deallocate()
        for handle in lineHandles.values { handle.deallocate() }
    }

    func offset(of line: OpaquePointer) -> UInt32 {
        lineHandles.first { OpaquePointer($0.value) == line }?.key ?? .max
    }

    func openChip(_ descriptor: String) -> Result<OpaquePointer, Errno> {
        if let code = openFailure { return .failure(Errno(code: code)) }
        return .success(OpaquePointer(chipHandle))
    }

    func chipInfo(_ chip: OpaquePointer) -> (name: String, lines: UInt32) { (chipName, lineCount) }

    func line(_ chip: OpaquePointer, offset: UInt32) -> Result<OpaquePointer, Errno> {
        if lineHandles[offset] == nil { lineHandles[offset] = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1) }
        return .success(OpaquePointer(lineHandles[offset]!))
    }

    func requestBothEdges(_ line: OpaquePointer, consumer: String, flags: Int32) -> Errno? {
        let offset = offset(of: line)
        if let code = requestFailures[offset] { return Errno(code: code) }
        requestedFlags[offset] = flags
        return nil
    }

    func consumer(_ line: OpaquePointer) -> String? { consumers[offset(of: line)] }

    func wait(_ lines: [OpaquePointer], timeoutNanoseconds: UInt64, ready: inout [Bool]) -> Result<Bool, Errno> {
        var any = false
        for (i, line) in lines.enumerated() {
            ready[i] = !(queued[offset(of: line)] ?? []).isEmpty
            any = any || ready[i]
        }
        if !any { clock += timeoutNanoseconds }
        return .success(any)
    }

    func readEvents(_ line: OpaquePointer, into events: inout [RawLineEvent]) -> Result<Int, Errno> {
        let offset = offset(of: line)
        let waiting = queued[offset] ?? []
        let taken = Array(waiting.prefix(16))
        queued[offset] = Array(waiting.dropFirst(taken.count))
        events = taken
        return .success(taken.count)
    }

    func value(_ line: OpaquePointer) -> Result<Int32, Errno> {
        if let code = valueFailures[offset(of: line)] { return .failure(Errno(code: code)) }
        return .success(levels[offset(of: line)] ?? 0)
    }

    func release(_ line: OpaquePointer) { released.append(offset(of: line)) }

    func close(_ chip: OpaquePointer) { closed = true }

    func monotonicNanoseconds() -> UInt64 { clock }
}
