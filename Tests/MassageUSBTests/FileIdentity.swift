import Glibc
import USBDeviceEmulator

/// Runs code on a thread whose file-system identity (setfsuid/setfsgid, which Linux keeps
/// per thread) is another user's: the kernel then checks every open() on that thread
/// against that user, without the root's CAP_DAC_OVERRIDE, while the rest of the test
/// process keeps its identity. This is how a permission test means something when the
/// tests run as root (as CI does), where a plain chmod denies nothing.
enum FileIdentity {
    /// `nobody` when running as root; otherwise this user (a chmod 000 file denies its
    /// owner too, as long as the process has no CAP_DAC_OVERRIDE).
    static var unprivileged: (uid: UInt32, gid: UInt32) {
        geteuid() == 0 ? (65534, 65534) : (getuid(), getgid())
    }

    private final class Job {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Runs `body` as `identity` and waits for it; nil if the identity could not be taken
    /// (then `body` did not run).
    static func run<Result>(as identity: (uid: UInt32, gid: UInt32) = unprivileged,
                            _ body: @escaping () -> Result) -> Result? {
        var result: Result?
        let job = Job { result = body() }
        let status = withExtendedLifetime(job) {
            usb_emulator_run_with_file_identity(identity.uid, identity.gid, { context in
                guard let context else { return }
                Unmanaged<Job>.fromOpaque(context).takeUnretainedValue().body()
            }, Unmanaged.passUnretained(job).toOpaque())
        }
        return status == 0 ? result : nil
    }
}
