import Foundation
import MassageKit

/// A hardware fault a simulated device can be made to have (massagectl simulate's
/// `--sensor-open-at`, `--sensor-short-at`, `--sensor-detach-at`, `--stuck-motor`).
public enum InjectedFault: String, CaseIterable, Sendable {
    case sensorOpen = "sensor-open"
    case sensorShort = "sensor-short"
    /// The sensor comes off the element: heating gains nothing, a thermal runaway.
    case sensorDetach = "sensor-detach"
    /// Motor 0 jams.
    case stuckMotor = "stuck-motor"

    /// The `massagectl simulate` option that injects it from power-up.
    public var simulatorFlag: String {
        switch self {
        case .sensorOpen: "--sensor-open-at 0s"
        case .sensorShort: "--sensor-short-at 0s"
        case .sensorDetach: "--sensor-detach-at 0s"
        case .stuckMotor: "--stuck-motor 0@0s"
        }
    }
}

/// What a check needs of the device, or it is skipped.
public enum Requirement: Sendable {
    case motors, heater, mat
    /// A device that has not seen a Hello since power-up (the first connection).
    case fresh
    /// A device set up with this hardware fault.
    case fault(InjectedFault)
}

/// One promise of PROTOCOL.md and how it is checked.
public struct Check: Sendable {
    public var id: String
    public var section: String
    public var title: String
    public var actuation: Actuation
    public var requires: [Requirement]
    /// Seconds a check needs when it takes over half a minute; it runs only with
    /// `includeLong`.
    public var longSeconds: Int?
    let body: @Sendable (DeviceProbe) throws -> CheckOutcome

    init(_ id: String, _ section: String, _ title: String, actuation: Actuation = .none, requires: [Requirement] = [],
         longSeconds: Int? = nil, body: @escaping @Sendable (DeviceProbe) throws -> CheckOutcome) {
        self.id = id
        self.section = section
        self.title = title
        self.actuation = actuation
        self.requires = requires
        self.longSeconds = longSeconds
        self.body = body
    }
}

/// How the suite runs.
public struct ConformanceOptions: Sendable {
    /// The device is a simulator: nothing physical moves or heats, so every check runs.
    public var isSimulated = false
    /// A person confirmed that nobody is on the device: checks that drive motors or the
    /// heater of real hardware may run.
    public var allowActuation = false
    /// Run only checks whose id equals one of these or starts with one followed by ".".
    public var only: [String] = []
    /// The device under test was set up with this fault (a simulator started with a
    /// fault flag): only the handshake and that fault's check run; the rest would
    /// fail for the injected reason.
    public var expectedFault: InjectedFault? = nil
    /// Opens a fresh device with this fault for the fault checks (the in-process
    /// simulator); nil when the suite cannot make one.
    public var openFaulted: (@Sendable (InjectedFault) throws -> any Transport)? = nil
    /// Also run the checks that take a minute or more (heat time limit, over temperature).
    public var includeLong = false

    public init() {}
}

/// The conformance suite: runs every check against one device and reports each.
public final class ConformanceSuite {
    let name: String
    let options: ConformanceOptions
    let open: @Sendable () throws -> any Transport

    /// `open` opens the device's transport; it is called again after a link loss.
    public init(device name: String, options: ConformanceOptions, open: @escaping @Sendable () throws -> any Transport) {
        self.name = name
        self.options = options
        self.open = open
    }

    /// Every check, in the order they run.
    public static var checks: [Check] {
        handshakeChecks + infoChecks + frameChecks + configChecks + outputChecks + heaterChecks
            + watchdogChecks + retryChecks + clearFaultChecks + periodicChecks + faultChecks + finalChecks
    }

    func selected(_ check: Check) -> Bool {
        options.only.isEmpty || options.only.contains { check.id == $0 || check.id.hasPrefix($0 + ".") }
    }

    /// Runs the checks; `progress` sees each result as it is made.
    public func run(progress: (CheckResult) -> Void = { _ in }) -> ConformanceReport {
        let started = ContinuousClock.now
        var results: [CheckResult] = []
        func record(_ check: Check, _ verdict: Verdict, _ figure: String, since: ContinuousClock.Instant) {
            let elapsed = ContinuousClock.now - since
            let result = CheckResult(id: check.id, section: check.section, title: check.title, verdict: verdict,
                                     figure: figure, actuation: check.actuation,
                                     seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            results.append(result)
            progress(result)
        }
        let checks = Self.checks.filter(selected)

        let probe: DeviceProbe
        do {
            probe = try DeviceProbe(link: ConformanceLink(open: open))
        } catch {
            for check in checks {
                if let reason = skipReason(check, fresh: false, facts: nil) {
                    record(check, .skip, reason, since: ContinuousClock.now)
                } else {
                    record(check, .fail, "cannot open the device: \(error)", since: ContinuousClock.now)
                }
            }
            return report(results, started)
        }
        defer {
            probe.finish()
            probe.link.close()
        }
        // Whether the device is fresh (no Hello since power-up) is read once, before any
        // check sends one.
        let fresh = (try? probe.status().state) == 0
        var firstCheck = true

        for check in checks {
            let begin = ContinuousClock.now
            if let reason = skipReason(check, fresh: fresh && firstCheck, facts: nil) {
                record(check, .skip, reason, since: begin)
                continue
            }
            let fault = check.requires.lazy.compactMap { if case .fault(let f) = $0 { f } else { nil } }.first
            do {
                let outcome: CheckOutcome
                if let fault, options.expectedFault != fault {
                    outcome = try runOnFaultedDevice(check, fault)
                } else {
                    let needsFresh = check.requires.contains { if case .fresh = $0 { true } else { false } }
                    if fault != nil || options.expectedFault != nil {
                        // The device was started with this fault: it may be latched
                        // already, and ClearFault cannot clear it.
                        try probe.prepare(clearingFaults: false)
                    } else if !needsFresh {
                        try probe.prepare()
                    }
                    firstCheck = false
                    if let reason = skipReason(check, fresh: true, facts: probe.facts) {
                        record(check, .skip, reason, since: begin)
                        continue
                    }
                    outcome = try check.body(probe)
                }
                switch outcome {
                case .pass(let figure): record(check, .pass, figure, since: begin)
                case .fail(let figure): record(check, .fail, figure, since: begin)
                case .skip(let reason): record(check, .skip, reason, since: begin)
                }
            } catch {
                record(check, .fail, "\(error)", since: begin)
            }
            // Whatever the check did, nothing stays driven between checks.
            _ = try? probe.link.request(type: WireType.stop)
        }
        return report(results, started)
    }

    func report(_ results: [CheckResult], _ started: ContinuousClock.Instant) -> ConformanceReport {
        let elapsed = ContinuousClock.now - started
        return ConformanceReport(device: name, results: results,
                                 seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Why `check` cannot run here, or nil.
    func skipReason(_ check: Check, fresh: Bool, facts: DeviceFacts?) -> String? {
        if let seconds = check.longSeconds, !options.includeLong {
            return "takes about \(seconds) s: run with --long"
        }
        if check.actuation.isActuating && !options.isSimulated && !options.allowActuation {
            return "it \(check.actuation.rawValue): needs actuation allowed (--allow-actuation, nobody on the device)"
        }
        let fault = check.requires.lazy.compactMap { if case .fault(let f) = $0 { f } else { nil } }.first
        if let expected = options.expectedFault {
            let isHandshake = check.id.hasPrefix("handshake.hello")
            if fault != expected && !isHandshake {
                return "the device is set up to fail (\(expected.rawValue)); only its fault check runs"
            }
        } else if let fault, options.openFaulted == nil {
            return "needs a simulator with the fault \(fault.rawValue) (massagectl simulate \(fault.simulatorFlag), then --expect-fault \(fault.rawValue))"
        }
        for requirement in check.requires {
            switch requirement {
            case .fresh where !fresh:
                return "needs a device that has not had a Hello since power-up (run it first, on a freshly started device)"
            case .motors where facts.map({ !$0.hasMotors }) ?? false: return "the device has no motors"
            case .heater where facts.map({ !$0.hasHeater }) ?? false: return "the device has no heater"
            case .mat where facts.map({ !$0.hasMat }) ?? false: return "the device has no mat zones"
            default: continue
            }
        }
        return nil
    }

    /// Runs a fault check on a device opened with that fault, then closes it.
    func runOnFaultedDevice(_ check: Check, _ fault: InjectedFault) throws -> CheckOutcome {
        guard let openFaulted = options.openFaulted else { return .skip("no faulted device") }
        let link = try ConformanceLink(open: { try openFaulted(fault) })
        defer {
            _ = try? link.request(type: WireType.stop)
            link.close()
        }
        let probe = try DeviceProbe(link: link)
        try probe.handshake()
        if let reason = skipReason(check, fresh: true, facts: probe.facts) { return .skip(reason) }
        try link.drain()
        return try check.body(probe)
    }
}
