import CLibUSB
import Foundation
import Synchronization

/// The one thread that runs libusb's event handling for a context: it completes every
/// asynchronous transfer and delivers hotplug callbacks. Nothing else calls
/// libusb_handle_events on that context, so callbacks never run on a caller's thread.
final class USBEventThread: Sendable {
    private let context: USBContextPointer
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(context: USBContextPointer, name: String) {
        self.context = context
        // The thread holds this object until its loop ends (in `stop`).
        let thread = Thread { [self] in runLoop() }
        thread.name = name
        thread.qualityOfService = .userInteractive
        thread.start()
    }

    private func runLoop() {
        while !stopping.load(ordering: .acquiring) {
            // 100 ms: libusb_interrupt_event_handler wakes it at once on stop anyway.
            var interval = timeval(tv_sec: 0, tv_usec: 100_000)
            _ = libusb_handle_events_timeout_completed(context.raw, &interval, nil)
        }
        finished.signal()
    }

    /// Stops the loop and waits for the thread to leave libusb.
    func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        libusb_interrupt_event_handler(context.raw)
        finished.wait()
    }
}

/// A libusb context pointer that may cross threads: libusb contexts are thread-safe (its
/// API is documented as callable from any thread), and this wrapper only carries the
/// pointer; the owner (``USBLink`` or a scan) calls libusb_exit once nothing uses it.
struct USBContextPointer: @unchecked Sendable {
    let raw: OpaquePointer
}
