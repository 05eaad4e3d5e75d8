import ArgumentParser
import MassageKit
import MassageSimulator

/// `run`'s check that the program fits the device it connected to, before it plays.
enum ProgramFitCheck {
    /// Prints why `program` cannot be played on the session's device, and which devices
    /// can play it, and exits 65 (the program is not valid for this device); or returns.
    static func require(_ program: Program, fits session: DeviceSession) throws {
        guard let capabilities = session.capabilities else { return }
        do {
            try ProgramFit.check(program, on: capabilities)
        } catch {
            StandardError.print("Error: \(error)")
            StandardError.print(devicesThatFit(program))
            throw ExitCode(65)
        }
    }

    /// The simulator profiles `program` plays on as written.
    static func fittingProfiles(_ program: Program) -> [SimulatorProfile] {
        SimulatorProfile.builtIn.filter {
            ProgramFit.problems(program, actuatorCount: $0.device.actuatorCount, hasHeater: $0.device.hasHeater).isEmpty
        }
    }

    /// One line: the devices that can play `program`, e.g. "It plays on a handheld
    /// massager with motors (--device usb, serial:PATH), or on the simulator: --device sim,
    /// --device sim:handheld-single."
    static func devicesThatFit(_ program: Program) -> String {
        let profiles = fittingProfiles(program)
        guard !profiles.isEmpty else {
            return "No built-in simulator profile can play it either; check its steps with massagectl show \(program.name)."
        }
        let fewest = profiles.map(\.device.actuatorCount).min() ?? 1
        let uris = profiles.map { $0.name == SimulatorProfile.handheldRing4.name ? "--device sim" : "--device sim:\($0.name)" }
        let motors = fewest > 0 ? " with \(fewest == 1 ? "a motor" : "\(fewest) motors or more")" : ""
        return "It plays on a device\(motors), such as a handheld massager (--device usb, serial:PATH), "
            + "or on the simulator: \(uris.joined(separator: ", "))."
    }
}
