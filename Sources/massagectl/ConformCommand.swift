import ArgumentParser
import Foundation
import MassageConformance
import MassageControl
import MassageKit
import MassageSimulator
import Synchronization

/// `massagectl conform --device URI`: the conformance suite of PROTOCOL.md against any
/// device, one line per check, a summary, `--json`, exit 1 on any failure.
struct ConformCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conform",
        abstract: "Check a device against every promise of the wire protocol a host can observe.",
        discussion: """
            Runs the checks of MassageConformance (PROTOCOL.md, Appendix A lists them against \
            every MUST) one after another, speaking raw frames where precision needs it: \
            handshake and versions, Info, outputs, slew, rate limit and latest-value-wins, \
            the watchdog at several settings, leases, the heater cap, config ranges, \
            malformed frames of every kind, retries, ClearFault, periodic reports, and \
            faults. Each line: PASS, FAIL or SKIP, the check's id, what was measured, and \
            the section it holds the device to.

            Checks that run motors or heat are marked. Against a simulator (sim, unix:) \
            they run; against hardware (usb:, serial:) they need --allow-actuation: the \
            device will heat to its cap and vibrate at full intensity, so nobody must be \
            on it.

            Fault checks need a device with that fault: with --device sim each runs on a \
            fresh in-process simulator with the fault injected. For a simulator in another \
            process, start it with the fault (massagectl simulate --sensor-open-at 0s ...) \
            and pass --expect-fault sensor-open: then only the handshake and that check run.

            DEVICE URIS
              \(DeviceURI.syntaxHelp)

            EXAMPLES
              massagectl conform --device sim
              massagectl conform --device sim:mat-16 --json
              massagectl conform --device unix:/tmp/massage.sock --only watchdog outputs.rate-limit
              massagectl conform --device serial:/dev/ttyACM0 --allow-actuation

            EXIT STATUS
              0   every check passed or was skipped
              1   a check failed, or the device could not be reached
              64  usage error
            """
    )

    @Option(help: ArgumentHelp("The device (see DEVICE URIS above).", valueName: "URI"), completion: ShellCompletions.devices)
    var device: String

    @Flag(help: "Print one JSON document instead of the table: device, passed, failed, skipped, duration_s, and results (id, section, title, verdict pass/fail/skip, figure, actuation, duration_s).")
    var json = false

    @Flag(name: .shortAndLong, help: "Print only the failed checks and the summary line.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Under each check's line, also print what it checks.")
    var verbose = false

    @Flag(help: "Let checks drive the motors and heat real hardware (nobody may be on the device).")
    var allowActuation = false

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Run only these checks (an id, or a prefix such as watchdog).", valueName: "id"))
    var only: [String] = []

    @Option(help: ArgumentHelp("The device was started with this fault: \(InjectedFault.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "fault"))
    var expectFault: String?

    @Flag(help: "Also run the checks that take a minute or more (over temperature, heat time limit).")
    var long = false

    @Flag(help: "List the checks and exit.")
    var list = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose ask for opposite things; give one") }
        if json && (quiet || verbose) { throw ValidationError("--json prints one document with every check; --quiet and --verbose are for the table") }
        if let expectFault, InjectedFault(rawValue: expectFault) == nil {
            throw ValidationError("--expect-fault takes one of \(InjectedFault.allCases.map(\.rawValue).joined(separator: ", ")), not '\(expectFault)'")
        }
        let ids = ConformanceSuite.checks.map(\.id)
        for id in only where !ids.contains(where: { $0 == id || $0.hasPrefix(id + ".") }) {
            throw ValidationError("no check '\(id)'; see massagectl conform --list --device sim")
        }
    }

    func run() throws {
        if list {
            for check in ConformanceSuite.checks {
                print("\(check.id.padding(toLength: 28, withPad: " ", startingAt: 0)) §\(check.section)  \(check.title)\(mark(check.actuation))")
            }
            return
        }
        let expected = expectFault.flatMap(InjectedFault.init(rawValue:))
        let connector: DeviceConnector
        do {
            connector = try DeviceConnector.make(device: device, simulatorFaults: expected.map(Self.plan) ?? FaultPlan())
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitCode.validationFailure
        }
        let faulted = FaultedSimulators()
        defer {
            connector.shutDown()
            for other in faulted.connectors.withLock({ $0 }) { other.shutDown() }
        }

        var options = ConformanceOptions()
        options.isSimulated = connector.uri.isSimulator || { if case .unix = connector.uri { true } else { false } }()
        options.allowActuation = allowActuation
        options.only = only
        options.includeLong = long
        options.expectedFault = expected
        if connector.uri.isSimulator && expected == nil {
            // Each fault check gets a fresh in-process simulator with that fault.
            let device = device
            options.openFaulted = { fault in
                let other = try DeviceConnector.make(device: device, simulatorFaults: Self.plan(for: fault))
                faulted.connectors.withLock { $0.append(other) }
                return try other.open(serial: nil)
            }
        }
        if allowActuation && !options.isSimulated {
            StandardError.print("WARNING: \(connector.uri) will heat to its cap and vibrate at full intensity during this run. Nobody must be on it.")
        }
        let suite = ConformanceSuite(device: connector.uri.description, options: options) {
            try connector.open(serial: nil)
        }
        let json = json
        let quiet = quiet
        let verbose = verbose
        if !json && !quiet { print("conformance of \(connector.uri) to firmware-protocol/PROTOCOL.md (version 2)") }
        let report = suite.run { result in
            guard !json, !quiet || result.verdict == .fail else { return }
            print(Self.line(result))
            if verbose { print("      checks: \(result.title)") }
        }
        if json {
            print(Self.json(report))
        } else {
            print(String(format: "%d passed, %d failed, %d skipped in %.1f s against %@",
                         report.passed, report.failed, report.skipped, report.seconds, report.device))
        }
        if report.failed > 0 { throw ExitCode.failure }
    }

    func mark(_ actuation: Actuation) -> String { actuation.isActuating ? " [\(actuation.rawValue)]" : "" }

    static func line(_ r: CheckResult) -> String {
        let marked = r.actuation.isActuating ? " [\(r.actuation.rawValue)]" : ""
        return "\(r.verdict.rawValue)  \(r.id.padding(toLength: 26, withPad: " ", startingAt: 0)) \(r.figure)  (§\(r.section))\(marked)"
    }

    /// The report as one JSON document, in the convention of every `--json` (README,
    /// "JSON output"): snake_case keys, the unit in the key (`duration_s`), values that
    /// are words in snake_case (`pass`, `vibrates_full`).
    static func json(_ report: ConformanceReport) -> String {
        JSONOutput.text([
            "device": report.device,
            "passed": report.passed,
            "failed": report.failed,
            "skipped": report.skipped,
            "duration_s": report.seconds,
            "results": report.results.map { result in
                [
                    "id": result.id,
                    "section": result.section,
                    "title": result.title,
                    "verdict": result.verdict.rawValue.lowercased(),
                    "figure": result.figure,
                    "actuation": jsonName(result.actuation),
                    "duration_s": result.seconds,
                ] as [String: Any]
            },
        ] as [String: Any])
    }

    /// `vibrates at full intensity` → `vibrates_full`: what a check drives, as a word.
    static func jsonName(_ actuation: Actuation) -> String {
        switch actuation {
        case .none: "none"
        case .vibrates: "vibrates"
        case .vibratesFull: "vibrates_full"
        case .heats: "heats"
        case .heatsAndVibrates: "heats_and_vibrates"
        }
    }

    /// The simulator fault that gives `fault`, from power-up.
    static func plan(for fault: InjectedFault) -> FaultPlan {
        var plan = FaultPlan()
        switch fault {
        case .sensorOpen: plan.sensorOpenAt = 0
        case .sensorShort: plan.sensorShortedAt = 0
        case .sensorDetach: plan.sensorDetachedAt = 0
        case .stuckMotor: plan.stuckMotor = (motor: 0, time: 0)
        }
        return plan
    }
}

/// The in-process simulators started for fault checks, stopped when the run ends.
final class FaultedSimulators: Sendable {
    let connectors = Mutex<[DeviceConnector]>([])
}
