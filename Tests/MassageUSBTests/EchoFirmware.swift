import Synchronization

/// A device that sends back every byte it receives, in order: for checking the byte
/// path itself (chunking, packets, order) independent of the protocol.
final class EchoFirmware: EmulatedFirmware, @unchecked Sendable {
    private let pending = Mutex<[UInt8]>([])

    override func receive(_ bytes: UnsafeBufferPointer<UInt8>) {
        pending.withLock { $0.append(contentsOf: bytes) }
    }

    override func transmit(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        pending.withLock { pending in
            let count = min(buffer.count, pending.count)
            for index in 0..<count { buffer[index] = pending[index] }
            pending.removeFirst(count)
            return count
        }
    }
}
