#if canImport(Glibc)
import MassageKit
import Glibc
#endif
import MassageFirmware
import MassageWire
import Synchronization

/// Runs a `SimulatedDevice` in real time behind a `DevicePort` (a UNIX socket, a pty, an
/// in-memory link), so that another process can talk to it as to real hardware.
///
/// One loop on the calling thread wakes at absolute 1 ms deadlines
/// (`clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)`, so no drift), moves the bytes the
/// host sent into the device, steps the device to the present, and writes what the
/// device sent back. It logs connections, sessions, state changes and faults, and once a
/// second while outputs run, what they are.
public final class DeviceServer: Sendable {
    public let port: any DevicePort
    let log: @Sendable (String) -> Void
    let speed: Double
    private let stopRequested = Atomic<Bool>(false)

    /// How the device's clock follows a host in the same process, when it does.
    let pacing: HostPacing?

    /// `speed` scales simulated time against wall time (1 = real time). `pacing` (for a
    /// simulator inside the host's own process) holds the device's clock while the host
    /// is paused, so a stall of the process is not a silent host to the device.
    public init(port: any DevicePort, speed: Double = 1, pacing: HostPacing? = nil, log: @escaping @Sendable (String) -> Void) {
        self.port = port
        self.speed = speed > 0 ? speed : 1
        self.pacing = pacing
        self.log = log
    }

    /// Asks `run` to return at its next wake-up (from any thread or a signal handler's
    /// watcher).
    public func stop() { stopRequested.store(true, ordering: .relaxed) }

    /// Runs `device` until `stop()` or until `duration` µs of simulated time have passed;
    /// returns the device as it ended. Throws when the port fails for good.
    /// `shouldStop` is asked every tick too (a signal flag, say).
    public func run(_ device: SimulatedDevice, duration: UInt64? = nil,
                    shouldStop: () -> Bool = { false }) throws(PortError) -> SimulatedDevice {
        var device = device
        var observer = DeviceObserver()
        var incoming: [UInt8] = []
        var outgoing: [UInt8] = []
        incoming.reserveCapacity(65_536)
        outgoing.reserveCapacity(4096)
        let period: Int64 = 1_000_000   // ns
        let start = Self.monotonicNanoseconds()
        var deadline = start
        var linkWasUp = true
        var wallBefore = start
        var target: Double = 0   // the device's clock, µs
        var hostHeardAt = (wall: start, device: 0.0)

        while !stopRequested.load(ordering: .relaxed) && !shouldStop() {
            while let event = port.poll() { log("\(DeviceObserver.stamp(device.now)) \(event.description)") }
            incoming.removeAll(keepingCapacity: true)
            let heard = try port.readAvailable(into: &incoming) > 0
            if heard { device.hostSend(incoming) }

            let wallNow = Self.monotonicNanoseconds()
            if heard { hostHeardAt = (wallNow, target) }
            let step = Double(wallNow - wallBefore) / 1000 * speed
            wallBefore = wallNow
            if let pacing {
                target = pacing.advance(target, by: step, hostHeardAt: hostHeardAt, wallNow: wallNow)
            } else {
                target += step
            }
            let goal = UInt64(max(0, target))
            device.run(until: duration.map { min($0, goal) } ?? goal)

            outgoing.removeAll(keepingCapacity: true)
            device.hostReceive(into: &outgoing)
            if !outgoing.isEmpty { try port.write(outgoing) }

            if linkWasUp && !device.isLinkUp {
                linkWasUp = false
                log("injected fault: the link is disconnected from now on (the device keeps running)")
            }
            observer.observe(device, log: log)
            if let duration, device.now + device.tick > duration { break }

            deadline += period
            let now = Self.monotonicNanoseconds()
            if deadline < now { deadline = now }   // late: skip, never burst
            Self.sleep(untilMonotonicNanoseconds: deadline)
        }
        return device
    }

    // The package's one monotonic clock and absolute sleep (MassageKit's `Syscalls`).
    static func monotonicNanoseconds() -> Int64 { Int64(Syscalls.monotonicNanoseconds()) }

    static func sleep(untilMonotonicNanoseconds deadline: Int64) {
        Syscalls.sleep(untilMonotonicNanoseconds: UInt64(max(0, deadline)))
    }
}

/// Turns changes in a simulated device into log lines.
struct DeviceObserver {
    var sessionActive = false
    var state: DeviceState? = nil
    var faults = FaultSet()
    var heaterTarget: UInt16 = 0
    var nextOutputsLine: UInt64 = 0

    mutating func observe(_ device: SimulatedDevice, log: (String) -> Void) {
        let core = device.core
        let time = Self.stamp(device.now)
        if core.sessionActive != sessionActive {
            sessionActive = core.sessionActive
            if sessionActive { log("\(time) session started (Hello answered)") }
        }
        if core.faults != faults {
            let latched = FaultSet(rawValue: core.faults.rawValue & ~faults.rawValue)
            if !latched.isEmpty { log("\(time) FAULT latched: \(Self.names(latched)) — outputs off until ClearFault") }
            if core.faults.isEmpty { log("\(time) faults cleared") }
            faults = core.faults
        }
        if core.state != state {
            state = core.state
            log("\(time) state: \(Self.name(core.state))")
        }
        if core.heaterTarget != heaterTarget {
            heaterTarget = core.heaterTarget
            log("\(time) heater target: \(heaterTarget == 0 ? "off" : Self.celsius(Int(heaterTarget)))")
        }
        if core.state == .running && device.now >= nextOutputsLine {
            nextOutputsLine = device.now + 1_000_000
            var motors: [String] = []
            for i in 0..<device.profile.device.actuatorCount { motors.append(String(device.outputs.motorDuties[i])) }
            var line = "\(time) running: motors [\(motors.joined(separator: " "))] ‰"
            if let heater = device.heater {
                line += ", surface \(Self.celsius(Int((heater.surfaceTemperature * 10).rounded()))), heater duty \(device.outputs.heaterDuty) %"
            }
            line += ", dose \(Double(core.doseHundredths) / 100) points"
            log(line)
        }
    }

    static func stamp(_ microseconds: UInt64) -> String {
        let milliseconds = microseconds / 1000
        let seconds = String(milliseconds / 1000)
        let fraction = String(milliseconds % 1000)
        return "[" + String(repeating: " ", count: max(0, 6 - seconds.count)) + seconds + "."
            + String(repeating: "0", count: 3 - fraction.count) + fraction + "]"
    }

    static func celsius(_ tenths: Int) -> String { "\(tenths / 10).\(abs(tenths % 10)) °C" }

    static func name(_ state: DeviceState) -> String {
        switch state {
        case .awaitingHello: "awaiting Hello"
        case .idle: "idle"
        case .running: "running"
        case .faulted: "faulted"
        }
    }

    static func names(_ faults: FaultSet) -> String {
        faults.names.joined(separator: ", ")
    }
}
