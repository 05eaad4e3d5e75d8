import Testing

/// The HTTP suites (APITests, ControlRaceTests, DeadManSwitchTests, MatSessionTests) need the service's web
/// stack, which only the Service trait builds. Without it they are absent; this skip says
/// so in the test report instead of letting them vanish without a word.
#if !Service
@Suite struct ServiceTraitTests {
    @Test(.disabled("built without the Service trait: APITests, ControlRaceTests, DeadManClaimTests, DeadManSwitchTests, MatSessionTests and DashboardFilesTests are not compiled; run swift test --traits Service"))
    func theHTTPSuitesNeedTheServiceTrait() {}
}
#endif
