import ArgumentParser
import MassageKit

/// `run`'s check that the program fits the device it connected to, before it plays.
enum ProgramFitCheck {
    /// Prints why `program` cannot be played on the session's device and exits 65 (the
    /// program is not valid for this device), or returns.
    static func require(_ program: Program, fits session: DeviceSession) throws {
        guard let capabilities = session.capabilities else { return }
        do {
            try ProgramFit.check(program, on: capabilities)
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitCode(65)
        }
    }
}
