import MassageFirmware
import MassageWire

/// A device the simulator can be: the firmware's `DeviceProfile` plus what the physical
/// models need (the mat's shape, whether a heater element is fitted).
public struct SimulatorProfile: Sendable {
    /// The name `--profile` and `sim:PROFILE` take.
    public var name: String
    /// One line for `massagectl simulate --list-profiles`.
    public var summary: String
    public var device: DeviceProfile
    /// Mat zones as rows × columns (zone = row · columns + column), or nil for no mat.
    public var matShape: (rows: Int, columns: Int)?
    /// What the simulated person does on the mat (a mat profile only).
    public var body: BodyScenario = .default
    /// The seed of the body's times; nil for the device's seed.
    public var bodySeed: UInt64?

    public init(name: String, summary: String, device: DeviceProfile, matShape: (rows: Int, columns: Int)? = nil) {
        self.name = name
        self.summary = summary
        self.device = device
        self.matShape = matShape
    }

    /// The built-in profiles, in the order they are listed.
    public static let builtIn: [SimulatorProfile] = [.handheldRing4, .handheldSingle, .mat16]

    /// The built-in profile called `name`, or nil. `name` may carry the body parameters
    /// of a `sim:` URI (`mat-16?body=gets-up&seed=3`, see ``parse(_:)``).
    public static func named(_ name: String) -> SimulatorProfile? {
        try? parse(name)
    }

    /// The body script the simulated mat plays for a device seeded with `seed`.
    public func bodyScript(deviceSeed seed: UInt64) -> BodyScript {
        body.script(seed: bodySeed ?? seed)
    }

    /// A handheld heat massager: four motors on a ring (the circular profiles run round
    /// it) behind a heated face.
    public static let handheldRing4: SimulatorProfile = {
        var actuators = InlineArray<16, ActuatorInfo>(repeating: unusedActuator)
        for i in 0..<4 {
            // 9 m/s² at full intensity: a typical handheld percussion/vibration head.
            actuators[i] = ActuatorInfo(placement: .ring, angle: UInt16(i * 9000),
                                        x: ringCoordinate(i, cos: true), y: ringCoordinate(i, cos: false),
                                        acceleration: 900, spinUpMilliseconds: 80)
        }
        return SimulatorProfile(
            name: "handheld-ring4",
            summary: "handheld massager: 4 vibration motors on a ring, heated face (cap 41 °C)",
            device: DeviceProfile(firmwareVersion: (1, 0, 0),
                                  identity: identity(model: "Ring4 Heat", serial: "SIM-R4-0001"),
                                  layout: .ring, actuatorCount: 4, actuators: actuators, hasHeater: true)
        )
    }()

    /// A simple handheld: one motor in the centre and a heater.
    public static let handheldSingle: SimulatorProfile = {
        var actuators = InlineArray<16, ActuatorInfo>(repeating: unusedActuator)
        actuators[0] = ActuatorInfo(placement: .centre, acceleration: 1200, spinUpMilliseconds: 120)
        return SimulatorProfile(
            name: "handheld-single",
            summary: "handheld massager: 1 vibration motor, heated face (cap 41 °C)",
            device: DeviceProfile(firmwareVersion: (1, 0, 0),
                                  identity: identity(model: "Solo Heat", serial: "SIM-S1-0001"),
                                  layout: .single, actuatorCount: 1, actuators: actuators, hasHeater: true)
        )
    }()

    /// An acupressure mat with a 16-zone pressure sensor (4 rows of 4, head to feet).
    public static let mat16: SimulatorProfile = SimulatorProfile(
        name: "mat-16",
        summary: "acupressure mat: 16 pressure zones (4 × 4), no motors, no heater",
        device: DeviceProfile(firmwareVersion: (1, 0, 0),
                              identity: identity(model: "Mat16", serial: "SIM-M16-0001"),
                              layout: .none, actuatorCount: 0,
                              actuators: InlineArray(repeating: unusedActuator), hasHeater: false,
                              heaterCapLimit: 0, matZoneCount: 16),
        matShape: (rows: 4, columns: 4)
    )

    static let unusedActuator = ActuatorInfo(placement: .centre, acceleration: 0, spinUpMilliseconds: 0)

    static func identity(model: String, serial: String) -> DeviceIdentity {
        DeviceIdentity(vendor: ShortText(text: "massage-control") ?? ShortText(),
                       model: ShortText(text: model) ?? ShortText(),
                       serial: ShortText(text: serial) ?? ShortText())
    }

    /// mm on a 30 mm ring, for actuator `i` of 4.
    static func ringCoordinate(_ i: Int, cos: Bool) -> Int16 {
        let unit: [Int16] = [1, 0, -1, 0]
        return 30 * (cos ? unit[i % 4] : unit[(i + 3) % 4])
    }
}
