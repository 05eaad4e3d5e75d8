import ArgumentParser
import MassageProgramFiles

/// The exit statuses every command shares (the README's table, held by
/// ExitStatusTests): the numbers follow BSD's sysexits.h, as git and curl's neighbours do.
enum ExitStatus {
    /// 0: done.
    static let success: Int32 = 0
    /// 1: the device, the mat or the history failed, or a run was stopped by a fault, a
    /// lost link or a safety limit.
    static let failure: Int32 = 1
    /// 64 (EX_USAGE): a mistake on the command line: an option, a value, an unknown
    /// built-in program or simulator profile.
    static let usage: Int32 = 64
    /// 65 (EX_DATAERR): a file was read but is not valid (a program, a mat file), or the
    /// program does not fit the device.
    static let invalidFile: Int32 = 65
    /// 66 (EX_NOINPUT): a file named on the command line cannot be read: missing, not a
    /// regular file, no permission.
    static let unreadableFile: Int32 = 66
    /// 74 (EX_IOERR): standard output failed (a full disk, a closed descriptor) and the run
    /// stopped the device because of it.
    static let outputFailed: Int32 = 74
    /// 141 (128 + SIGPIPE): the reader of standard output went away (`| head`); the run
    /// stopped the device first.
    static let outputReaderGone: Int32 = 141

    /// The status for a failure to find or read a program: an unknown name is a usage
    /// error, an unreadable file 66, an invalid one 65.
    static func forProgramLookup(_ error: any Error) -> ExitCode {
        switch error {
        case is ProgramLookup.LookupFailure: ExitCode(usage)
        case let error as ProgramFileError: ExitCode(error.isUnreadable ? unreadableFile : invalidFile)
        default: ExitCode(invalidFile)
        }
    }
}
