import CUmockdev
import Glibc
import Synchronization

/// An emulated GPIO chip under umockdev: `/dev/gpiochip0` with `lineCount` lines, whose
/// v1 character-device ioctls (GPIO_GET_CHIPINFO, GPIO_GET_LINEINFO, GPIO_GET_LINEEVENT)
/// are answered here, so the real libgpiod 1.6 runs against it.
///
/// A line's event request is answered with the read end of a pipe as the event fd; the
/// test writes `struct gpioevent_data` records (u64 timestamp ns, u32 id) into the other
/// end, and libgpiod polls and reads them as it would the kernel's. What this cannot
/// emulate: GPIOHANDLE_GET_LINE_VALUES on that fd (a pipe is not a umockdev device, so the
/// ioctl fails with ENOTTY and levels read as unknown), and the kernel's 16-event limit
/// (a pipe holds more; libgpiod still reads at most 16 at once, which is what the
/// adapter's overflow inference looks at). Permission errors cannot be provoked either:
/// the tests run as root here, and umockdev does not fake EACCES; the `GPIODCalls` seam
/// covers those.
///
/// Needs the preload library: run under `umockdev-wrapper`. Elsewhere `isAvailable` is
/// false and the suite skips, saying why.
final class GPIOChipTestbed {
    // GPIO v1 ioctl numbers and struct sizes from <linux/gpio.h> (checked against the C
    // header: _IOR(0xB4, 1, 68), _IOWR(0xB4, 2, 72), _IOWR(0xB4, 4, 48)).
    static let chipInfoRequest: UInt = 0x8044_B401
    static let lineInfoRequest: UInt = 0xC048_B402
    static let lineEventRequest: UInt = 0xC030_B404

    /// What the emulated chip was asked, and its settings; shared with umockdev's thread.
    final class State: Sendable {
        struct Request: Equatable {
            var offset: UInt32
            var handleFlags: UInt32
            var eventFlags: UInt32
            var consumer: String
        }
        struct Inner {
            var lineCount: UInt32 = 8
            var busy: [UInt32: String] = [:]
            var writeEnds: [UInt32: Int32] = [:]
            var requests: [Request] = []
        }
        let inner = Mutex(Inner())
    }

    static var isAvailable: Bool { unavailableReason == nil }
    static var unavailableReason: String? {
        guard let preload = getenv("LD_PRELOAD").map({ String(cString: $0) }), preload.contains("umockdev-preload") else {
            return "needs umockdev's preload library: run under umockdev-wrapper (swift test under it, filtered to MassageGPIOTests)"
        }
        return nil
    }

    let state = State()
    private let testbed: UnsafeMutablePointer<UMockdevTestbed>
    private let handler: UnsafeMutablePointer<UMockdevIoctlBase>
    private let userData: UnsafeMutableRawPointer

    enum SetupError: Error { case umockdev(String) }

    init(lineCount: UInt32 = 8, busy: [UInt32: String] = [:]) throws {
        state.inner.withLock {
            $0.lineCount = lineCount
            $0.busy = busy
        }
        testbed = umockdev_testbed_new()
        var error: UnsafeMutablePointer<GError>? = nil
        let record = "P: /devices/gpiochip0\nN: gpiochip0\nE: SUBSYSTEM=gpio\nE: DEVNAME=/dev/gpiochip0\nA: dev=254:0\n"
        guard umockdev_testbed_add_from_string(testbed, record, &error) != 0 else {
            throw SetupError.umockdev(Self.message(error))
        }
        // libgpiod compares this file, less its last character (the kernel's newline),
        // with the node's major:minor.
        umockdev_testbed_set_attribute(testbed, "/sys/devices/gpiochip0", "dev", "254:0\n")
        guard let object = g_object_new_with_properties(umockdev_ioctl_base_get_type(), 0, nil, nil) else {
            throw SetupError.umockdev("cannot create the ioctl handler")
        }
        handler = UnsafeMutableRawPointer(object).assumingMemoryBound(to: UMockdevIoctlBase.self)
        userData = Unmanaged.passRetained(state).toOpaque()
        g_signal_connect_data(handler, "handle-ioctl", unsafeBitCast(handleIoctl, to: GCallback.self), userData, nil, GConnectFlags(0))
        guard umockdev_testbed_attach_ioctl(testbed, "/dev/gpiochip0", handler, &error) != 0 else {
            throw SetupError.umockdev(Self.message(error))
        }
    }

    deinit {
        var error: UnsafeMutablePointer<GError>? = nil
        _ = umockdev_testbed_detach_ioctl(testbed, "/dev/gpiochip0", &error)
        g_object_unref(handler)
        g_object_unref(testbed)
        state.inner.withLock { inner in for fd in inner.writeEnds.values { Glibc.close(fd) } }
        Unmanaged<State>.fromOpaque(userData).release()
    }

    /// Puts edges into line `offset`'s event fd, as the kernel would: (timestamp ns, rising).
    func push(line offset: UInt32, _ edges: [(UInt64, Bool)]) {
        guard let fd = state.inner.withLock({ $0.writeEnds[offset] }) else { return }
        for (timestamp, rising) in edges {
            var record = (timestamp, UInt32(rising ? 1 : 2), UInt32(0))   // struct gpioevent_data
            _ = withUnsafeBytes(of: &record) { write(fd, $0.baseAddress, 16) }
        }
    }

    var requests: [State.Request] { state.inner.withLock { $0.requests } }

    static func message(_ error: UnsafeMutablePointer<GError>?) -> String {
        error.flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "unknown umockdev error"
    }
}

/// Answers the chip's ioctls (called on umockdev's thread).
private let handleIoctl: @convention(c) (
    UnsafeMutablePointer<UMockdevIoctlBase>?, UnsafeMutablePointer<UMockdevIoctlClient>?, gpointer?
) -> gboolean = { _, client, userData in
    guard let client, let userData else { return 0 }
    let state = Unmanaged<GPIOChipTestbed.State>.fromOpaque(userData).takeUnretainedValue()
    let request = UInt(umockdev_ioctl_client_get_request(client))
    let argument = umockdev_ioctl_client_get_arg(client)

    /// The ioctl's struct (`size` bytes behind the argument pointer), or nil.
    func resolve(_ size: Int) -> UnsafeMutablePointer<UMockdevIoctlData>? {
        var error: UnsafeMutablePointer<GError>? = nil
        return umockdev_ioctl_data_resolve(argument, 0, gsize(size), &error)
    }
    func fail(_ code: Int32) -> gboolean {
        umockdev_ioctl_client_complete(client, -1, code)
        return 1
    }
    func text(_ string: String, at offset: Int, in data: UnsafeMutableRawPointer) {
        let bytes = Array(string.utf8.prefix(31)) + [0]
        data.advanced(by: offset).copyMemory(from: bytes, byteCount: bytes.count)
    }

    switch request {
    case GPIOChipTestbed.chipInfoRequest:
        // struct gpiochip_info { char name[32]; char label[32]; __u32 lines; }
        guard let resolved = resolve(68), let data = resolved.pointee.data.map(UnsafeMutableRawPointer.init) else { return fail(EFAULT) }
        text("gpiochip0", at: 0, in: data)
        text("massage-mat-sim", at: 32, in: data)
        data.storeBytes(of: state.inner.withLock { $0.lineCount }, toByteOffset: 64, as: UInt32.self)
        umockdev_ioctl_client_complete(client, 0, 0)
        umockdev_ioctl_data_unref(resolved)
        return 1

    case GPIOChipTestbed.lineInfoRequest:
        // struct gpioline_info { __u32 line_offset; __u32 flags; char name[32]; char consumer[32]; }
        guard let resolved = resolve(72), let data = resolved.pointee.data.map(UnsafeMutableRawPointer.init) else { return fail(EFAULT) }
        let offset = data.load(as: UInt32.self)
        let (lineCount, holder) = state.inner.withLock { ($0.lineCount, $0.busy[offset]) }
        guard offset < lineCount else { umockdev_ioctl_data_unref(resolved); return fail(EINVAL) }
        data.storeBytes(of: holder == nil ? 0 : 1, toByteOffset: 4, as: UInt32.self)   // GPIOLINE_FLAG_KERNEL
        text("MAT\(offset)", at: 8, in: data)
        text(holder ?? "", at: 40, in: data)
        umockdev_ioctl_client_complete(client, 0, 0)
        umockdev_ioctl_data_unref(resolved)
        return 1

    case GPIOChipTestbed.lineEventRequest:
        // struct gpioevent_request { __u32 lineoffset, handleflags, eventflags; char consumer_label[32]; int fd; }
        guard let resolved = resolve(48), let data = resolved.pointee.data.map(UnsafeMutableRawPointer.init) else { return fail(EFAULT) }
        defer { umockdev_ioctl_data_unref(resolved) }
        let offset = data.load(as: UInt32.self)
        let consumer = String(cString: data.advanced(by: 12).assumingMemoryBound(to: CChar.self))
        let logged = GPIOChipTestbed.State.Request(
            offset: offset, handleFlags: data.load(fromByteOffset: 4, as: UInt32.self),
            eventFlags: data.load(fromByteOffset: 8, as: UInt32.self), consumer: consumer)
        let (lineCount, holder) = state.inner.withLock { ($0.lineCount, $0.busy[offset]) }
        guard offset < lineCount else { return fail(EINVAL) }
        guard holder == nil else { return fail(EBUSY) }
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return fail(errno) }
        state.inner.withLock {
            $0.writeEnds[offset] = ends[1]
            $0.requests.append(logged)
        }
        // The event fd libgpiod will poll and read: this process's pipe (the handler runs
        // in the test process, so the number is valid for the caller).
        data.storeBytes(of: ends[0], toByteOffset: 44, as: Int32.self)
        umockdev_ioctl_client_complete(client, 0, 0)
        return 1

    default:
        return fail(ENOTTY)
    }
}
