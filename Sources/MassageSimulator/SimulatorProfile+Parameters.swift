/// Why a simulator profile, with its parameters, was refused: says what is allowed.
public struct SimulatorProfileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
}

extension SimulatorProfile {
    /// The profile a `sim:` URI names: `NAME`, or `NAME?PARAMETERS` with `body=SCENARIO`
    /// (a ``BodyScenario``: what the simulated person does on a mat) and `seed=N` (the
    /// body's times), joined by `&`: `mat-16?body=gets-up&seed=3`.
    public static func parse(_ text: String) throws(SimulatorProfileError) -> SimulatorProfile {
        let parts = text.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0])
        guard var profile = builtIn.first(where: { $0.name == name }) else {
            throw SimulatorProfileError(description: "no simulator profile '\(name)'; the profiles are: "
                + builtIn.map(\.name).joined(separator: ", "))
        }
        guard parts.count == 2 else { return profile }
        for parameter in parts[1].split(separator: "&", omittingEmptySubsequences: false) {
            let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(pair[0])
            guard pair.count == 2, !pair[1].isEmpty else {
                throw SimulatorProfileError(description: "'\(parameter)' is not KEY=VALUE; write body=SCENARIO or seed=N (e.g. \(name)?body=gets-up&seed=3)")
            }
            let value = String(pair[1])
            switch key {
            case "body":
                guard profile.matShape != nil else {
                    throw SimulatorProfileError(description: "body=\(value): profile '\(name)' has no mat; body scripts are for a mat (mat-16)")
                }
                guard let scenario = BodyScenario.named(value) else {
                    throw SimulatorProfileError(description: "no body scenario '\(value)'; the scenarios are: \(BodyScenario.namesText)")
                }
                profile.body = scenario
            case "seed":
                guard let seed = UInt64(value) else {
                    throw SimulatorProfileError(description: "seed=\(value): the seed is a whole number, 0–\(UInt64.max)")
                }
                profile.bodySeed = seed
            default:
                throw SimulatorProfileError(description: "'\(key)' is not a simulator parameter; the parameters are body=SCENARIO (\(BodyScenario.namesText)) and seed=N")
            }
        }
        return profile
    }
}
