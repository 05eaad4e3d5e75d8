import MassageKit

/// The built-in program library, drawn from the seed texts' techniques. Each program is
/// kept as the YAML a user would write and read by the same parser and checks as any
/// user's file, so the library can hold nothing a file could not, and
/// `massagectl show NAME --yaml` prints a starting point to copy and edit.
///
/// Figures follow the seeds where they give any: trigger-point pressure is held 20–30 s
/// ("holding for 20-30 seconds"); sessions run 5–20 minutes; heat stays at 38–40 °C,
/// under the 41 °C default cap.
public enum BuiltInPrograms {
    /// One built-in program's source text.
    public struct Source: Sendable {
        public var name: String
        public var yaml: String
    }

    /// The library's sources, in the order `massagectl programs` lists them.
    public static let sources: [Source] = [
        Source(name: "swedish", yaml: swedish),
        Source(name: "deep-tissue", yaml: deepTissue),
        Source(name: "shiatsu", yaml: shiatsu),
        Source(name: "trigger-point", yaml: triggerPoint),
        Source(name: "friction", yaml: friction),
        Source(name: "petrissage", yaml: petrissage),
        Source(name: "effleurage-warm-up", yaml: effleurageWarmUp),
        Source(name: "tennis-ball", yaml: tennisBall),
        Source(name: "heat-and-circles", yaml: heatAndCircles),
        Source(name: "heat-warm-up", yaml: heatWarmUp),
    ]

    /// Every built-in program, parsed and validated. Throws only if a source above is
    /// wrong, which the tests rule out.
    public static func all() throws(ProgramFileError) -> [Program] {
        var programs: [Program] = []
        for source in sources { programs.append(try parse(source)) }
        return programs
    }

    /// The built-in program called `name`, or nil when there is none.
    public static func named(_ name: String) throws(ProgramFileError) -> Program? {
        guard let source = source(named: name) else { return nil }
        return try parse(source)
    }

    /// The YAML text of the built-in program called `name`.
    public static func source(named name: String) -> Source? {
        sources.first { $0.name == name }
    }

    static func parse(_ source: Source) throws(ProgramFileError) -> Program {
        try ProgramFile.parse(source.yaml, format: .yaml, file: "built-in \(source.name)")
    }

    static let swedish = """
        # Swedish massage: the classic, gentle whole-back routine.
        name: swedish
        title: Swedish relaxation
        technique: "Swedish massage: long, flowing strokes (effleurage), kneading (petrissage) and gentle friction"
        description: >-
          A soothing 20-minute routine with gentle warmth: long gliding strokes to warm up,
          kneading, light circular friction, and long strokes again that fade out at the end.
        steps:
          - name: warm-up strokes
            duration: 3m
            intensity: 70%
            heat: 39°C
            pattern: {wave: {period: 6s, width: 0.6, low: 10%, high: 60%}}
          - name: long strokes
            duration: 4m
            intensity: 80%
            heat: 39°C
            pattern: {wave: {period: 4s, width: 0.5, low: 10%, high: 80%}}
          - name: kneading
            duration: 5m
            intensity: 80%
            heat: 39°C
            pattern: {knead: {period: 3s, low: 20%, high: 85%}}
          - name: gentle friction
            duration: 4m
            intensity: 75%
            heat: 39°C
            pattern: {circular: {period: 1.5s, width: 180, low: 15%, high: 70%}}
          - name: closing strokes
            duration: 4m
            intensity: 70%
            heat: 38°C
            pattern:
              envelope:
                attack: 0s
                release: 1m
                length: 4m
                pattern: {wave: {period: 8s, width: 0.7, low: 10%, high: 60%}}
        """

    static let deepTissue = """
        # Deep tissue: firm pressure and slow strokes for chronic tension.
        name: deep-tissue
        title: Deep tissue
        technique: "Deep tissue massage: firm pressure and slow strokes on the deeper layers of muscle"
        description: >-
          Firmer and slower than Swedish: a warm-up, then slow deep strokes, firm kneading and
          slow friction on knots, with warmth throughout. Say when it is too much: lower the
          intensity with --intensity.
        steps:
          - name: warm-up
            duration: 3m
            intensity: 70%
            heat: 40°C
            pattern: {wave: {period: 8s, width: 0.6, low: 20%, high: 60%}}
          - name: slow deep strokes
            duration: 5m
            intensity: 90%
            heat: 40°C
            pattern: {wave: {period: 10s, width: 0.8, low: 40%, high: 100%}}
          - name: firm kneading
            duration: 4m
            intensity: 90%
            heat: 40°C
            pattern: {knead: {period: 6s, low: 40%, high: 100%}}
          - name: slow friction
            duration: 3m
            intensity: 85%
            heat: 40°C
            pattern: {circular: {period: 4s, width: 120, low: 30%, high: 100%}}
        """

    static let shiatsu = """
        # Shiatsu: pulsing pressure.
        name: shiatsu
        title: Shiatsu pressure
        technique: "Shiatsu: pulsing pressure on the points that need attention"
        description: >-
          Every motor presses together in a slow pulse, then a firmer one, a quick flutter,
          and long slow presses to finish. No heat.
        steps:
          - name: settling presses
            duration: 2m
            intensity: 70%
            pattern: {pulse: {period: 4s, duty: 0.5, attack: 0.5s, release: 0.5s, high: 60%}}
          - name: pulsing pressure
            duration: 6m
            intensity: 85%
            pattern: {pulse: {period: 2s, duty: 0.6, attack: 0.3s, release: 0.3s, low: 10%, high: 90%}}
          - name: flutter
            duration: 2m
            intensity: 75%
            pattern: {pulse: {period: 0.8s, duty: 0.5, attack: 0.1s, release: 0.1s, high: 75%}}
          - name: long presses
            duration: 2m
            intensity: 70%
            pattern: {pulse: {period: 6s, duty: 0.5, attack: 1s, release: 1.5s, high: 60%}}
        """

    static let triggerPoint = """
        # Trigger point: pressure built up on one spot and held 20–30 s, round the ring.
        name: trigger-point
        title: Trigger point holds
        technique: "Trigger point therapy: pressure on knots, built slowly and held 20–30 s"
        description: >-
          Warm circles, then one motor at a time presses: built over 5 s and held, 25 s per
          point in the first round and 30 s in the second, with a short rest between. Place
          the massager over the knot. Gentle warmth throughout.
        steps:
          - name: warm circles
            duration: 2m20s
            intensity: 70%
            heat: 39°C
            pattern: {circular: {period: 2s, width: 180, low: 10%, high: 50%}}
          - name: first holds
            duration: 2m20s
            intensity: 85%
            heat: 39°C
            pattern:
              sequence:
                steps:
                  - {pattern: {hold: {towards: 0, level: 90%, build: 5s, surround: 10%}}, duration: 25s}
                  - {pattern: {constant: 10%}, duration: 10s}
                  - {pattern: {hold: {towards: 90, level: 90%, build: 5s, surround: 10%}}, duration: 25s}
                  - {pattern: {constant: 10%}, duration: 10s}
                  - {pattern: {hold: {towards: 180, level: 90%, build: 5s, surround: 10%}}, duration: 25s}
                  - {pattern: {constant: 10%}, duration: 10s}
                  - {pattern: {hold: {towards: 270, level: 90%, build: 5s, surround: 10%}}, duration: 25s}
                  - {pattern: {constant: 10%}, duration: 10s}
          - name: second holds
            duration: 2m20s
            intensity: 90%
            heat: 39°C
            pattern:
              sequence:
                steps:
                  - {pattern: {hold: {towards: 0, level: 100%, build: 5s, surround: 10%}}, duration: 30s}
                  - {pattern: {constant: 10%}, duration: 5s}
                  - {pattern: {hold: {towards: 90, level: 100%, build: 5s, surround: 10%}}, duration: 30s}
                  - {pattern: {constant: 10%}, duration: 5s}
                  - {pattern: {hold: {towards: 180, level: 100%, build: 5s, surround: 10%}}, duration: 30s}
                  - {pattern: {constant: 10%}, duration: 5s}
                  - {pattern: {hold: {towards: 270, level: 100%, build: 5s, surround: 10%}}, duration: 30s}
                  - {pattern: {constant: 10%}, duration: 5s}
          - name: soothing circles
            duration: 3m
            intensity: 60%
            heat: 39°C
            pattern: {circular: {period: 1.5s, width: 180, low: 10%, high: 50%}}
        """

    static let friction = """
        # Friction: circular movements.
        name: friction
        title: Friction circles
        technique: "Friction: circular movements that help break up knots and release tension"
        description: >-
          A peak circling the ring: slow at first, then about once a second one way and the
          other, then quick small circles. On a one-motor massager each circle is felt as a
          swell. No heat.
        steps:
          - name: slow circles
            duration: 2m
            intensity: 70%
            pattern: {circular: {period: 3s, width: 180, low: 10%, high: 60%}}
          - name: friction circles
            duration: 3m
            intensity: 85%
            pattern: {circular: {period: 1s, width: 120, direction: clockwise, low: 10%, high: 90%}}
          - name: reverse circles
            duration: 3m
            intensity: 85%
            pattern: {circular: {period: 1s, width: 120, direction: counterclockwise, low: 10%, high: 90%}}
          - name: quick circles
            duration: 2m
            intensity: 80%
            pattern: {circular: {period: 0.5s, width: 90, low: 20%, high: 80%}}
        """

    static let petrissage = """
        # Petrissage: kneading and squeezing.
        name: petrissage
        title: Petrissage kneading
        technique: "Petrissage: kneading and squeezing of the muscles in the lower back"
        description: >-
          Two groups of motors squeeze in turn, like two hands kneading: slowly, then
          firmly, then one side against the other, then easing off. Gentle warmth.
        steps:
          - name: slow kneading
            duration: 2m
            intensity: 70%
            heat: 39°C
            pattern: {knead: {period: 4s, low: 10%, high: 60%}}
          - name: kneading
            duration: 4m
            intensity: 85%
            heat: 39°C
            pattern: {knead: {period: 2.5s, low: 20%, high: 90%}}
          - name: side to side
            duration: 3m
            intensity: 85%
            heat: 39°C
            pattern: {knead: {period: 3s, grouping: halves, axis: 90, low: 10%, high: 90%}}
          - name: easing off
            duration: 1m
            intensity: 60%
            heat: 38°C
            pattern: {knead: {period: 5s, low: 10%, high: 50%}}
        """

    static let effleurageWarmUp = """
        # Effleurage: long gliding strokes, to warm up before anything firmer.
        name: effleurage-warm-up
        title: Effleurage warm-up
        technique: "Effleurage: long, gliding strokes that warm up the muscles and improve circulation"
        description: >-
          A short warm-up of long strokes travelling across the massager, growing from light
          to moderate, with gentle warmth. Use it before deep tissue or trigger point work.
        steps:
          - name: light strokes
            duration: 2m
            intensity: 60%
            heat: 38°C
            pattern: {wave: {period: 6s, width: 0.6, low: 5%, high: 50%}}
          - name: gliding strokes
            duration: 2m
            intensity: 75%
            heat: 38°C
            pattern: {wave: {period: 5s, width: 0.5, low: 10%, high: 80%}}
          - name: long slow strokes
            duration: 2m
            intensity: 70%
            heat: 38°C
            pattern: {wave: {period: 8s, width: 0.7, direction: backward, low: 10%, high: 70%}}
        """

    static let tennisBall = """
        # The tennis ball: lie on it and gently rock back and forth.
        name: tennis-ball
        title: Tennis-ball rocking
        technique: "Tennis ball massage: a ball under the lower back, gently rocking back and forth"
        description: >-
          A peak rolling from one side to the other and back, as a tennis ball does under the
          lower back: gentle, then deeper, then slow. Keep it beside the spine, not on it.
          No heat.
        steps:
          - name: gentle rocking
            duration: 3m
            intensity: 70%
            pattern: {rock: {period: 4s, width: 1, low: 0%, high: 60%}}
          - name: deeper rocking
            duration: 3m
            intensity: 85%
            pattern: {rock: {period: 3s, width: 0.8, low: 10%, high: 85%}}
          - name: slow rocking
            duration: 2m
            intensity: 70%
            pattern: {rock: {period: 6s, width: 1.2, low: 0%, high: 50%}}
        """

    static let heatAndCircles = """
        # The handheld massager: "apply heat and vibration to your lower back; move the
        # massager in circular motions over the affected area".
        name: heat-and-circles
        title: Heat and circles
        technique: "Handheld massager: heat and vibration on the lower back, in circular motions"
        description: >-
          Warmth with circles running round the massager, a spell of tapping over the
          circles, then a wind-down with the heat off. Move the massager slowly in circles
          over the sore area as it runs.
        steps:
          - name: warming circles
            duration: 3m
            intensity: 60%
            heat: 38°C
            pattern: {circular: {period: 2s, width: 180, low: 10%, high: 50%}}
          - name: heat and circles
            duration: 8m
            intensity: 80%
            heat: 40°C
            pattern: {circular: {period: 1.2s, width: 180, low: 20%, high: 80%}}
          - name: circles and taps
            duration: 2m
            intensity: 75%
            heat: 40°C
            pattern:
              mix:
                mode: max
                patterns:
                  - {circular: {period: 1.5s, width: 180, low: 10%, high: 60%}}
                  - {tap: {period: 0.5s, burst: 0.05s, alternating: true, high: 90%}}
          - name: wind-down
            duration: 2m
            intensity: 60%
            heat: off
            pattern: {ramp: {from: 60%, to: 0%, duration: 2m}}
        """

    static let heatWarmUp = """
        # Heat only, like a hot stone: warmth without vibration.
        name: heat-warm-up
        title: Heat warm-up
        technique: "Hot stone massage: warmth that relaxes muscles and relieves tension"
        description: >-
          Warmth alone, no vibration: the face warms to 38 °C, then holds 40 °C. Good before
          any other program, or on its own when vibration is too much.
        steps:
          - name: warming
            duration: 3m
            heat: 38°C
            pattern: off
          - name: warmth
            duration: 7m
            heat: 40°C
            pattern: off
        """
}
