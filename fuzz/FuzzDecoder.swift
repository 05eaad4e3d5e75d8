// libFuzzer harness for MassageWire's FrameDecoder (build and run: scripts/fuzz).
//
// Compiled in ONE module together with Sources/MassageWire/**/*.swift (module name
// MassageWire), so it uses the codec types directly, without an import.
//
// Input layout: byte 0 picks a chunking of the stream, bytes 1... are the byte stream.
//
// Properties checked (a failed check calls `fatalError`, which libFuzzer reports as a
// crash and saves the input under fuzz/artifacts/):
//  1. Chunking does not matter: feeding the stream in one go and feeding it in chunks
//     (sizes drawn from byte 0, between 1 and 80 bytes, so a chunk can end anywhere
//     inside a frame or hold several frames) yield the same events in the same order,
//     and the decoder's counters agree with the events.
//  2. Every decoded frame re-encodes to a well-formed wire frame (≤ 64 bytes, ending in
//     its only 0x00) that a fresh decoder turns back into exactly that frame, alone.
//  3. One byte pushed at a time gives the same events as well.
// The decoder itself must never trap on any input: any trap in MassageWire is a finding.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecoderTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    let control = input[0]
    let stream = UnsafeBufferPointer(rebasing: input[1...])

    // 1a. The whole stream in one call.
    var whole = FrameDecoder()
    var wholeEvents: [DecodeEvent] = []
    whole.feed(stream) { wholeEvents.append($0) }
    checkCounters(whole, wholeEvents, "one go", input)

    // 1b. The same stream in chunks whose sizes come from the control byte.
    var chunked = FrameDecoder()
    var chunkedEvents: [DecodeEvent] = []
    var sizes = ChunkSizes(control)
    var start = 0
    while start < stream.count {
        let end = min(stream.count, start + sizes.next())
        chunked.feed(UnsafeBufferPointer(rebasing: stream[start ..< end])) { chunkedEvents.append($0) }
        start = end
    }
    checkCounters(chunked, chunkedEvents, "chunks", input)
    if chunkedEvents != wholeEvents {
        fail("chunked feeding (control byte \(control)) gave different events", input,
             "one go: \(wholeEvents)\nchunks: \(chunkedEvents)")
    }

    // 3. Byte by byte through push.
    var single = FrameDecoder()
    var singleEvents: [DecodeEvent] = []
    for byte in stream { single.push(byte) { singleEvents.append($0) } }
    if singleEvents != wholeEvents {
        fail("byte-at-a-time push gave different events", input,
             "feed: \(wholeEvents)\npush: \(singleEvents)")
    }

    // 2. Every decoded frame survives encode -> decode unchanged.
    for event in wholeEvents {
        guard case .frame(let frame) = event else { continue }
        let wire = frame.encoded()
        let bytes = Array(wire)
        if bytes.count > WireLimits.maxWireFrame {
            fail("re-encoded frame is \(bytes.count) bytes, above \(WireLimits.maxWireFrame)", input, "\(frame)")
        }
        if bytes.count < WireLimits.minRawFrame + 2 || bytes.last != 0 || bytes.dropLast().contains(0) {
            fail("re-encoded frame is not COBS ++ [0x00]: \(hex(bytes))", input, "\(frame)")
        }
        var fresh = FrameDecoder()
        var again: [DecodeEvent] = []
        fresh.feed(wire) { again.append($0) }
        if again != [.frame(frame)] {
            fail("re-encoded frame does not decode to itself", input,
                 "frame: \(frame)\nwire: \(hex(bytes))\ndecoded: \(again)")
        }
    }
    return 0
}

/// Chunk sizes from the control byte: 0 means one byte at a time; otherwise a small
/// xorshift generator seeded by it gives sizes in 1 ... 1 + (control % 80).
struct ChunkSizes {
    var state: UInt32
    let limit: UInt32

    init(_ control: UInt8) {
        state = UInt32(control) &* 0x9E37_79B9 | 1
        limit = control == 0 ? 1 : 1 + UInt32(control % 80)
    }

    mutating func next() -> Int {
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        return 1 + Int(state % limit)
    }
}

func checkCounters(_ decoder: FrameDecoder, _ events: [DecodeEvent], _ how: String,
                   _ input: UnsafeBufferPointer<UInt8>) {
    let frames = events.filter { if case .frame = $0 { true } else { false } }.count
    if decoder.framesDecoded != frames || decoder.framesBad != events.count - frames {
        fail("counters disagree with events (\(how)): framesDecoded \(decoder.framesDecoded), "
             + "framesBad \(decoder.framesBad), events \(frames) frames + \(events.count - frames) errors",
             input, "\(events)")
    }
}

func hex<C: Collection<UInt8>>(_ bytes: C) -> String {
    let digits = Array("0123456789abcdef")
    var s = ""
    for b in bytes { s.append(digits[Int(b >> 4)]); s.append(digits[Int(b & 15)]) }
    return s
}

func fail(_ what: String, _ input: UnsafeBufferPointer<UInt8>, _ detail: String) -> Never {
    fatalError("FuzzDecoder: \(what)\ninput: \(hex(input))\n\(detail)")
}
