import ArgumentParser
import Foundation
import MassageKit
import MassageProgramFiles
import MassageSimulator

/// What the shell completions offer (`massagectl --generate-completion-script bash|zsh|fish`,
/// README "Shell completions and man page"): ArgumentParser's scripts call back into
/// massagectl for these, so they follow the built-ins, the person's own program folder
/// and the devices attached at the time of the Tab.
enum ShellCompletions {
    /// Program names: the built-ins, then the person's own (`programs/NAME.yaml`).
    static let programs = CompletionKind.custom { _, _, prefix in
        programNames(environment: ProcessInfo.processInfo.environment).filter { $0.hasPrefix(prefix) }
    }

    /// Simulator profile names (`simulate --profile`).
    static let profiles = CompletionKind.custom { _, _, prefix in
        SimulatorProfile.builtIn.map(\.name).filter { $0.hasPrefix(prefix) }
    }

    /// Device URIs: the simulators (with their body scenarios for the mat), usb, the
    /// serial ports and GPIO chips present, and the UNIX sockets in /tmp.
    static let devices = CompletionKind.custom { _, _, prefix in
        deviceURIs().filter { $0.hasPrefix(prefix) }
    }

    /// Mat URIs for `mat watch` and `mat session`: the simulated mat and its body
    /// scenarios, GPIO chips, and devices that may be a mat.
    static let mats = CompletionKind.custom { _, _, prefix in
        deviceURIs().filter { $0.hasPrefix(prefix) && !($0.hasPrefix("sim") && !$0.hasPrefix("sim:mat")) }
    }

    /// Built-in program names and the names of the programs in the personal folder, each
    /// once, sorted within each group. Names that are not program names (a file called
    /// `my back.yaml`) are left out: they could not be run by name.
    static func programNames(environment: [String: String]) -> [String] {
        let builtIn = BuiltInPrograms.sources.map(\.name)
        let own = PersonalPrograms.files(environment: environment).map { path in
            ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        }.filter { PersonalPrograms.isName($0) && !builtIn.contains($0) }
        return builtIn + Array(Set(own)).sorted()
    }

    /// The device URIs worth offering now.
    static func deviceURIs() -> [String] {
        var uris = ["sim"] + SimulatorProfile.builtIn.map { "sim:\($0.name)" }
        for profile in SimulatorProfile.builtIn where profile.matShape != nil {
            uris += BodyScenario.allCases.filter { $0 != .default }.map { "sim:\(profile.name)?body=\($0.rawValue)" }
        }
        uris.append("usb")
        let dev = (try? FileManager.default.contentsOfDirectory(atPath: "/dev")) ?? []
        uris += dev.filter { $0.hasPrefix("ttyACM") || $0.hasPrefix("ttyUSB") }.sorted().map { "serial:/dev/\($0)" }
        uris += dev.filter { $0.hasPrefix("gpiochip") }.sorted().map { "gpio:\($0)?lines=" }
        let tmp = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        uris += tmp.filter { $0.hasSuffix(".sock") }.sorted().prefix(20).map { "unix:/tmp/\($0)" }
        return uris.filter { TerminalText.escaped($0) == $0 }
    }
}
