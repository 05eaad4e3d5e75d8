import MassageFirmware
import MassageSimulator
import MassageWire

/// A scripted host in front of a `SimulatedDevice` on the virtual clock: sends frames,
/// decodes what comes back.
struct SimulatedHost {
    var device: SimulatedDevice
    var decoder = FrameDecoder()
    var sequence: UInt8 = 0
    var received: [Frame] = []
    var inbox: [UInt8] = []

    init(_ device: SimulatedDevice) { self.device = device }

    mutating func send(_ message: Message) {
        device.hostSend(Frame(sequence: sequence, message: message).encoded())
        sequence &+= 1
    }

    mutating func setOutputs(_ intensities: [UInt16], heater: UInt16 = 0, lease: UInt16 = 500) {
        send(.setOutputs(SetOutputs(leaseMilliseconds: lease, heaterSetpoint: heater,
                                    intensities: Intensities(intensities) ?? Intensities())))
    }

    /// Runs to `time`, calling `every` each `period` µs (from the current time on).
    mutating func run(until time: UInt64, period: UInt64 = 100_000, every: (inout SimulatedHost) -> Void = { _ in }) {
        var next = device.now
        while device.now < time {
            if device.now >= next {
                every(&self)
                next += period
            }
            device.run(until: min(time, next))
            collect()
        }
    }

    mutating func collect() {
        inbox.removeAll(keepingCapacity: true)
        device.hostReceive(into: &inbox)
        var frames: [Frame] = []
        decoder.feed(inbox) { event in
            if case .frame(let frame) = event { frames.append(frame) }
        }
        received += frames
    }

    var faultReports: [FaultReport] {
        received.compactMap { frame in
            if case .fault(let report) = frame.message { return report }
            return nil
        }
    }
}
