import ArgumentParser
import MassageControl
import MassageKit
import MassageWire

/// `massagectl clear-fault --device URI`: shows what a device has latched and why, says
/// for each fault whether clearing it is safe, and clears it (PROTOCOL.md 4.8, 6.7).
struct ClearFaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear-fault",
        abstract: "Show a device's latched faults, explain each, and clear them once their cause is gone.",
        discussion: """
            A latched fault keeps the motors and heater off until it is cleared. A watchdog \
            fault only says that a host went silent while driving the device: `run` clears \
            it by itself and says so. Every other fault says something about the device or \
            you (a sensor, the heat, a motor, the vibration dose), so it waits for you: check \
            its cause, then run this command.

            The device checks the causes it can (a sensor still out of range or silent, a \
            surface still too hot, a session budget still spent) and refuses to clear while \
            one is present (Nak: condition persists): nothing is cleared then. Heater runaway, \
            motor stall and internal faults cannot be checked by the device: it clears them \
            and watches again from the next heating or drive, so clear them only once you have \
            looked.

            EXAMPLES
              massagectl clear-fault --device usb
              massagectl clear-fault --device unix:/tmp/massage.sock --dry-run

            EXIT STATUS
              0   cleared, or nothing was latched
              1   not cleared (the cause is still there), or the device could not be reached
              64  usage error
            """
    )

    @Option(help: ArgumentHelp("The device (\(DeviceURI.syntaxHelp)).", valueName: "URI"), completion: ShellCompletions.devices)
    var device: String

    @Flag(name: .customLong("dry-run"), help: "Show what is latched and what clearing would mean; clear nothing.")
    var dryRun = false

    func run() throws {
        let connection = try DeviceCommandConnection.open(device: device)
        defer { connection.close() }
        let capabilities = connection.capabilities
        let latched = capabilities.latchedFaults
        if latched.isEmpty {
            emit("no fault is latched on \(connection.title): nothing to clear")
            return
        }
        for line in Self.describe(capabilities, title: connection.title) { emit(line) }
        if dryRun {
            emit("--dry-run: nothing cleared")
            return
        }
        do {
            _ = try connection.session.sendWaiting(.clearFault)
        } catch SessionError.refused(_, let reason) where reason == .conditionPersists {
            let checked = FaultExplanation.explain(latched).filter { $0.check == .deviceChecks }.map(\.name)
            StandardError.print("Error: not cleared: the device says a cause is still there (Nak: condition persists)"
                + (checked.isEmpty ? "" : "; it checks: \(checked.joined(separator: ", "))")
                + ". Nothing was cleared. Fix the cause (see above), then run `massagectl clear-fault --device \(device)` again.")
            throw ExitCode.failure
        } catch {
            StandardError.print("Error: not cleared: \(error)")
            throw ExitCode.failure
        }
        var after = "cleared: no fault is latched now; outputs stay off until a program drives them"
        if case .status(let status)? = try? connection.session.sendWaiting(.getStatus), !status.faults.isEmpty {
            after = "ClearFault was acknowledged, but the device reports again: \(status.faults.names.joined(separator: ", ")) (it latched anew)"
            StandardError.print("Error: \(after)")
            throw ExitCode.failure
        }
        emit(after)
    }

    /// What is latched, the first fault with its detail and age, and for each fault what
    /// it means and whether clearing it is safe.
    static func describe(_ capabilities: DeviceCapabilities, title: String) -> [String] {
        let latched = capabilities.latchedFaults
        let explained = FaultExplanation.explain(latched)
        var lines = ["\(title): \(explained.count == 1 ? "1 fault" : "\(explained.count) faults") latched"]
        let record = capabilities.faultRecord.flatMap { $0.isEmpty ? nil : $0 }
        for explanation in explained {
            var heading = "  \(explanation.name)"
            if let record, FaultSet(bit: record.code) == explanation.fault {
                var parts = ["the first"]
                if let seconds = capabilities.secondsSinceFirstFault {
                    parts.append("\(LeftoverFaultPolicy.duration(seconds)) ago")
                }
                if let detail = FaultExplanation.detailText(code: record.code, detail: record.detail) { parts.append(detail) }
                heading += " (\(parts.joined(separator: ", ")))"
            }
            lines.append(heading)
            lines.append("    what:     \(explanation.meaning)")
            lines.append("    clearing: \(explanation.safety)")
        }
        return lines
    }
}
