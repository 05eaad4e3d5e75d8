import Foundation
import MassageKit
@testable import MassageProgramFiles
import PropertyBased
import Testing

@Suite("reading and writing programs")
struct RoundTripTests {
    static let yaml = """
        name: my-back
        title: My back routine
        technique: "Friction: circular movements"
        description: |
          Circles, then kneading.
          Then heat alone.
        steps:
          - name: circles
            duration: 1m30s
            intensity: 60%
            heat: 39°C
            pattern: {circular: {period: 1.5s, width: 120, direction: counterclockwise, low: 10%, high: 0.8}}
          - name: kneading
            duration: 500ms
            pattern:
              scale:
                factor: 50%
                pattern: {knead: {period: 2s, grouping: halves, axis: 90°}}
          - name: heat only
            duration: 2m
            heat: 38
            pattern: off
        """

    static let json = """
        {
          "name": "my-back",
          "title": "My back routine",
          "technique": "Friction: circular movements",
          "description": "Circles, then kneading.\\nThen heat alone.\\n",
          "steps": [
            {"name": "circles", "duration": 90, "intensity": 0.6, "heat": "39 °C",
             "pattern": {"circular": {"period": "1500ms", "width": 120, "direction": "counterclockwise", "low": "10%", "high": 0.8}}},
            {"name": "kneading", "duration": "0.5s", "intensity": "100%",
             "pattern": {"scale": {"factor": 0.5, "pattern": {"knead": {"period": 2, "grouping": "halves", "axis": 90}}}}},
            {"name": "heat only", "duration": "2 min", "heat": 38, "pattern": "off"}
          ]
        }
        """

    /// The program both texts describe, built directly.
    static func expected() throws -> Program {
        Program(
            name: "my-back", title: "My back routine", technique: "Friction: circular movements",
            description: "Circles, then kneading.\nThen heat alone.\n",
            steps: [
                ProgramStep(name: "circles", duration: 90,
                            pattern: .circular(try Circular(period: 1.5, width: 120, direction: .counterclockwise, low: 0.1, high: 0.8)),
                            intensity: 0.6, heat: 39),
                ProgramStep(name: "kneading", duration: 0.5,
                            pattern: .scale(try Scale(0.5, of: .knead(try Knead(period: 2, grouping: .halves(axis: 90)))))),
                ProgramStep(name: "heat only", duration: 120, pattern: .off, intensity: 1, heat: 38),
            ])
    }

    @Test("a YAML file reads as the program it describes")
    func yamlReads() throws {
        #expect(try ProgramFile.parse(Self.yaml, format: .yaml) == Self.expected())
    }

    @Test("the same program in JSON reads the same")
    func jsonReads() throws {
        #expect(try ProgramFile.parse(Self.json, format: .json) == Self.expected())
    }

    @Test("YAML → program → YAML → program gives the same program, and JSON likewise")
    func roundTrip() throws {
        let program = try Self.expected()
        let yaml = ProgramFile.yaml(program)
        #expect(try ProgramFile.parse(yaml, format: .yaml) == program, "\(yaml)")
        let json = ProgramFile.json(program)
        #expect(try ProgramFile.parse(json, format: .json) == program, "\(json)")
        // The JSON writer's output is JSON that Foundation reads too.
        #expect(try JSONSerialization.jsonObject(with: Data(json.utf8)) is [String: Any])
    }

    @Test("the format follows the extension, else the first character")
    func formatGuess() {
        #expect(ProgramFileFormat.guess(path: "a.JSON", data: Data("name: x".utf8)) == .json)
        #expect(ProgramFileFormat.guess(path: "a.yml", data: Data("{}".utf8)) == .yaml)
        #expect(ProgramFileFormat.guess(path: "a.txt", data: Data("  \n{\"name\": 1}".utf8)) == .json)
        #expect(ProgramFileFormat.guess(path: nil, data: Data("name: x".utf8)) == .yaml)
    }

    @Test("files on disk load, with the path in errors")
    func loadFromDisk() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("programs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good.json")
        try Data(Self.json.utf8).write(to: good)
        #expect(try ProgramFile.load(path: good.path) == Self.expected())
        let missing = directory.appendingPathComponent("missing.yaml").path
        let error = #expect(throws: ProgramFileError.self) { try ProgramFile.load(path: missing) }
        #expect(error?.description == "\(missing): no such file")
        let folder = #expect(throws: ProgramFileError.self) { try ProgramFile.load(path: directory.path) }
        #expect(folder?.description.contains("is a directory") == true)
    }

    static let recipe = Gen.double(in: 0 ..< 1).array(of: 1 ... 120)

    @Test("any valid program written as YAML or JSON reads back as the same program")
    func randomRoundTrip() async {
        await propertyCheck(count: 200, input: Self.recipe) { recipe in
            var builder = RandomProgram(recipe)
            let program: Program
            do { program = try builder.program() } catch {
                Issue.record("the generator made an invalid pattern: \(error)")
                return
            }
            let yaml = ProgramFile.yaml(program)
            do { #expect(try ProgramFile.parse(yaml, format: .yaml) == program, "\(yaml)") } catch {
                Issue.record("\(error)\n\(yaml)")
            }
            let json = ProgramFile.json(program)
            do { #expect(try ProgramFile.parse(json, format: .json) == program, "\(json)") } catch {
                Issue.record("\(error)\n\(json)")
            }
        }
    }
}
