import MassageKit
import MassageWire

/// Raw frames over a transport, for the tests: encode and send, receive and decode.
struct FrameExchange {
    let transport: any Transport
    var decoder = FrameDecoder()
    var sequence: UInt8 = 0
    var frames: [Frame] = []

    init(_ transport: any Transport) { self.transport = transport }

    mutating func send(_ message: Message) throws(TransportError) {
        let frame = Frame(sequence: sequence, message: message).encoded()
        sequence &+= 1
        var bytes: [UInt8] = []
        bytes.reserveCapacity(frame.count)
        for index in 0..<frame.count { bytes.append(frame[index]) }
        try transport.send(bytes)
    }

    /// Receives until a frame satisfies `wanted` or `timeout` passes; nil then.
    mutating func receive(within timeout: Duration, until wanted: (Frame) -> Bool) throws(TransportError) -> Frame? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let bytes = try transport.receive(timeout: min(.milliseconds(50), deadline - ContinuousClock.now))
            var decoded: [Frame] = []
            decoder.feed(bytes) { event in
                if case .frame(let frame) = event { decoded.append(frame) }
            }
            frames += decoded
            if let hit = decoded.first(where: wanted) { return hit }
        }
        return nil
    }
}
