import ArgumentParser
import MassageWire

/// `massagectl version`: what this build is, and what it runs on, for bug reports.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the versions of massagectl, its wire protocol and the system libraries it links."
    )

    func run() {
        print("massagectl \(Massagectl.version)")
        print("protocol version \(WireLimits.protocolVersion)")
        print("libusb \(SystemLibraries.libusbVersion)")
        print("libgpiod \(SystemLibraries.libgpiodVersion)")
    }
}
