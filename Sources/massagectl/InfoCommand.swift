import MassageControl
import ArgumentParser
import Foundation
import MassageKit
import MassageWire

/// `massagectl info --device URI`: connects, shows what the device says it is, its
/// limits, configuration and status, then stops it and disconnects.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show what a device is: identity, actuators, heater, limits, configuration and status.",
        discussion: """
            Connects with a handshake (Hello, then the Info sections), reads every \
            configuration key and a Status, then stops the device and disconnects.

            DEVICE URIS
              \(DeviceURI.syntaxHelp)

            EXAMPLES
              massagectl info --device sim
              massagectl info --device sim:mat-16 --json
              massagectl info --device unix:/tmp/massage.sock

            EXIT STATUS
              0   shown
              1   the device could not be reached or did not answer
              64  usage error
            """
    )

    @Option(help: ArgumentHelp("The device (see DEVICE URIS above).", valueName: "URI"), completion: ShellCompletions.devices)
    var device: String = "sim"

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        try SimulatorChoice.check(device: device)
    }

    func run() throws {
        try ServiceCheck.refuseIfHeld(device: device, instead: "massagectl call devices")
        let connector: DeviceConnector
        do {
            connector = try DeviceConnector.make(device: device)
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitCode.validationFailure
        }
        defer { connector.shutDown() }
        let report: DeviceReport
        do {
            let session = try connector.connect()
            defer { session.close() }
            report = try DeviceReport.read(from: session, uri: connector.uri)
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitCode.failure
        }
        if json { print(report.json()) } else { printText(report.text()) }
    }
}

/// Everything `info` shows, read from a connected session.
struct DeviceReport {
    var uri: DeviceURI
    var capabilities: DeviceCapabilities
    var config: [(key: ConfigKey, name: String, value: UInt32)]
    var status: Status

    static let configNames: [(ConfigKey, String)] = [
        (.watchdogMilliseconds, "watchdog_ms"), (.heaterCap, "heater_cap"),
        (.statusPeriodMilliseconds, "status_period_ms"), (.matPeriodMilliseconds, "mat_period_ms"),
        (.heatSessionLimitSeconds, "heat_session_limit_s"), (.doseLimit, "dose_limit"),
        (.slewPerSecond, "slew_per_s"),
    ]

    static func read(from session: DeviceSession, uri: DeviceURI) throws -> DeviceReport {
        guard let capabilities = session.capabilities else { throw DeviceFailure(message: SessionError.notConnected.description) }
        var config: [(ConfigKey, String, UInt32)] = []
        do {
            for (key, name) in configNames {
                if case .config(let entry) = try session.sendWaiting(.getConfig(key)) { config.append((key, name, entry.value)) }
            }
            guard case .status(let status) = try session.sendWaiting(.getStatus) else {
                throw DeviceFailure(message: "the device answered GetStatus with something else")
            }
            return DeviceReport(uri: uri, capabilities: capabilities, config: config.map { ($0.0, $0.1, $0.2) }, status: status)
        } catch let error as SessionError {
            throw DeviceFailure(message: error.description)
        }
    }

    static func celsius(_ tenths: some BinaryInteger) -> String {
        let value = Int(tenths)
        return "\(value / 10).\(abs(value % 10)) °C"
    }

    static func layoutName(_ layout: ActuatorLayout) -> String {
        switch layout {
        case .single: "single"
        case .ring: "ring"
        case .planar: "planar"
        case .none: "none"
        }
    }

    static func stateName(_ state: DeviceState) -> String {
        switch state {
        case .awaitingHello: "awaiting hello"
        case .idle: "idle"
        case .running: "running"
        case .faulted: "faulted"
        }
    }

    static func names(_ faults: FaultSet) -> [String] { faults.names }

    func text() -> String {
        let c = capabilities
        let d = c.device
        var lines = [
            "device    \(uri)",
            "model     \(c.vendor) \(c.model), serial \(c.serial)",
            "firmware  \(c.firmwareVersion), protocol version \(c.protocolVersion)",
            "motors    \(c.actuatorCount), layout \(Self.layoutName(c.layout))",
        ]
        for (i, a) in c.actuators.enumerated() {
            let place = switch a.placement {
            case .ring: "ring at \(Double(a.angle) / 100)°"
            case .planar: "at x \(a.x) mm, y \(a.y) mm"
            case .centre: "centre"
            }
            lines.append("  motor \(i)  \(place), \(Double(a.acceleration) / 100) m/s² at full intensity, spin-up \(a.spinUpMilliseconds) ms")
        }
        lines.append(c.hasHeater
            ? "heater    cap \(Self.celsius(d.heaterCap)) (limit \(Self.celsius(d.heaterCapLimit)))"
            : "heater    none")
        lines.append("mat       \(c.matZoneCount == 0 ? "none" : "\(c.matZoneCount) zones")")
        lines.append("limits    SetOutputs ≤ \(d.maxOutputRateHz) Hz, watchdog \(d.watchdogMilliseconds) ms, lease ≤ \(d.maxLeaseMilliseconds) ms,"
            + " dose limit \(d.doseLimit == 0 ? "none" : "\(d.doseLimit) points")")
        lines.append("config    " + config.map { "\($0.name)=\($0.value)" }.joined(separator: " "))
        let s = status
        let temperature = s.temperature == Status.noTemperature ? "no reading" : Self.celsius(s.temperature)
        let faults = Self.names(s.faults)
        lines.append("status    \(Self.stateName(s.state)), \(temperature), heater duty \(s.heaterDuty) %, dose \(Double(s.dose) / 100) points,"
            + " uptime \(s.uptimeMicroseconds / 1_000_000) s")
        lines.append("faults    \(faults.isEmpty ? "none" : faults.joined(separator: ", "))")
        lines.append("outputs   " + (s.outputs.isEmpty ? "no motors" : s.outputs.map { "\($0 / 10) %" }.joined(separator: " ")))
        lines.append("link      \(s.framesBad) bad and \(s.framesSuperseded) superseded frames at the device")
        return lines.joined(separator: "\n")
    }

    func json() -> String {
        let c = capabilities
        let d = c.device
        var object: [String: Any] = [
            "device": "\(uri)",
            "vendor": c.vendor, "model": c.model, "serial": c.serial,
            "firmware": c.firmwareVersion, "protocol_version": Int(c.protocolVersion),
            "layout": Self.layoutName(c.layout),
            "actuators": c.actuators.map { a in
                ["angle_deg": Double(a.angle) / 100, "x_mm": Int(a.x), "y_mm": Int(a.y),
                 "acceleration_m_s2": Double(a.acceleration) / 100, "spin_up_ms": Int(a.spinUpMilliseconds)] as [String: Any]
            },
            "heater_cap_c": c.hasHeater ? Double(d.heaterCap) / 10 : NSNull(),
            "mat_zones": c.matZoneCount,
            "max_output_rate_hz": Int(d.maxOutputRateHz),
        ]
        object["config"] = Dictionary(uniqueKeysWithValues: config.map { ($0.name, Int($0.value)) })
        object["status"] = [
            "state": Self.stateName(status.state),
            "faults": Self.names(status.faults),
            "temperature_c": status.temperature == Status.noTemperature ? NSNull() : Double(status.temperature) / 10 as Any,
            "heater_duty_percent": Int(status.heaterDuty),
            "dose_points": Double(status.dose) / 100,
            "outputs_per_mille": status.outputs.map { Int($0) },
            "uptime_us": status.uptimeMicroseconds,
        ] as [String: Any]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
