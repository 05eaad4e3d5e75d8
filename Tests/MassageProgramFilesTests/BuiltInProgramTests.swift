import MassageKit
@testable import MassageProgramFiles
import Testing

@Suite("built-in programs")
struct BuiltInProgramTests {
    @Test("every built-in parses and validates", arguments: BuiltInPrograms.sources.map(\.name))
    func parses(name: String) throws {
        let source = try #require(BuiltInPrograms.source(named: name))
        let program = try ProgramFile.parse(source.yaml, format: .yaml, file: "built-in \(name)")
        #expect(program.name == name, "the source's name and its program's name differ")
        #expect(!program.title.isEmpty)
        #expect(program.description.count > 40, "\(name) needs a description that says what it does")
        #expect(program.technique.count > 10, "\(name) needs the technique it follows")
        #expect((5 * 60 ... 20 * 60).contains(program.duration), "\(name) lasts \(program.duration) s, outside 5–20 minutes")
        for step in program.steps {
            if let heat = step.heat { #expect((38 ... 41).contains(heat), "\(name): \(step.name) heats to \(heat) °C") }
        }
    }

    @Test("the library has at least eight programs with distinct names, one about 20 minutes long")
    func library() throws {
        let programs = try BuiltInPrograms.all()
        #expect(programs.count >= 8)
        #expect(Set(programs.map(\.name)).count == programs.count)
        #expect(programs.contains { $0.duration >= 19 * 60 })
        #expect(programs.contains { $0.heats } && programs.contains { !$0.heats })
        // A heat-only program: heat on, every pattern off.
        #expect(programs.contains { p in p.heats && p.steps.allSatisfy { $0.pattern == .off } })
    }

    @Test("the techniques of the seeds are all there")
    func techniques() throws {
        let techniques = try BuiltInPrograms.all().map { $0.technique.lowercased() }
        for word in ["swedish", "deep tissue", "shiatsu", "trigger point", "friction", "effleurage", "petrissage", "tennis ball", "hot stone", "circular motions"] {
            #expect(techniques.contains { $0.contains(word) }, "no built-in follows \(word)")
        }
    }

    @Test("trigger-point holds last 20–30 s each")
    func triggerPointHolds() throws {
        let program = try #require(try BuiltInPrograms.named("trigger-point"))
        var holds: [Double] = []
        for step in program.steps {
            if case .sequence(let sequence) = step.pattern {
                for part in sequence.steps { if case .hold = part.pattern { holds.append(part.duration) } }
            }
        }
        #expect(holds.count >= 4)
        #expect(holds.allSatisfy { (20 ... 30).contains($0) }, "\(holds)")
    }

    @Test("each built-in written back as YAML and as JSON reads as the same program")
    func writtenBack() throws {
        for program in try BuiltInPrograms.all() {
            #expect(try ProgramFile.parse(ProgramFile.yaml(program), format: .yaml) == program, "\(program.name) via YAML")
            #expect(try ProgramFile.parse(ProgramFile.json(program), format: .json) == program, "\(program.name) via JSON")
        }
    }

    @Test("an unknown name is nil, not an error")
    func unknown() throws {
        #expect(try BuiltInPrograms.named("no-such-program") == nil)
    }
}
