import Foundation
import MassageKit
import Synchronization

/// A simulated device running in real time on its own thread inside this process: what
/// the `sim` and `sim:PROFILE` device URIs open. Its ``transport`` is the host end of an
/// in-memory link; closing the transport, or ``stop()``, ends the simulator's thread.
public final class LocalSimulator: Sendable {
    public let transport: InMemoryLink.HostEnd
    public let profile: SimulatorProfile
    let server: DeviceServer
    /// How often, and how long, the device's clock waited for this process (see
    /// ``HostPacing``): the machine's pauses, not the device's. Nil when the clock runs
    /// on wall time alone (a conformance run, which goes silent on purpose).
    public let pacing: HostPacing?
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)

    final class Outcome: Sendable {
        let device = Mutex<SimulatedDevice?>(nil)
    }

    /// Starts `profile` (a built-in name; nil = `handheld-ring4`) with `faults`.
    /// `pacing`: hold the device's clock while this process is paused (for a program run,
    /// not for a test of the device's own timing).
    public init(profile name: String? = nil, seed: UInt64 = 1, faults: FaultPlan = FaultPlan(), speed: Double = 1,
                pacing: HostPacing? = nil, log: @escaping @Sendable (String) -> Void = { _ in }) throws(TransportError) {
        self.pacing = pacing
        let wanted = name ?? SimulatorProfile.handheldRing4.name
        guard let profile = SimulatorProfile.named(wanted) else {
            throw .notFound(what: "no simulator profile \"\(wanted)\"",
                            hint: "use one of " + SimulatorProfile.builtIn.map(\.name).joined(separator: ", "))
        }
        self.profile = profile
        let link = InMemoryLink(name: "in-process simulator \(profile.name)")
        transport = link.host
        server = DeviceServer(port: link.device, speed: speed, pacing: pacing, log: log)
        let device = SimulatedDevice(profile: profile, seed: seed, faults: faults)
        let thread = Thread { [server, outcome, done, transport] in
            var ended = try? server.run(device, shouldStop: { !transport.isConnected })
            // The device outlives its host: it runs on, alone, for its watchdog period, so
            // what it ends with is what a real one would do after the host is gone (its
            // watchdog stops outputs a host left running), not a snapshot of the moment
            // the host let go.
            if var device = ended {
                device.run(until: device.now + UInt64(device.core.config.watchdogMilliseconds) * 1000 + 2 * device.tick)
                ended = device
            }
            outcome.device.withLock { $0 = ended }
            link.device.close()
            done.signal()
        }
        thread.name = "simulator \(profile.name)"
        thread.qualityOfService = .userInteractive
        thread.start()
    }

    /// Stops the simulator and returns the device as it ended (its motors, heater and
    /// counters), waiting for its thread.
    @discardableResult
    public func stop() -> SimulatedDevice? {
        server.stop()
        done.wait()
        done.signal()
        return outcome.device.withLock { $0 }
    }
}
