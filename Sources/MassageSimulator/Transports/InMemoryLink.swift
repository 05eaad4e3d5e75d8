import Synchronization

/// A connected pair of in-process byte queues: ``host`` for a host in the same process
/// (or a test), ``device`` for the simulator. Bytes written at one end are read, in
/// order, at the other; both ends are thread-safe.
///
/// The link starts connected (the device end's first ``DevicePort/poll()`` reports
/// ``PortEvent/connected(_:)``) and cannot be reattached: after `disconnect()` at either
/// end, make a new link.
///
/// - At the host end, after the device end disconnects, reads return what was already
///   queued and then throw ``PortError/disconnected(port:reason:)``; writes throw it.
/// - At the device end, after the host disconnects, ``DeviceEnd/isConnected`` is false,
///   ``DeviceEnd/poll()`` reports ``PortEvent/disconnected(_:)``, reads return what was
///   already queued and then 0, and writes are discarded, as for every ``DevicePort``.
/// - Each direction holds at most `capacity` bytes. A host write that would go beyond
///   it throws ``PortError/bufferFull(port:capacity:)`` and queues nothing; device
///   writes beyond it are dropped at once (no waiting: an in-process host may be the
///   very thread that is writing) and counted in ``DeviceEnd/droppedByteCount``.
public struct InMemoryLink: Sendable {
    public static let defaultCapacity = 1 << 20

    /// The end a host process (or a test) uses.
    public let host: HostEnd
    /// The end the simulator polls.
    public let device: DeviceEnd

    public init(capacity: Int = InMemoryLink.defaultCapacity, name: String = "in-memory link") {
        let core = Core(capacity: max(1, capacity), name: name)
        host = HostEnd(core: core)
        device = DeviceEnd(core: core)
    }

    final class Core: Sendable {
        struct State {
            var toHost: [UInt8] = []
            var toDevice: [UInt8] = []
            var hostAttached = true
            var deviceOpen = true
            var deviceStalled = false
            /// Set by the host end's `wakeReceive`, consumed by the read it ends.
            var hostWakePending = false
            var deviceEvents = PortEventQueue()
        }

        let state: Mutex<State>
        /// Signalled whenever something the host end may be waiting for changes.
        let hostWake = WakeSignal()
        let dropped = Atomic<Int>(0)
        let capacity: Int
        let name: String

        init(capacity: Int, name: String) {
            var initial = State()
            initial.deviceEvents.append(.connected("in-memory host of \(name)"))
            state = Mutex(initial)
            self.capacity = capacity
            self.name = name
        }
    }

    /// The host's end: blocking reads with a timeout, and writes.
    public final class HostEnd: Sendable {
        let core: Core

        init(core: Core) { self.core = core }

        /// "host end of in-memory link".
        public var name: String { "host end of \(core.name)" }

        /// Both ends are still attached.
        public var isConnected: Bool {
            core.state.withLock { $0.hostAttached && $0.deviceOpen }
        }

        /// Queues `bytes` for the device, all or nothing.
        public func write(_ bytes: UnsafeRawBufferPointer) throws(PortError) {
            let name = self.name
            let capacity = core.capacity
            try core.state.withLock { (state) throws(PortError) in
                guard state.hostAttached else { throw .closed(port: name) }
                guard state.deviceOpen else {
                    throw .disconnected(port: name, reason: "the device end disconnected")
                }
                guard state.toDevice.count + bytes.count <= capacity else {
                    throw .bufferFull(port: name, capacity: capacity)
                }
                state.toDevice.append(contentsOf: bytes)
            }
        }

        /// Queues `bytes` for the device, all or nothing.
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

        /// Everything the device has written and this end has not read yet, waiting up to
        /// `timeout` for at least one byte; empty when the time ran out. Throws
        /// ``PortError/disconnected(port:reason:)`` once the device end is gone and
        /// nothing is left, ``PortError/closed(port:)`` after this end's `disconnect()`.
        public func read(timeout: Duration) throws(PortError) -> [UInt8] {
            let deadline = ContinuousClock.now + timeout
            let name = self.name
            while true {
                let seen = core.hostWake.generation
                let outcome: Result<[UInt8], PortError>? = core.state.withLock { state in
                    guard state.hostAttached else { return .failure(.closed(port: name)) }
                    if !state.toHost.isEmpty {
                        var bytes: [UInt8] = []
                        swap(&bytes, &state.toHost)
                        return .success(bytes)
                    }
                    guard state.deviceOpen else {
                        return .failure(.disconnected(port: name, reason: "the device end disconnected"))
                    }
                    if state.hostWakePending {
                        state.hostWakePending = false
                        return .success([])
                    }
                    return nil
                }
                if let outcome { return try outcome.get() }
                if ContinuousClock.now >= deadline { return [] }
                core.hostWake.wait(whileGenerationIs: seen, until: deadline)
            }
        }

        /// Ends the waiting (or next) `read` at once with nothing.
        public func wakeRead() {
            core.state.withLock { $0.hostWakePending = true }
            core.hostWake.signal()
        }

        /// Detaches the host: the device end sees ``PortEvent/disconnected(_:)``. Reads
        /// and writes here throw ``PortError/closed(port:)`` afterwards. Idempotent.
        public func disconnect() {
            core.state.withLock { state in
                guard state.hostAttached else { return }
                state.hostAttached = false
                if state.deviceOpen {
                    state.deviceEvents.append(.disconnected("the in-memory host disconnected"))
                }
            }
            core.hostWake.signal()
        }
    }

    /// The simulator's end.
    public final class DeviceEnd: DevicePort {
        let core: Core

        init(core: Core) { self.core = core }

        public var name: String { "device end of \(core.name)" }

        public var isConnected: Bool {
            core.state.withLock { $0.hostAttached && $0.deviceOpen }
        }

        public var droppedByteCount: Int { core.dropped.load(ordering: .relaxed) }

        public func readAvailable(into buffer: inout [UInt8]) throws(PortError) -> Int {
            let name = self.name
            return try core.state.withLock { (state) throws(PortError) -> Int in
                guard state.deviceOpen else { throw .closed(port: name) }
                let count = min(state.toDevice.count, readLimitPerCall)
                guard count > 0 else { return 0 }
                if count == state.toDevice.count {
                    buffer.append(contentsOf: state.toDevice)
                    state.toDevice.removeAll(keepingCapacity: true)
                } else {
                    buffer.append(contentsOf: state.toDevice[..<count])
                    state.toDevice.removeFirst(count)
                }
                return count
            }
        }

        public func write(_ bytes: UnsafeRawBufferPointer) throws(PortError) {
            let name = self.name
            let capacity = core.capacity
            let dropped = try core.state.withLock { (state) throws(PortError) -> Int in
                guard state.deviceOpen else { throw .closed(port: name) }
                guard state.hostAttached else { return 0 }
                let accepted = min(bytes.count, max(0, capacity - state.toHost.count))
                state.toHost.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[..<accepted]))
                let dropped = bytes.count - accepted
                if dropped > 0 {
                    if !state.deviceStalled {
                        state.deviceStalled = true
                        state.deviceEvents.append(.stalled(
                            "the in-memory host has \(capacity) bytes unread; dropping output until it reads"
                        ))
                    }
                } else {
                    state.deviceStalled = false
                }
                return dropped
            }
            if dropped > 0 { core.dropped.add(dropped, ordering: .relaxed) }
            if dropped < bytes.count { core.hostWake.signal() }
        }

        public func poll() -> PortEvent? {
            core.state.withLock { $0.deviceEvents.pop() }
        }

        /// Same as ``close()``.
        public func disconnect() { close() }

        /// Detaches the device: the host end's reads return what is queued and then
        /// throw ``PortError/disconnected(port:reason:)``. Idempotent.
        public func close() {
            core.state.withLock { $0.deviceOpen = false }
            core.hostWake.signal()
        }
    }
}
