import ArgumentParser
import Foundation
import MassageWire

/// `massagectl wire decode`: a dissector. Bytes in (hex arguments, or standard input),
/// one line per frame or bad frame out, exactly as a receiver following PROTOCOL.md
/// section 2.4 would see them.
struct WireDecode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode wire bytes into frames and bad frames, one line each.",
        discussion: """
            All input goes through one receiver, in order, so frames may span arguments and a \
            good frame glued to garbage is still found. Hex may have spaces, ':' or ',' between \
            digits, 0x prefixes and any case: '03010405d850af8b00', '03:01:04:05 ...', \
            '0x03 0x01 ...'. Standard input is read as it arrives, so a serial capture can be \
            piped in live.

            Each frame prints as 'seq=7 v1 SetOutputs lease_ms=200 heater_setpoint=380 \
            intensity=[0,125,250]', each bad frame as 'error: NAME — what it means'. With \
            --json, each prints as an 'expect' entry of the test vectors (PROTOCOL.md section 8).

            EXIT STATUS
              0   no bad frame (including no input at all)
              1   at least one bad frame was counted
              64  usage error, such as hex that cannot be read
            """
    )

    @Argument(help: ArgumentHelp(
        "Wire bytes as hex, all arguments joined; with none, the bytes are read from standard input.",
        valueName: "hex"))
    var hexArguments: [String] = []

    @Flag(name: .customLong("hex"), help: "Standard input is hex text, not raw bytes (arguments are always hex).")
    var standardInputIsHex = false

    @Flag(help: "Print one JSON object per line, in the shape of the test vectors' 'expect' entries.")
    var json = false

    func validate() throws {
        _ = try argumentBytes()
    }

    func run() throws {
        var session = DecodeSession(format: json ? .json : .text)
        if !hexArguments.isEmpty {
            session.feed(try argumentBytes())
        } else if standardInputIsHex {
            // Read whole before decoding: a typo in the hex is a usage error, and it should
            // not come after half the frames have been printed.
            let data: Data
            do {
                data = try StandardInput.read(limit: 16 << 20, what: "the hex text")
            } catch let error as ValidationError {
                throw error.reported()
            }
            var hex = HexText()
            do {
                try hex.add(String(decoding: data, as: UTF8.self), from: .standardInput)
                session.feed(try hex.bytes())
            } catch {
                throw error.reported()
            }
        } else {
            while let chunk = try FileHandle.standardInput.read(upToCount: 4096), !chunk.isEmpty {
                session.feed(chunk)
                // Frames of a live capture appear as they complete, even through a pipe.
                fflush(nil)
            }
        }
        session.finish()
        if session.framesBad > 0 { throw ExitCode(1) }
    }

    private func argumentBytes() throws(ValidationError) -> [UInt8] {
        var hex = HexText()
        for (i, argument) in hexArguments.enumerated() {
            try hex.add(argument, from: .argument(i + 1))
        }
        return try hex.bytes()
    }
}

/// One receiver and the bytes it has been fed: prints every event as it comes, and
/// knows how many bytes after the last 0x00 never became a frame.
private struct DecodeSession {
    let format: DecodeFormat
    private var decoder = FrameDecoder()
    /// Bytes fed since the last 0x00 (or since the start): the receiver holds them until
    /// a 0x00 arrives, so at the end of input they were never decoded.
    private var pendingBytes = 0
    private var sawDelimiter = false

    init(format: DecodeFormat) { self.format = format }

    var framesBad: Int { decoder.framesBad }

    mutating func feed<Bytes: BidirectionalCollection<UInt8>>(_ bytes: Bytes) {
        if let last = bytes.lastIndex(of: 0) {
            sawDelimiter = true
            pendingBytes = bytes.distance(from: last, to: bytes.endIndex) - 1
        } else {
            pendingBytes += bytes.count
        }
        let format = format
        decoder.feed(bytes) { event in print(format.line(for: event)) }
    }

    /// Warns about a frame left without its 0x00; it is not counted as bad, since the
    /// capture may simply have stopped mid-frame.
    func finish() {
        guard pendingBytes > 0 else { return }
        let bytes = pendingBytes == 1 ? "1 byte" : "\(pendingBytes) bytes"
        let place = sawDelimiter ? "after the last 0x00" : "with no 0x00"
        let verb = pendingBytes == 1 ? "was" : "were"
        StandardError.print("note: \(bytes) \(place) \(verb) not a complete frame (every frame ends with 0x00)")
    }
}
