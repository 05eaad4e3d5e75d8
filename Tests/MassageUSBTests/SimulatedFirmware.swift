import Foundation
import MassageSimulator
import Synchronization

/// The simulated device (the reference firmware core around motor and heater models)
/// behind an emulated USB device: bulk OUT URBs' bytes go to `hostSend`, bulk IN URBs are
/// filled from `hostReceive`. Simulated time follows the wall clock: every URB the
/// handler sees first runs the device up to now.
final class SimulatedFirmware: EmulatedFirmware, @unchecked Sendable {
    private struct Running {
        var device: SimulatedDevice
        var outgoing: [UInt8] = []
        var bytesFromHost = 0
    }
    private let running: Mutex<Running>
    private let start = ContinuousClock.now

    init(profile: SimulatorProfile = .handheldRing4) {
        running = Mutex(Running(device: SimulatedDevice(profile: profile)))
        super.init()
    }

    private var elapsedMicroseconds: UInt64 {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return UInt64(max(0, seconds)) * 1_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000_000)
    }

    /// Runs the device up to now and returns what `read` makes of it.
    func withDevice<Result>(_ read: (SimulatedDevice) -> Result) -> Result {
        let now = elapsedMicroseconds
        return running.withLock { running in
            running.device.run(until: now)
            return read(running.device)
        }
    }

    var bytesFromHost: Int { running.withLock { $0.bytesFromHost } }

    override func receive(_ bytes: UnsafeBufferPointer<UInt8>) {
        let now = elapsedMicroseconds
        running.withLock { running in
            running.device.run(until: now)
            running.device.hostSend(bytes)
            running.bytesFromHost += bytes.count
        }
    }

    override func transmit(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let now = elapsedMicroseconds
        return running.withLock { running in
            running.device.run(until: now)
            running.device.hostReceive(into: &running.outgoing)
            let count = min(buffer.count, running.outgoing.count)
            for index in 0..<count { buffer[index] = running.outgoing[index] }
            running.outgoing.removeFirst(count)
            return count
        }
    }
}
