/// A byte link from this host to one device: a USB bulk pipe, a serial tty, a UNIX
/// socket to a simulator, or an in-memory link to a simulator in this process.
///
/// A transport moves bytes only; framing, sequence numbers and retries live in
/// ``SessionEngine``. The contract every implementation keeps:
/// - ``send(_:)`` hands over all of `bytes` (one or more whole encoded frames) or throws;
///   it may block briefly (a kernel buffer, a USB transfer being queued) but never waits
///   on the device to read for more than about 100 ms.
/// - ``receive(timeout:)`` returns the bytes that arrived, waiting up to `timeout` for
///   the first one; an empty array means the time ran out. Bytes come in any chunking.
/// - Once the device is gone (unplugged, the socket's peer closed) both throw
///   ``TransportError/disconnected(endpoint:reason:)``; after ``close()`` they throw
///   ``TransportError/closed(endpoint:)``.
/// - `send` and `receive` may be called from different threads at once; ``close()``
///   may come from any thread and wakes a blocked `receive`.
/// - ``wakeReceive()`` may come from any thread, must not block, and makes a waiting
///   `receive` (or the next one, if none is waiting: the wake-up is kept, like an eventfd's
///   count) return at once with what has arrived, possibly nothing. It is how another
///   thread reaches a ``DeviceSession``'s owner thread while it waits for bytes.
public protocol Transport: AnyObject, Sendable {
    /// Where the bytes go, in device-URI form where there is one: "unix:/run/sim.sock",
    /// "usb:1209:0001 (bus 1 device 2)".
    var endpoint: String { get }

    /// Sends all of `bytes` to the device.
    func send(_ bytes: [UInt8]) throws(TransportError)

    /// The bytes that arrived, waiting up to `timeout` for at least one; empty on timeout.
    func receive(timeout: Duration) throws(TransportError) -> [UInt8]

    /// Makes the waiting (or next) `receive` return at once; never blocks.
    func wakeReceive()

    /// Releases the link; idempotent.
    func close()
}
