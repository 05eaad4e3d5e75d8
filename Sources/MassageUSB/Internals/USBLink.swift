import CLibUSB
import MassageKit

/// The live half of a ``USBTransport``: the libusb context, the open handle, the claimed
/// interface, the transfers and the one event thread that completes them.
///
/// Data path: `inTransferCount` bulk IN transfers stay submitted; each completion appends
/// its bytes to `state.received`, wakes the receivers and resubmits. A send fills the
/// one OUT transfer, submits it, and waits for its completion. Every state change
/// happens with `state`'s lock held and wakes every waiter, so an unplug or a close
/// reaches a blocked receive or send at once.
final class USBLink: @unchecked Sendable {
    // @unchecked: the C pointers below are set in init and never reassigned; the
    // transfers are only touched (submitted, cancelled, read in callbacks) with `state`'s
    // lock held, or after every transfer has come back (in `shutDown`); libusb's handle
    // and context are thread-safe for the calls made on them.

    static let inTransferCount = 4
    /// The protocol's frames fit one full-speed bulk packet; an IN transfer takes one.
    static let inTransferSize = 64
    /// How long a send waits for the device to take the data (the Transport contract's
    /// "about 100 ms").
    static let sendTimeoutMilliseconds: UInt32 = 100
    /// Bulk errors in a row on IN before the link gives up.
    static let maximumConsecutiveErrors = 8
    /// The most bytes kept for a receiver that does not read: beyond it the oldest go
    /// (counted), so a session that stopped reading cannot grow the process without bound.
    /// 64 KB is a thousand frames, seconds of the busiest device's reports.
    static let receivedLimit = 64 * 1024

    struct State {
        var received: [UInt8] = []
        var disconnectReason: String?
        var failure: TransportError?
        var closed = false
        var inFlight = 0
        var consecutiveErrors = 0
        var outBusy = false
        var outOutcome: OutOutcome?
        /// Set by `wakeReceive`, consumed by the receive it ends.
        var wakePending = false
        /// Bytes dropped because nobody read them (see ``receivedLimit``).
        var receivedDropped = 0
    }

    enum OutOutcome {
        case sent(Int)
        case timedOut
        case noDevice
        case stalled
        case failed(String)
    }

    let endpoint: String
    let context: USBContextPointer
    let handle: OpaquePointer
    let device: OpaquePointer
    let interface: BulkInterface
    let state = ConditionLock(State())
    private let inTransfers: [UnsafeMutablePointer<libusb_transfer>]
    private let outTransfer: UnsafeMutablePointer<libusb_transfer>
    private let outBuffer: UnsafeMutablePointer<UInt8>
    private let outCapacity = 4096
    private var hotplugHandle: libusb_hotplug_callback_handle = 0
    private(set) var hotplugFollowed = false
    private var eventThread: USBEventThread?
    private let sendOrder = ConditionLock(false)

    /// Takes over `context` and the opened `handle` (of `device`, referenced); claims the
    /// interface and starts the event thread and the IN transfers. On error everything is
    /// released again.
    init(context: OpaquePointer, opened: USBDeviceSelection.Opened, endpoint: String) throws(TransportError) {
        self.endpoint = endpoint
        self.context = USBContextPointer(raw: context)
        handle = opened.handle
        device = opened.device

        func release() {
            libusb_close(opened.handle)
            libusb_unref_device(opened.device)
            libusb_exit(context)
        }
        guard let found = LibUSB.bulkInterface(of: opened.device) else {
            release()
            throw .unsupported(what: "\(endpoint) has no interface with a bulk IN and a bulk OUT endpoint",
                               hint: "it does not run massage-control firmware; check the device table entry for "
                                   + USBID.pair(opened.vendorID, opened.productID))
        }
        interface = found

        // Linux: a kernel driver bound to the interface is detached on claim and bound
        // again on release. Elsewhere libusb says NOT_SUPPORTED, which is fine.
        _ = libusb_set_auto_detach_kernel_driver(opened.handle, 1)
        let claim = libusb_claim_interface(opened.handle, Int32(found.number))
        guard claim == 0 else {
            release()
            switch claim {
            case LIBUSB_ERROR_BUSY.rawValue:
                throw .busy(what: "\(endpoint) interface \(found.number)",
                            hint: "another program or kernel driver has claimed it; close that program"
                                + " (another massagectl?) and try again")
            case LIBUSB_ERROR_ACCESS.rawValue:
                throw .permissionDenied(path: LibUSB.nodePath(bus: opened.bus, address: opened.address),
                                        hint: TransportError.udevRuleHint)
            case LIBUSB_ERROR_NO_DEVICE.rawValue:
                throw .disconnected(endpoint: endpoint, reason: "it was unplugged while being opened")
            default:
                throw .io(endpoint: endpoint, operation: "claiming interface \(found.number)", detail: LibUSB.describe(claim))
            }
        }

        var transfers: [UnsafeMutablePointer<libusb_transfer>] = []
        for _ in 0..<Self.inTransferCount {
            guard let transfer = libusb_alloc_transfer(0) else { break }
            transfer.pointee.buffer = .allocate(capacity: Self.inTransferSize)
            transfers.append(transfer)
        }
        let out = libusb_alloc_transfer(0)
        guard transfers.count == Self.inTransferCount, let out else {
            for transfer in transfers {
                transfer.pointee.buffer.deallocate()
                libusb_free_transfer(transfer)
            }
            if let out { libusb_free_transfer(out) }
            libusb_release_interface(opened.handle, Int32(found.number))
            release()
            throw .io(endpoint: endpoint, operation: "libusb_alloc_transfer", detail: "out of memory")
        }
        inTransfers = transfers
        outTransfer = out
        outBuffer = .allocate(capacity: outCapacity)

        let me = Unmanaged.passUnretained(self).toOpaque()
        for transfer in inTransfers {
            libusb_fill_bulk_transfer(transfer, handle, interface.inEndpoint, transfer.pointee.buffer,
                                      Int32(Self.inTransferSize), usbLinkInCompleted, me, 0)
        }
        libusb_fill_bulk_transfer(outTransfer, handle, interface.outEndpoint, outBuffer, 0,
                                  usbLinkOutCompleted, me, Self.sendTimeoutMilliseconds)

        eventThread = USBEventThread(context: self.context, name: "libusb events \(endpoint)")
        followHotplug(vendorID: opened.vendorID, productID: opened.productID)

        let failed: Int32? = state.withLock { state in
            for transfer in inTransfers {
                let status = libusb_submit_transfer(transfer)
                if status != 0 { return status }
                state.inFlight += 1
            }
            return nil
        }
        if let failed {
            let error: TransportError = failed == LIBUSB_ERROR_NO_DEVICE.rawValue
                ? .disconnected(endpoint: endpoint, reason: "it was unplugged while being opened")
                : .io(endpoint: endpoint, operation: "submitting bulk IN transfers", detail: LibUSB.describe(failed))
            shutDown()
            throw error
        }
    }

    deinit {
        shutDown()
    }

    /// Registers for "device left" where libusb has hotplug (Linux with udev or netlink).
    /// Without it an unplug still shows, as transfers that end with NO_DEVICE.
    private func followHotplug(vendorID: UInt16, productID: UInt16) {
        guard libusb_has_capability(UInt32(LIBUSB_CAP_HAS_HOTPLUG.rawValue)) != 0 else { return }
        var registered: libusb_hotplug_callback_handle = 0
        let status = libusb_hotplug_register_callback(
            context.raw, Int32(LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT.rawValue), 0,
            Int32(vendorID), Int32(productID), LIBUSB_HOTPLUG_MATCH_ANY, usbLinkHotplug,
            Unmanaged.passUnretained(self).toOpaque(), &registered)
        if status == 0 {
            hotplugHandle = registered
            hotplugFollowed = true
        }
    }

    // MARK: - Event thread side

    fileprivate func inCompleted(_ transfer: UnsafeMutablePointer<libusb_transfer>) {
        state.withLock(signal: true) { state in
            var resubmit = false
            switch transfer.pointee.status {
            case LIBUSB_TRANSFER_COMPLETED:
                let count = Int(transfer.pointee.actual_length)
                if count > 0 {
                    state.received.append(contentsOf: UnsafeBufferPointer(start: transfer.pointee.buffer, count: count))
                    let excess = state.received.count - Self.receivedLimit
                    if excess > 0 {
                        // The oldest go: the decoder resynchronises on the next delimiter.
                        state.received.removeFirst(excess)
                        state.receivedDropped += excess
                    }
                }
                state.consecutiveErrors = 0
                resubmit = true
            case LIBUSB_TRANSFER_NO_DEVICE:
                if state.disconnectReason == nil { state.disconnectReason = "the device was unplugged" }
            case LIBUSB_TRANSFER_CANCELLED:
                break
            case LIBUSB_TRANSFER_TIMED_OUT:
                resubmit = true
            default:  // ERROR, STALL, OVERFLOW: a glitch, unless it keeps happening.
                state.consecutiveErrors += 1
                if state.consecutiveErrors < Self.maximumConsecutiveErrors {
                    resubmit = true
                } else if state.failure == nil {
                    state.failure = .io(endpoint: endpoint, operation: "bulk IN transfer",
                                        detail: "\(state.consecutiveErrors) transfers in a row failed"
                                            + " (\(Self.name(of: transfer.pointee.status))); unplug and replug the device")
                }
            }
            if resubmit && !state.closed && state.disconnectReason == nil && state.failure == nil {
                let status = libusb_submit_transfer(transfer)
                if status == 0 { return }
                if status == LIBUSB_ERROR_NO_DEVICE.rawValue {
                    if state.disconnectReason == nil { state.disconnectReason = "the device was unplugged" }
                } else if state.failure == nil {
                    state.failure = .io(endpoint: endpoint, operation: "resubmitting a bulk IN transfer",
                                        detail: LibUSB.describe(status))
                }
            }
            state.inFlight -= 1
            // The link is over: take the other IN transfers back too.
            if state.closed || state.disconnectReason != nil || state.failure != nil { cancelInTransfers() }
        }
    }

    fileprivate func outCompleted(_ transfer: UnsafeMutablePointer<libusb_transfer>) {
        state.withLock(signal: true) { state in
            state.outBusy = false
            switch transfer.pointee.status {
            case LIBUSB_TRANSFER_COMPLETED:
                state.outOutcome = .sent(Int(transfer.pointee.actual_length))
            case LIBUSB_TRANSFER_TIMED_OUT:
                state.outOutcome = .timedOut
            case LIBUSB_TRANSFER_NO_DEVICE:
                state.outOutcome = .noDevice
                if state.disconnectReason == nil { state.disconnectReason = "the device was unplugged" }
                cancelInTransfers()
            case LIBUSB_TRANSFER_STALL:
                state.outOutcome = .stalled
            case LIBUSB_TRANSFER_CANCELLED:
                state.outOutcome = .failed("cancelled")
            default:
                state.outOutcome = .failed(Self.name(of: transfer.pointee.status))
            }
        }
    }

    fileprivate func deviceLeft(_ leaving: OpaquePointer?) {
        guard leaving == device else { return }
        state.withLock(signal: true) { state in
            if state.disconnectReason == nil { state.disconnectReason = "the device was unplugged" }
            cancelInTransfers()
        }
    }

    /// Call with `state`'s lock held. Cancelling does not call back synchronously; the
    /// transfers come back CANCELLED (or NO_DEVICE) on the event thread.
    private func cancelInTransfers() {
        for transfer in inTransfers { _ = libusb_cancel_transfer(transfer) }
    }

    private static func name(of status: libusb_transfer_status) -> String {
        switch status {
        case LIBUSB_TRANSFER_ERROR: "transfer error"
        case LIBUSB_TRANSFER_STALL: "endpoint stalled"
        case LIBUSB_TRANSFER_OVERFLOW: "the device sent more than asked for"
        case LIBUSB_TRANSFER_TIMED_OUT: "timed out"
        case LIBUSB_TRANSFER_NO_DEVICE: "no device"
        case LIBUSB_TRANSFER_CANCELLED: "cancelled"
        default: "status \(status.rawValue)"
        }
    }

    // MARK: - Caller side

    func receive(timeout: Duration) throws(TransportError) -> [UInt8] {
        let deadline = ContinuousClock.now + max(.zero, timeout)
        let outcome: Result<[UInt8], TransportError>? = state.wait(until: deadline) { state in
            if state.closed { return .failure(.closed(endpoint: endpoint)) }
            // Bytes that arrived before an unplug are real: hand them over first.
            if !state.received.isEmpty {
                defer { state.received.removeAll(keepingCapacity: true) }
                return .success(state.received)
            }
            if let reason = state.disconnectReason { return .failure(.disconnected(endpoint: endpoint, reason: reason)) }
            if let failure = state.failure { return .failure(failure) }
            if state.wakePending {
                state.wakePending = false
                return .success([])
            }
            return nil
        }
        switch outcome {
        case .none: return []
        case .success(let bytes): return bytes
        case .failure(let error): throw error
        }
    }

    /// Ends the waiting (or next) receive at once with nothing. Takes the state lock for
    /// a few instructions; nobody holds it across a wait.
    func wakeReceive() {
        state.withLock(signal: true) { $0.wakePending = true }
    }

    func send(_ bytes: [UInt8]) throws(TransportError) {
        guard !bytes.isEmpty else { return }
        // One OUT transfer at a time: take the turn (bounded: a turn lasts one transfer).
        let turn = sendOrder.wait(until: .now + .seconds(2)) { busy -> Bool? in
            if busy { return nil }
            busy = true
            return true
        }
        guard turn != nil else {
            throw .io(endpoint: endpoint, operation: "bulk OUT transfer", detail: "an earlier send never finished")
        }
        defer { sendOrder.withLock(signal: true) { $0 = false } }

        var offset = 0
        while offset < bytes.count {
            let count = min(outCapacity, bytes.count - offset)
            try sendChunk(bytes, from: offset, count: count)
            offset += count
        }
    }

    private func sendChunk(_ bytes: [UInt8], from offset: Int, count: Int) throws(TransportError) {
        let submitted: Result<Void, TransportError> = state.withLock { state in
            if state.closed { return .failure(.closed(endpoint: endpoint)) }
            if let reason = state.disconnectReason { return .failure(.disconnected(endpoint: endpoint, reason: reason)) }
            if let failure = state.failure { return .failure(failure) }
            // A transfer that never came back may still be reading outBuffer: never
            // rewrite it under libusb (the link is failed once that happens, below).
            if state.outBusy {
                return .failure(.io(endpoint: endpoint, operation: "bulk OUT transfer",
                                    detail: "an earlier transfer is still in flight; unplug and replug the device"))
            }
            for index in 0..<count { outBuffer[index] = bytes[offset + index] }
            outTransfer.pointee.length = Int32(count)
            state.outOutcome = nil
            let status = libusb_submit_transfer(outTransfer)
            switch status {
            case 0:
                state.outBusy = true
                return .success(())
            case LIBUSB_ERROR_NO_DEVICE.rawValue:
                if state.disconnectReason == nil { state.disconnectReason = "the device was unplugged" }
                return .failure(.disconnected(endpoint: endpoint, reason: "the device was unplugged"))
            default:
                return .failure(.io(endpoint: endpoint, operation: "submitting a bulk OUT transfer",
                                    detail: LibUSB.describe(status)))
            }
        }
        if case .failure(let error) = submitted { throw error }

        // libusb times the transfer out after 100 ms; the bound here only guards against
        // an event thread that stopped.
        let outcome = state.wait(until: .now + .seconds(2)) { state -> OutOutcome? in
            state.outBusy ? nil : state.outOutcome
        }
        switch outcome {
        case .sent(let sent) where sent == count:
            return
        case .sent(let sent):
            throw .io(endpoint: endpoint, operation: "bulk OUT transfer", detail: "the device took \(sent) of \(count) bytes")
        case .timedOut:
            throw .io(endpoint: endpoint, operation: "bulk OUT transfer",
                      detail: "the device took no data for \(Self.sendTimeoutMilliseconds) ms; its firmware may be stuck"
                          + " (unplug and replug it)")
        case .noDevice:
            throw .disconnected(endpoint: endpoint, reason: "the device was unplugged")
        case .stalled:
            _ = libusb_clear_halt(handle, interface.outEndpoint)
            throw .io(endpoint: endpoint, operation: "bulk OUT transfer", detail: "the endpoint stalled (cleared; send again)")
        case .failed(let detail):
            if let closed = state.withLock({ $0.closed ? TransportError.closed(endpoint: endpoint) : nil }) { throw closed }
            throw .io(endpoint: endpoint, operation: "bulk OUT transfer", detail: detail)
        case .none:
            // Take the transfer back before anything touches outBuffer again; if even the
            // cancel does not come back, the event thread is stuck: the link is failed for
            // good (every later call throws), and outBusy stays set so nothing rewrites
            // the buffer libusb may still own.
            _ = state.withLock { _ in libusb_cancel_transfer(outTransfer) }
            let returned = state.wait(until: .now + .milliseconds(500)) { state -> Bool? in state.outBusy ? nil : true }
            let error = TransportError.io(endpoint: endpoint, operation: "bulk OUT transfer",
                                          detail: "no completion within 2 s" + (returned == nil
                                              ? " and none after cancelling; unplug and replug the device" : ""))
            if returned == nil {
                state.withLock(signal: true) { state in
                    if state.failure == nil { state.failure = error }
                    cancelInTransfers()
                }
            }
            throw error
        }
    }

    /// Ends the link: wakes every waiter (they see `.closed`), takes every transfer back,
    /// stops the event thread, releases the interface and frees everything. Idempotent.
    func close() {
        let first = state.withLock(signal: true) { state -> Bool in
            guard !state.closed else { return false }
            state.closed = true
            cancelInTransfers()
            if state.outBusy { _ = libusb_cancel_transfer(outTransfer) }
            return true
        }
        if first { shutDown() }
    }

    private var shutDownDone = false

    private func shutDown() {
        guard !shutDownDone else { return }
        shutDownDone = true
        state.withLock(signal: true) { state in
            state.closed = true
            cancelInTransfers()
            if state.outBusy { _ = libusb_cancel_transfer(outTransfer) }
        }
        // The event thread still runs: it brings the cancelled transfers back. An unplugged
        // device answers cancels at once; a live one within a few milliseconds.
        let drained = state.wait(until: .now + .seconds(2)) { state -> Bool? in
            state.inFlight == 0 && !state.outBusy ? true : nil
        } ?? false
        if hotplugFollowed { libusb_hotplug_deregister_callback(context.raw, hotplugHandle) }
        eventThread?.stop()
        eventThread = nil
        libusb_release_interface(handle, Int32(interface.number))
        if drained {
            for transfer in inTransfers {
                transfer.pointee.buffer.deallocate()
                libusb_free_transfer(transfer)
            }
            libusb_free_transfer(outTransfer)
            outBuffer.deallocate()
            libusb_close(handle)
            libusb_unref_device(device)
            libusb_exit(context.raw)
        }
        // Not drained: libusb still owns transfers; freeing them (or the handle) could be
        // written to later. Leak them rather than risk it; this needs a device that
        // ignores cancellation for 2 s.
    }
}

// libusb calls these on the event thread; user_data is the link, which outlives every
// transfer and the hotplug registration (shutDown waits for both).

private func usbLinkInCompleted(_ transfer: UnsafeMutablePointer<libusb_transfer>?) {
    guard let transfer, let link = transfer.pointee.user_data else { return }
    Unmanaged<USBLink>.fromOpaque(link).takeUnretainedValue().inCompleted(transfer)
}

private func usbLinkOutCompleted(_ transfer: UnsafeMutablePointer<libusb_transfer>?) {
    guard let transfer, let link = transfer.pointee.user_data else { return }
    Unmanaged<USBLink>.fromOpaque(link).takeUnretainedValue().outCompleted(transfer)
}

private func usbLinkHotplug(_ context: OpaquePointer?, _ device: OpaquePointer?, _ event: libusb_hotplug_event,
                            _ userData: UnsafeMutableRawPointer?) -> Int32 {
    guard let userData, event == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT else { return 0 }
    Unmanaged<USBLink>.fromOpaque(userData).takeUnretainedValue().deviceLeft(device)
    return 0
}
