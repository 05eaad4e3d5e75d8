import Foundation
import MassageSimulator
import Synchronization
import USBDeviceEmulator

/// The simulated device (the reference firmware core around motor and heater models)
/// behind an emulated USB device: bulk OUT URBs' bytes go to `hostSend`, bulk IN URBs are
/// filled from `hostReceive`. Simulated time follows the wall clock: every URB the
/// handler sees first runs the device up to now.
final class SimulatedFirmware: Sendable {
    private struct Running {
        var device: SimulatedDevice
        var outgoing: [UInt8] = []
        var bytesFromHost = 0
    }
    private let running: Mutex<Running>
    private let start = ContinuousClock.now

    init(profile: SimulatorProfile = .handheldRing4) {
        running = Mutex(Running(device: SimulatedDevice(profile: profile)))
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

    fileprivate func receive(_ bytes: UnsafeBufferPointer<UInt8>) {
        let now = elapsedMicroseconds
        running.withLock { running in
            running.device.run(until: now)
            running.device.hostSend(bytes)
            running.bytesFromHost += bytes.count
        }
    }

    fileprivate func transmit(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let now = elapsedMicroseconds
        return running.withLock { running in
            running.device.run(until: now)
            running.device.hostReceive(into: &running.outgoing)
            let count = min(buffer.count, running.outgoing.count)
            guard count > 0, let base = buffer.baseAddress else { return 0 }
            running.outgoing.withUnsafeBufferPointer { source in
                base.update(from: source.baseAddress!, count: count)
            }
            running.outgoing.removeFirst(count)
            return count
        }
    }

    /// The C callbacks; `context` is this object, kept alive by the ``USBTestbed`` that
    /// holds it for as long as the emulator may call.
    var callbacks: usb_emulator_firmware {
        usb_emulator_firmware(
            context: Unmanaged.passUnretained(self).toOpaque(),
            receive: { context, bytes, count in
                guard let context, let bytes else { return }
                Unmanaged<SimulatedFirmware>.fromOpaque(context).takeUnretainedValue()
                    .receive(UnsafeBufferPointer(start: bytes, count: count))
            },
            transmit: { context, buffer, capacity in
                guard let context, let buffer else { return 0 }
                return Unmanaged<SimulatedFirmware>.fromOpaque(context).takeUnretainedValue()
                    .transmit(into: UnsafeMutableBufferPointer(start: buffer, count: capacity))
            })
    }
}
