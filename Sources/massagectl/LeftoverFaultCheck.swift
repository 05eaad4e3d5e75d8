import ArgumentParser
import MassageControl
import MassageKit
import MassageWire

/// Applies `LeftoverFaultPolicy` to a session just connected: clears a lone watchdog left
/// by an earlier host (with its note), refuses a session that drives when anything else is
/// latched, warns one that only reads. One call from each command that connects.
enum LeftoverFaultCheck {
    /// For `run`: returns to go on; prints why and throws exit 1 when the run must not start.
    static func settleBeforeDriving(_ session: DeviceSession, device: String) throws {
        do {
            try settle(session, policy: LeftoverFaultPolicy(drives: true, deviceURI: device))
        } catch let failure as DeviceFailure {
            StandardError.print("Error: \(failure)")
            throw ExitCode.failure
        }
    }

    /// For a mat session, which drives nothing: never stops it.
    static func settleBeforeReading(_ session: DeviceSession, device: String) {
        do {
            try settle(session, policy: LeftoverFaultPolicy(drives: false, deviceURI: device))
        } catch {
            StandardError.print("warning: \(error)")
        }
    }

    /// Throws `DeviceFailure` when the policy refuses or the watchdog cannot be cleared.
    static func settle(_ session: DeviceSession, policy: LeftoverFaultPolicy) throws {
        guard let capabilities = session.capabilities else { return }
        switch policy.decide(capabilities) {
        case .proceed:
            return
        case .warn(let message):
            StandardError.print("warning: " + message)
        case .refuse(let message):
            throw DeviceFailure(message: message)
        case .clearWatchdog(let note):
            do {
                _ = try session.sendWaiting(.clearFault)
                // Read Status back, so that the session's latest status no longer shows the
                // fault (a StatusReport sent before the clear arrives before this answer).
                if case .status(let status) = try session.sendWaiting(.getStatus), !status.faults.isEmpty {
                    throw DeviceFailure(message: "the device had stopped on its watchdog; after ClearFault it still reports: \(status.faults.names.joined(separator: ", ")). Try `massagectl clear-fault --device \(policy.deviceURI)`")
                }
            } catch let error as SessionError {
                throw DeviceFailure(message: "the device had stopped on its watchdog (the last host went silent while driving it) and clearing it failed: \(error)")
            }
            emit(note)
        }
    }
}
