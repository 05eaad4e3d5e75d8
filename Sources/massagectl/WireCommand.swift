import ArgumentParser

/// `massagectl wire`: the wire protocol without a device, for firmware authors and for
/// debugging a capture (PROTOCOL.md).
struct WireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wire",
        abstract: "Decode and encode frames of the wire protocol (PROTOCOL.md), no device needed.",
        subcommands: [WireDecode.self, WireEncode.self]
    )
}
