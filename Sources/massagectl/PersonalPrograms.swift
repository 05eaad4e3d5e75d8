import Foundation
import MassageKit
import MassageProgramFiles

/// The person's own program folder, `$XDG_CONFIG_HOME/massage-control/programs/` (or
/// `~/.config/…`): `programs` lists it beside the built-ins, `run NAME` and `show NAME`
/// find a program there by name, and `new NAME --from swedish` copies one into it.
enum PersonalPrograms {
    /// The folder, or nil when neither XDG_CONFIG_HOME (absolute) nor HOME is set.
    static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
            return config + "/massage-control/programs"
        }
        if let home = environment["HOME"], !home.isEmpty {
            return home + "/.config/massage-control/programs"
        }
        return nil
    }

    static let extensions = ["yaml", "yml", "json"]

    /// The file of program `name` in the folder, if there is one.
    static func file(named name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard isName(name), let directory = directory(environment: environment) else { return nil }
        return extensions.lazy.map { "\(directory)/\(name).\($0)" }.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Every program file in the folder, sorted by name (at most 1000 are looked at).
    static func files(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        guard let directory = directory(environment: environment),
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.filter { name in extensions.contains { name.lowercased().hasSuffix("." + $0) } }
            .sorted().prefix(1000).map { "\(directory)/\($0)" }
    }

    /// Whether `text` is a program name: `a-z`, `0-9` and `-`, 1–64 characters.
    static func isName(_ text: String) -> Bool {
        ProgramFileLimits.nameLength.contains(text.count)
            && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}
