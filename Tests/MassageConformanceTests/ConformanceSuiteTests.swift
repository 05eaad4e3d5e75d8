import Foundation
import MassageConformance
import MassageKit
import MassageSimulator
import Synchronization
import Testing

/// The suite against the in-process simulator (it must pass), against deliberately broken
/// devices (the right checks must fail), and its actuation guard.
@Suite(.serialized) struct ConformanceSuiteTests {
    /// Simulators started by a test, stopped at its end.
    final class Simulators: Sendable {
        let started = Mutex<[LocalSimulator]>([])

        func open(profile: String? = nil, faults: FaultPlan = FaultPlan()) throws -> any Transport {
            let simulator = try LocalSimulator(profile: profile, faults: faults)
            started.withLock { $0.append(simulator) }
            return simulator.transport
        }

        func stopAll() {
            for s in started.withLock({ $0 }) { s.stop() }
        }
    }

    static func plan(_ fault: InjectedFault) -> FaultPlan {
        var plan = FaultPlan()
        switch fault {
        case .sensorOpen: plan.sensorOpenAt = 0
        case .sensorShort: plan.sensorShortedAt = 0
        case .sensorDetach: plan.sensorDetachedAt = 0
        case .stuckMotor: plan.stuckMotor = (motor: 0, time: 0)
        }
        return plan
    }

    static func failures(_ report: ConformanceReport) -> String {
        report.results.filter { $0.verdict == .fail }.map { "\($0.id): \($0.figure)" }.joined(separator: "\n")
    }

    // The two checks that take over 20 s each (runaway, dose) run in CI through the
    // binary (`massagectl conform --device sim`), not here.
    static let slow = ["fault.runaway", "fault.dose"]

    @Test("every check passes or is skipped against the in-process simulator, each fault on a fresh simulator with it")
    func passesAgainstTheSimulator() throws {
        let simulators = Simulators()
        defer { simulators.stopAll() }
        var options = ConformanceOptions()
        options.isSimulated = true
        options.only = ConformanceSuite.checks.map(\.id).filter { !Self.slow.contains($0) }
        options.openFaulted = { fault in try simulators.open(faults: Self.plan(fault)) }
        let report = ConformanceSuite(device: "sim", options: options) { try simulators.open() }.run()
        #expect(report.failed == 0, "\(Self.failures(report))")
        #expect(report.passed >= 45, "only \(report.passed) passed")
        // The first check needs a device fresh from power-up, and the suite's first
        // connection is one.
        #expect(report.results.first { $0.id == "handshake.before-hello" }?.verdict == .pass)
    }

    @Test("the mat profile: MatReport timing checked, motor and heater checks skipped with the reason")
    func matProfile() throws {
        let simulators = Simulators()
        defer { simulators.stopAll() }
        var options = ConformanceOptions()
        options.isSimulated = true
        options.only = ["periodic", "info", "heater.clamp", "outputs.slew", "config.ranges"]
        let report = ConformanceSuite(device: "sim:mat-16", options: options) { try simulators.open(profile: "mat-16") }.run()
        #expect(report.failed == 0, "\(Self.failures(report))")
        let byId = Dictionary(uniqueKeysWithValues: report.results.map { ($0.id, $0) })
        #expect(byId["periodic.mat-report"]?.verdict == .pass)
        #expect(byId["heater.clamp"]?.verdict == .skip && byId["heater.clamp"]?.figure.contains("no heater") == true)
        #expect(byId["outputs.slew"]?.verdict == .skip && byId["outputs.slew"]?.figure.contains("no motors") == true)
    }

    @Test("a device that drops a SetOutputs sent within 5 ms of the last fails latest-value-wins and lower-at-once")
    func dropsTheNewestSetOutputs() throws {
        let simulators = Simulators()
        defer { simulators.stopAll() }
        var options = ConformanceOptions()
        options.isSimulated = true
        options.only = ["outputs.latest-wins", "outputs.lower-at-once", "outputs.stop"]
        let report = ConformanceSuite(device: "broken", options: options) {
            BrokenDevice(try simulators.open(), .dropNewestSetOutputs)
        }.run()
        let byId = Dictionary(uniqueKeysWithValues: report.results.map { ($0.id, $0.verdict) })
        #expect(byId["outputs.latest-wins"] == .fail)
        #expect(byId["outputs.lower-at-once"] == .fail)
        #expect(byId["outputs.stop"] == .pass)
    }

    @Test("a device that never trips its watchdog fails the watchdog checks, and its idle check still passes")
    func ignoresTheWatchdog() throws {
        let simulators = Simulators()
        defer { simulators.stopAll() }
        var options = ConformanceOptions()
        options.isSimulated = true
        options.only = ["watchdog.250", "watchdog.idle", "clearfault.watchdog"]
        let report = ConformanceSuite(device: "broken", options: options) {
            BrokenDevice(try simulators.open(), .ignoresWatchdog)
        }.run()
        let byId = Dictionary(uniqueKeysWithValues: report.results.map { ($0.id, $0) })
        #expect(byId["watchdog.250"]?.verdict == .fail)
        #expect(byId["watchdog.250"]?.figure.contains("no watchdog Fault") == true)
        #expect(byId["clearfault.watchdog"]?.verdict == .fail)
        #expect(byId["watchdog.idle"]?.verdict == .pass)
    }

    @Test("real hardware without actuation allowed: every check that moves or heats is skipped and says why")
    func actuationNeedsConsent() throws {
        let simulators = Simulators()
        defer { simulators.stopAll() }
        var options = ConformanceOptions()
        options.isSimulated = false
        options.only = ["outputs.stop", "heater.clamp", "fault.dose", "config.read"]
        let report = ConformanceSuite(device: "pretend-usb", options: options) { try simulators.open() }.run()
        for result in report.results {
            if result.actuation.isActuating {
                #expect(result.verdict == .skip && result.figure.contains("--allow-actuation"), "\(result.id): \(result.figure)")
            } else {
                #expect(result.verdict == .pass, "\(result.id): \(result.figure)")
            }
        }
        options.allowActuation = true
        options.only = ["outputs.stop"]
        let allowed = ConformanceSuite(device: "pretend-usb", options: options) { try simulators.open() }
        let run = allowed.run()
        #expect(run.results.first { $0.id == "outputs.stop" }?.verdict == .pass)
    }

    @Test("every check has a unique id, a section and a title")
    func checkTable() {
        let ids = ConformanceSuite.checks.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(ConformanceSuite.checks.allSatisfy { !$0.section.isEmpty && !$0.title.isEmpty })
    }
}
