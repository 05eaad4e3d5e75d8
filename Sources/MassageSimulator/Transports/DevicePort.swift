/// The device side of a byte link to a host: what the simulated device's USB CDC or
/// serial interface would be. The simulator's loop (its own thread, about 1 kHz) polls it.
///
/// Contract, shared by every implementation:
/// - ``readAvailable(into:)`` and ``poll()`` never block. Either of them advances the
///   port's connection state (accepting a client, noticing one left), so a loop that
///   calls both every tick sees hosts come and go.
/// - A host leaving is not an error: ``isConnected`` turns false and ``poll()`` reports
///   ``PortEvent/disconnected(_:)``. While no host is attached, reads return 0 and
///   writes are discarded (as on a real device whose USB cable is out); they are not
///   counted in ``droppedByteCount``.
/// - `write` sends everything, retrying partial writes, but waits at most about 100 ms
///   for a host that is not reading. After that it drops what is left, counts it in
///   ``droppedByteCount``, reports ``PortEvent/stalled(_:)`` once, and from then on
///   writes without waiting (dropping what does not fit) until one write goes through
///   whole. A frame cut short this way is a bad frame to the host's decoder, which
///   resynchronises at the next frame delimiter. The port's lock is held meanwhile, so
///   other calls on the same port wait for it too.
/// - Errors are thrown only when the port cannot go on: it was closed, or the system
///   refused something unexpected.
/// - All members are thread-safe; ``close()`` may come from any thread.
public protocol DevicePort: AnyObject, Sendable {
    /// What this port is, for logs: "UNIX socket /run/user/1000/massage-sim.sock".
    var name: String { get }

    /// Whether a host is attached now (as of the last ``poll()`` or read).
    var isConnected: Bool { get }

    /// Bytes written while a host was attached but not reading, and dropped.
    var droppedByteCount: Int { get }

    /// Appends the bytes that are waiting to `buffer` and returns how many; 0 when none.
    /// Never blocks. Reads at most 64 KiB per call, so a flooding host cannot hold
    /// the loop.
    func readAvailable(into buffer: inout [UInt8]) throws(PortError) -> Int

    /// Sends all of `bytes` to the attached host (see the write policy above).
    func write(_ bytes: UnsafeRawBufferPointer) throws(PortError)

    /// The oldest event not yet handed out, or nil (without allocating) when nothing
    /// happened. Call it until it returns nil to see them all.
    func poll() -> PortEvent?

    /// Detaches any host and releases the port's files; idempotent. Afterwards reads and
    /// writes throw ``PortError/closed(port:)``.
    func close()
}

extension DevicePort {
    /// Sends all of `bytes` to the attached host.
    public func write(_ bytes: [UInt8]) throws(PortError) {
        let result: Result<Void, PortError> = bytes.withUnsafeBytes { raw in
            do throws(PortError) {
                try write(raw)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }
}

/// How many bytes one ``DevicePort/readAvailable(into:)`` call takes at most.
let readLimitPerCall = 64 * 1024
