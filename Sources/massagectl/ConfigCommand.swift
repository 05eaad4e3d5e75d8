import ArgumentParser
import MassageControl
import MassageKit
import MassageWire

/// `massagectl config get|set`: a device's configuration (PROTOCOL.md 4.19).
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Read or change a device's configuration (heater cap, watchdog, dose limit, …).",
        discussion: """
            KEYS (PROTOCOL.md 4.19; values in the unit shown)
            \(ConfigKeyDescription.helpTable)

            The device keeps its configuration across sessions and refuses a value outside a \
            key's range (nothing changes then). A person can lower the heater cap, never raise \
            it past the device's own limit.
            """,
        subcommands: [ConfigGetCommand.self, ConfigSetCommand.self]
    )
}

/// `massagectl config get [KEY] --device URI`.
struct ConfigGetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show one configuration key, or all of them.",
        discussion: """
            KEYS
            \(ConfigKeyDescription.helpTable)

            EXAMPLES
              massagectl config get --device usb
              massagectl config get heater_cap --device unix:/tmp/massage.sock

            EXIT STATUS
              0   shown
              1   the device could not be reached or refused
              64  usage error (an unknown key)
            """
    )

    @Argument(help: ArgumentHelp("A key (see KEYS); all keys when left out.", valueName: "key"))
    var key: String?

    @Option(help: ArgumentHelp("The device (\(DeviceURI.syntaxHelp)).", valueName: "URI"), completion: ShellCompletions.devices)
    var device: String

    func validate() throws {
        if let key, ConfigKeyDescription.named(key) == nil {
            throw ValidationError("unknown key '\(key)'; the keys are: \(ConfigKeyDescription.all.map(\.name).joined(separator: ", "))")
        }
    }

    func run() throws {
        let keys = key.flatMap(ConfigKeyDescription.named).map { [$0] } ?? ConfigKeyDescription.all
        let connection = try DeviceCommandConnection.open(device: device)
        defer { connection.close() }
        for description in keys {
            do {
                guard case .config(let entry) = try connection.session.sendWaiting(.getConfig(description.key)) else {
                    throw DeviceFailure(message: "the device answered GetConfig(\(description.name)) with something else")
                }
                let value = description.isAbsent(on: connection.capabilities) && entry.value == 0
                    ? "none" : description.shown(entry.value)
                emit("\(description.name.padding(toLength: 21, withPad: " ", startingAt: 0)) \(value.padding(toLength: 12, withPad: " ", startingAt: 0)) range \(description.range(on: connection.capabilities))")
            } catch {
                StandardError.print("Error: reading \(description.name): \(error)")
                throw ExitCode.failure
            }
        }
    }
}

/// `massagectl config set KEY VALUE --device URI`.
struct ConfigSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Change one configuration key.",
        discussion: """
            KEYS
            \(ConfigKeyDescription.helpTable)

            EXAMPLES
              massagectl config set heater_cap 39.5 --device usb
              massagectl config set dose_limit 100 --device unix:/tmp/massage.sock

            EXIT STATUS
              0   changed (or already so)
              1   the device refused the value (out of its range), or could not be reached
              64  usage error (an unknown key, a value that is not a number)
            """
    )

    @Argument(help: ArgumentHelp("A key (see KEYS).", valueName: "key"))
    var key: String

    @Argument(help: ArgumentHelp("The value, in the key's unit (°C for heater_cap, e.g. 39.5).", valueName: "value"))
    var value: String

    @Option(help: ArgumentHelp("The device (\(DeviceURI.syntaxHelp)).", valueName: "URI"), completion: ShellCompletions.devices)
    var device: String

    func validate() throws {
        guard let description = ConfigKeyDescription.named(key) else {
            throw ValidationError("unknown key '\(key)'; the keys are: \(ConfigKeyDescription.all.map(\.name).joined(separator: ", "))")
        }
        guard description.wireValue(value) != nil else {
            throw ValidationError("'\(value)' is not a value for \(description.name): give a number of \(description.unit), \(description.range)")
        }
    }

    func run() throws {
        guard let description = ConfigKeyDescription.named(key), let wire = description.wireValue(value) else {
            throw ExitCode.validationFailure
        }
        let connection = try DeviceCommandConnection.open(device: device)
        defer { connection.close() }
        let session = connection.session
        var before: UInt32? = nil
        if case .config(let entry)? = try? session.sendWaiting(.getConfig(description.key)) { before = entry.value }
        do {
            _ = try session.sendWaiting(.setConfig(description.key, wire))
        } catch SessionError.refused(_, let reason) where reason == .outOfRange {
            StandardError.print("Error: the device refused \(description.name) = \(description.shown(wire)): out of its range, \(description.range(on: connection.capabilities)). "
                + Self.why(description, wire: wire, capabilities: connection.capabilities) + "Nothing changed"
                + (before.map { "; it stays \(description.shown($0))" } ?? "") + ".")
            throw ExitCode.failure
        } catch {
            StandardError.print("Error: \(description.name) not changed: \(error)")
            throw ExitCode.failure
        }
        var after = wire
        if case .config(let entry)? = try? session.sendWaiting(.getConfig(description.key)) { after = entry.value }
        emit("\(description.name) = \(description.shown(after))" + (before.map { " (was \(description.shown($0)))" } ?? ""))
    }

    /// Why a value was refused, for the keys whose limits protect someone.
    static func why(_ description: ConfigKeyDescription, wire: UInt32, capabilities: DeviceCapabilities) -> String {
        switch description.key {
        case .heaterCap where capabilities.hasHeater && wire > UInt32(capabilities.device.heaterCapLimit):
            return "The cap can be lowered, never raised past the device's limit (skin contact: IEC 60601-1 allows at most 43 °C). "
        case .watchdogMilliseconds where wire == 0:
            return "The watchdog cannot be turned off: it is what stops the device when a host goes silent. "
        case .doseLimit where wire > 400:
            return "400 points is the hand-arm vibration limit value (Directive 2002/44/EC). "
        default:
            return ""
        }
    }
}
