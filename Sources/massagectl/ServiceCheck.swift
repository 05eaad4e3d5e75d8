import ArgumentParser
import Foundation
import MassageControl
import MassageServiceProtocol

/// Whether a running service (massaged) owns a device this command wants, found through
/// its socket and service.json. A real device has one owner: the command refuses and
/// names the command that works through the service. A `sim` device is a simulator of
/// the command's own, so it only gets a note.
enum ServiceCheck {
    /// The running service's description, when one answers on its socket.
    static func runningService() -> ServiceDescription? {
        guard let paths = try? ServicePaths.standard(),
              let data = FileManager.default.contents(atPath: paths.descriptionFile),
              let description = try? JSONDecoder().decode(ServiceDescription.self, from: data),
              (try? ServiceClient(socketPath: description.socket)) != nil else { return nil }
        return description
    }

    /// Throws when the service owns `device` (a real one); prints a note for `sim`.
    static func ensureFree(device: String, instead: String) throws(DeviceFailure) {
        guard let service = runningService(), service.devices.contains(device) else { return }
        if device == "sim" || device.hasPrefix("sim:") {
            StandardError.print("note: the service (pid \(service.pid)) runs its own simulator; this command uses another one. Its dashboard: massagectl serve --show-url")
            return
        }
        throw DeviceFailure(message: "the service massaged (pid \(service.pid)) holds \(device). Go through it: \(instead) (or open the dashboard: massagectl serve --show-url); to use the device directly, stop the service first: systemctl --user stop massage-control")
    }

    /// ``ensureFree(device:instead:)`` for a command's `run()`: prints the refusal and
    /// gives exit status 1.
    static func refuseIfHeld(device: String, instead: String) throws(ExitCode) {
        do {
            try ensureFree(device: device, instead: instead)
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitCode.failure
        }
    }
}
