import MassageConformance
import MassageSimulator
import Testing

/// The two checks that take a minute each (over temperature, heat time limit) against the
/// in-process simulator: their own suite, so they run beside the others (they mostly wait
/// for the simulated heater) and CI's `conform --device sim` can leave out `--long`.
@Suite struct ConformanceLongChecksTests {
    @Test("fault.over-temperature and fault.heat-time pass against the in-process simulator (about 2 minutes)")
    func longChecksPass() throws {
        let simulators = ConformanceSuiteTests.Simulators()
        defer { simulators.stopAll() }
        var options = ConformanceOptions()
        options.isSimulated = true
        options.includeLong = true
        options.only = ["fault.over-temperature", "fault.heat-time"]
        let report = ConformanceSuite(device: "sim", options: options) { try simulators.open() }.run()
        #expect(report.failed == 0, "\(ConformanceSuiteTests.failures(report))")
        let verdicts = Dictionary(uniqueKeysWithValues: report.results.map { ($0.id, $0.verdict) })
        #expect(verdicts["fault.over-temperature"] == .pass && verdicts["fault.heat-time"] == .pass, "\(verdicts)")
    }
}
