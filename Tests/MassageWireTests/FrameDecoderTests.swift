import MassageWire
import PropertyBased
import Testing

@Suite struct FrameDecoderTests {
    @Test func anyBytesInAnyChunkingGiveTheSameValidEvents() async {
        // Zeros are common in real garbage and split streams into many short frames.
        let bytes = Gen.frequency((1, Gen.uint8(in: 0...0)), (6, Gen.uint8())).array(of: 0...400)
        let chunks = Gen.int(in: 1...70).array(of: 1...8)
        await propertyCheck(count: 1000, input: bytes, chunks) { bytes, chunks in
            let (whole, decoder) = decodeAll(bytes)
            let (chunked, _) = decodeAll(bytes, chunkSizes: chunks)
            #expect(whole == chunked)
            var errors = 0
            for event in whole {
                switch event {
                case .error: errors += 1
                case .frame(let frame):
                    // A frame yielded from garbage is still a valid frame: it survives
                    // re-encoding unchanged.
                    #expect(decodeAll(Array(frame.encoded())).events == [.frame(frame)])
                }
            }
            #expect(decoder.framesBad == errors)
            #expect(decoder.framesDecoded == whole.count - errors)
        }
    }

    @Test func aFrameAfterGarbageIsAlwaysRecovered() async {
        let garbage = Gen.frequency((1, Gen.uint8(in: 0...0)), (8, Gen.uint8())).array(of: 0...300)
        await propertyCheck(count: 1000, input: garbage, Gen.uint8().array(of: 0...80)) { garbage, entropy in
            var source = Entropy(entropy)
            let frame = source.frame()
            let (events, _) = decodeAll(garbage + Array(frame.encoded()))
            #expect(events.last == .frame(frame))
        }
    }

    @Test func overflowKeepsTheNewestBytes() {
        let frame = Frame(sequence: 9, message: .heartbeat)
        let garbage = [UInt8](repeating: 0x41, count: 200)
        let (events, decoder) = decodeAll(garbage + Array(frame.encoded()))
        #expect(events == [.error(.tooLong), .frame(frame)])
        #expect(decoder.framesBad == 1)
    }

    @Test func errorsCarryTheHeaderWhenTheCRCHeld() {
        let unknown = wire(type: 0x42, sequence: 3, payload: [])
        let version = wire(version: 2, type: 0x04, sequence: 4, payload: [])
        let malformed = wire(type: 0x01, sequence: 5, payload: [1, 2, 3])
        let (events, _) = decodeAll(unknown + version + malformed)
        #expect(events == [
            .error(.unknownType(FrameHeader(version: 1, type: 0x42, sequence: 3))),
            .error(.unsupportedVersion(FrameHeader(version: 2, type: 0x04, sequence: 4))),
            .error(.malformedPayload(FrameHeader(version: 1, type: 0x01, sequence: 5))),
        ])
        let reasons: [NakReason?] = events.map { event -> NakReason? in
            if case .error(let error) = event { return error.nakReason }
            return nil
        }
        #expect(reasons == [.unknownType, .unsupportedVersion, .malformed])
    }

    @Test func everyFlippedBitIsCaught() {
        let wireBytes = Array(Frame(sequence: 1, message: .setOutputs(SetOutputs(
            leaseMilliseconds: 200, heaterSetpoint: 380,
            intensities: FixedList<16, UInt16>([0, 125, 250, 375, 500, 625, 750, 1000])!))).encoded())
        for byte in 0..<(wireBytes.count - 1) {
            for bit in 0..<8 {
                var corrupted = wireBytes
                corrupted[byte] ^= 1 << bit
                let (events, _) = decodeAll(corrupted)
                #expect(!events.contains { if case .frame = $0 { true } else { false } }, "byte \(byte) bit \(bit)")
                #expect(!events.isEmpty, "a corrupted frame is counted, byte \(byte) bit \(bit)")
            }
        }
    }
}
