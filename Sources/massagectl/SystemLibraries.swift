import CGPIOD
import CLibUSB

/// The versions of the C libraries massagectl links, as the libraries themselves
/// report them (not the headers it was compiled against).
///
/// These are the only calls into `CLibUSB` and `CGPIOD` so far; they live here, apart
/// from the commands, so that C types never leak into the rest of the tool. USB and
/// GPIO device access will each get their own internal wrapper file in the same way.
enum SystemLibraries {
    /// libusb's `major.minor.micro.nano` and release-candidate suffix, e.g. `1.0.26.11724`.
    static var libusbVersion: String {
        guard let version = libusb_get_version()?.pointee else { return "unknown" }
        var text = "\(version.major).\(version.minor).\(version.micro).\(version.nano)"
        if let rc = version.rc {
            text += String(cString: rc)
        }
        return text
    }

    /// libgpiod's version string, e.g. `1.6.3`.
    static var libgpiodVersion: String {
        guard let version = gpiod_version_string() else { return "unknown" }
        return String(cString: version)
    }
}
