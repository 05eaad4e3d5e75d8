import ArgumentParser
import Foundation
import MassageWire

/// `massagectl wire encode`: one frame from PROTOCOL.md's names, as wire bytes. The
/// inverse of `wire decode`, for making test input for a firmware.
struct WireEncode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Build a frame from a message type and named fields, and print its wire bytes.",
        discussion: """
            Types and field names are those of PROTOCOL.md section 4, with the test vectors' \
            conventions (section 8): no 'count' or '_length' fields, since they follow from the \
            lists and texts. Numbers are decimal or 0x-hex; lists are comma-separated; texts are \
            taken as given. Info takes 'section' and 'index', then the fields of that section.

              massagectl wire encode Hello min_version=2 max_version=2 --seq 7
              massagectl wire encode SetOutputs lease_ms=200 heater_setpoint=380 \\
                  intensity=0,125,250
              massagectl wire encode Info section=1 index=0 vendor=Acme model=M1 \\
                  serial=0001
              massagectl wire encode --json '{"type":"Heartbeat","seq":3}'

            The output is the whole wire frame in lowercase hex, trailing 0x00 included, or with \
            --raw the bytes themselves. A frame a receiver would reject (a Hello with \
            min_version above max_version, say) is still written, with a warning on standard \
            error, so that firmware can be tested against it.
            """
    )

    @Argument(help: ArgumentHelp("The message type: \(WireEncode.typeNames).", valueName: "type"))
    var typeName: String?

    @Argument(help: ArgumentHelp("The payload's fields, as name=value.", valueName: "name=value"))
    var fieldArguments: [String] = []

    @Option(help: ArgumentHelp("The sequence number, 0-255 (default 0).", valueName: "n"), transform: WireEncode.byte)
    var seq: UInt8?

    @Option(
        name: .customLong("protocol-version"),
        help: ArgumentHelp(
            "The header's version byte (default \(WireLimits.protocolVersion), and \(WireLimits.negotiationVersion) for Hello); another value makes a frame for testing a receiver's refusal.",
            valueName: "n"),
        transform: WireEncode.byte)
    var protocolVersion: UInt8?

    @Option(help: ArgumentHelp(
        #"The frame as a JSON object, '{"type":…,"seq":…,"fields":{…}}' (PROTOCOL.md section 8; a decoder's '{"frame":…}' line works too), or '-' to read it from standard input."#,
        valueName: "json"))
    var json: String?

    @Flag(help: "Write the wire bytes as binary, not hex.")
    var raw = false

    func validate() throws {
        if json != nil {
            guard typeName == nil, fieldArguments.isEmpty else {
                throw ValidationError("give the frame either as --json or as a type and fields, not both")
            }
        } else if typeName == nil {
            throw ValidationError("missing message type; one of: \(WireEncode.typeNames)")
        }
        // Build the frame here too when standard input plays no part, so that a mistake
        // in a field is reported with this command's usage line.
        if json != "-" { _ = try frame() }
    }

    func run() throws {
        let frame: Frame
        do {
            frame = try self.frame()
        } catch let error as ValidationError {
            throw error.reported()
        }
        let wire = frame.encoded()
        warnIfRejected(wire)
        if raw {
            writeUnbuffered(bytes: Array(wire), to: STDOUT_FILENO)
        } else {
            print(HexText.string(wire))
        }
    }

    private func frame() throws -> Frame {
        try json.map(frameFromJSON) ?? frameFromArguments()
    }

    private func frameFromArguments() throws(ValidationError) -> Frame {
        var fields: [String: FieldValue] = [:]
        for argument in fieldArguments {
            guard let equals = argument.firstIndex(of: "=") else {
                throw ValidationError("'\(argument)' is not a field: write name=value")
            }
            let name = String(argument[..<equals])
            guard fields[name] == nil else { throw ValidationError("field \(name) is given twice") }
            fields[name] = try FieldSyntax.value(of: name, from: argument[argument.index(after: equals)...])
        }
        return try WireEncode.frame(
            typeName: typeName ?? "", fields: fields, sequence: seq ?? 0,
            version: protocolVersion)
    }

    private func frameFromJSON(_ text: String) throws -> Frame {
        // A frame's JSON is under a KiB; 1 MiB leaves room for any spacing a person uses.
        let data = text == "-" ? try StandardInput.read(limit: 1 << 20, what: "the JSON") : Data(text.utf8)
        let object = try FrameObject(json: data)
        // The options fill in what the object leaves out; saying it twice is ambiguous.
        if object.seq != nil && seq != nil { throw ValidationError("give seq in the JSON or as --seq, not both") }
        if object.version != nil && protocolVersion != nil {
            throw ValidationError("give version in the JSON or as --protocol-version, not both")
        }
        return try WireEncode.frame(
            typeName: object.type, fields: object.fields,
            sequence: object.seq ?? seq ?? 0,
            version: object.version ?? protocolVersion)
    }

    /// The frame, or a usage error that says what is wrong with the type or a field.
    /// Without a version, Hello gets header version 1 (PROTOCOL.md section 3: every Hello
    /// is sent so, for any device to read) and every other type the current version.
    private static func frame(typeName: String, fields: [String: FieldValue], sequence: UInt8, version: UInt8?)
        throws(ValidationError) -> Frame
    {
        guard let type = MessageType(name: typeName) else {
            throw ValidationError("unknown message type '\(typeName)'; the types are: \(typeNames)")
        }
        let version = version ?? (type == .hello ? WireLimits.negotiationVersion : WireLimits.protocolVersion)
        do {
            return Frame(version: version, sequence: sequence, message: try Message(type: type, fields: fields))
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// Feeds the frame to a receiver and warns when it would not come out as a frame:
    /// the codec encodes anything its types can hold, including payloads PROTOCOL.md
    /// calls malformed.
    private func warnIfRejected(_ wire: WireFrame) {
        var decoder = FrameDecoder()
        var complaints: [String] = []
        decoder.feed(wire) { event in
            if case .error = event { complaints.append(DecodeFormat.text.line(for: event)) }
        }
        guard !complaints.isEmpty else { return }
        StandardError.print("warning: a receiver would reject this frame:\n" + complaints.map { "  \($0)" }.joined(separator: "\n"))
    }

    private static let typeNames = MessageType.allCases.map(\.description).joined(separator: ", ")

    /// A byte-sized option, decimal or 0x-hex like the fields.
    private static func byte(_ text: String) throws -> UInt8 {
        guard let n = FieldSyntax.number(text[...]), let byte = UInt8(exactly: n) else {
            throw ValidationError("'\(text)' is not a number from 0 to 255")
        }
        return byte
    }
}
