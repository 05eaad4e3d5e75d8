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
        let version = wire(version: 1, type: 0x04, sequence: 4, payload: [])
        let malformed = wire(type: 0x01, sequence: 5, payload: [1, 2, 3])
        let (events, _) = decodeAll(unknown + version + malformed)
        #expect(events == [
            .error(.unknownType(FrameHeader(version: 2, type: 0x42, sequence: 3))),
            .error(.unsupportedVersion(FrameHeader(version: 1, type: 0x04, sequence: 4))),
            .error(.malformedPayload(FrameHeader(version: 2, type: 0x01, sequence: 5))),
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

extension FrameDecoderTests {
    /// What the public building blocks say of one encoded frame (no delimiter, no 0x00):
    /// `COBS.decode`, then `Frame.decode(raw:count:)`.
    static func reference(_ encoded: [UInt8]) -> DecodeEvent {
        var input = EncodedFrameBytes(repeating: 0)
        for (i, byte) in encoded.enumerated() { input[i] = byte }
        var raw = RawFrameBytes(repeating: 0)
        guard let count = COBS.decode(input, from: 0, to: encoded.count, into: &raw) else { return .error(.malformedCOBS) }
        do throws(FrameError) {
            return .frame(try Frame.decode(raw: raw, count: count))
        } catch {
            return .error(error)
        }
    }

    @Test func aWholeFrameDecodesAsTheBuildingBlocksSay() async {
        // Valid frames with one byte changed (never to 0x00), and short runs of small
        // bytes (many code bytes, most chains broken): fed in one piece (decoded where
        // it lies) and byte by byte (through the buffer), the first event is the same.
        let small = Gen.uint8(in: 1...4).array(of: 1...WireLimits.maxEncodedFrame)
        await propertyCheck(
            count: 2000, input: Gen.uint8().array(of: 0...120), Gen.int(in: 0...61), Gen.uint8(in: 1...255), small
        ) { entropy, position, value, small in
            var source = Entropy(entropy)
            var mutated = Array(source.frame().encoded().dropLast())
            mutated[position % mutated.count] = value
            for encoded in [mutated, small] {
                let expected = Self.reference(encoded)
                let (whole, _) = decodeAll(encoded + [0])
                let (bytewise, _) = decodeAll(encoded + [0], chunkSizes: [1])
                #expect(whole.first == expected)
                #expect(bytewise == whole)
            }
        }
    }
}
