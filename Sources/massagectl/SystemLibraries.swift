import MassageGPIO
import MassageUSB

/// The versions of the C libraries massagectl runs with, as the libraries themselves
/// report them. massagectl reaches C only through the library targets (MassageUSB,
/// MassageGPIO), each with its one seam; it imports no C module itself.
enum SystemLibraries {
    /// libusb's `major.minor.micro.nano` and release-candidate suffix, e.g. `1.0.26.11724`.
    static var libusbVersion: String { USBTransport.libraryVersion }

    /// libgpiod's version string, e.g. `1.6.3`.
    static var libgpiodVersion: String { GPIOContactLines.libraryVersion }
}
