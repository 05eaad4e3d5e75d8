import ArgumentParser
import MassageKit
import MassageSimulator

/// What a `--device sim…` value asks of the in-process simulator, checked while the
/// command line is parsed: an unknown profile or a fault the profile cannot have is a
/// usage error (exit 64) for every command, as it is for `simulate`, rather than a device
/// that "cannot be reached" (exit 1) after the run has begun.
enum SimulatorChoice {
    /// The profile `device` names when it is a `sim` URI (`sim` alone is
    /// `handheld-ring4`), with its body parameters (`sim:mat-16?body=gets-up&seed=3`); nil
    /// for any other URI, whose errors the connector reports.
    static func profile(forDevice device: String) throws -> SimulatorProfile? {
        guard case .sim(let name)? = try? DeviceURI(parsing: device) else { return nil }
        do {
            return try SimulatorProfile.parse(name ?? SimulatorProfile.handheldRing4.name)
        } catch {
            throw ValidationError("--device \(device): \(error)")
        }
    }

    /// Refuses an unknown simulator profile, and fault flags that the profile cannot take
    /// (a stuck motor it does not have).
    static func check(device: String, faults: FaultOptions? = nil) throws {
        guard let profile = try profile(forDevice: device) else { return }
        if let faults { try faults.check(profile: profile) }
    }
}

extension FaultOptions {
    /// Refuses faults `profile` cannot have: `--stuck-motor N` past its motors.
    func check(profile: SimulatorProfile) throws {
        if let reportTemperature, !(reportTemperature.isFinite && (-40...150).contains(reportTemperature)) {
            throw ValidationError("--report-temperature must be -40–150 °C, not \(reportTemperature)")
        }
        if let stuck = stuckMotor, stuck.motor >= profile.device.actuatorCount {
            throw ValidationError("--stuck-motor \(stuck.motor): profile '\(profile.name)' has \(profile.device.actuatorCount) motor(s), numbered from 0")
        }
    }
}
