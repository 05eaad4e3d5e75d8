/// The massager's heating pad as one thermal node: the element, the plate it warms and
/// the treatment face, all at one temperature, losing heat to the air and, while it
/// touches skin, to the body.
///
///     C · dT/dt = P · duty − G_air · (T − T_air) − G_skin · (T − T_skin)   (G_skin only in contact)
///
/// For a duty held over a step this is linear with constant coefficients, so each step
/// uses its exact solution: T relaxes toward the equilibrium
/// `T_eq = (P·duty + G_air·T_air + G_skin·T_skin) / (G_air + G_skin)` with time constant
/// `τ = C / (G_air + G_skin)`. The temperature therefore always stays between the
/// equilibria of the duties it was driven at, at any step length.
///
/// Defaults, for a handheld heat massager (one pad of about 20 cm²):
/// - heat capacity 60 J/K: about 40 g of aluminium plate (0.9 J/(g·K)) plus the silicone
///   face and the element;
/// - element power 12 W at 100 % duty: what a 12 V, 1 A or a USB-C PD supply gives a pad
///   this size. From room temperature it heats at P/C = 0.2 °C/s, so 25 → 41 °C takes
///   a little over a minute;
/// - conductance to air 0.25 W/K (free convection, h ≈ 10 W/(m²·K), over the pad and the
///   housing it warms): full power in air settles at 25 + 12/0.25 = 73 °C with
///   τ = 60/0.25 = 240 s. Far above the 43 °C cap on purpose: only the firmware's control
///   keeps the surface under it, as on a real device;
/// - conductance to skin 0.3 W/K (skin and perfused tissue under 20 cm², about
///   150 W/(m²·K)): in contact, full power settles at
///   (12 + 0.25·25 + 0.3·34)/0.55 ≈ 51.7 °C with τ ≈ 109 s — still above the cap;
/// - air 25 °C (a warm room), skin 34 °C (the back's surface).
public struct HeaterModel: Sendable {
    /// C, J/K.
    public let heatCapacity: Double
    /// P, W, at 100 % duty.
    public let elementPower: Double
    /// G_air, W/K.
    public let airConductance: Double
    /// G_skin, W/K, counted only while `skinContact`.
    public let skinConductance: Double
    /// T_air, °C.
    public var airTemperature: Double
    /// T_skin, °C.
    public var skinTemperature: Double
    /// The pad touches skin.
    public var skinContact: Bool
    /// A burnt-out element: no power whatever the duty (what the firmware's runaway
    /// check must notice as "an element that no longer heats").
    public var isElementOpen: Bool = false
    /// T, °C: the treatment face.
    public var surfaceTemperature: Double

    @usableFromInline var airDecay: ExponentialDecay
    @usableFromInline var contactDecay: ExponentialDecay
    @usableFromInline let inverseAirConductance: Double
    @usableFromInline let inverseContactConductance: Double

    /// A pad at `surfaceTemperature` (the air temperature if nil). Heat capacity and the
    /// conductances must be positive, the power not negative.
    public init(
        heatCapacity: Double = 60,
        elementPower: Double = 12,
        airConductance: Double = 0.25,
        skinConductance: Double = 0.3,
        airTemperature: Double = 25,
        skinTemperature: Double = 34,
        skinContact: Bool = false,
        surfaceTemperature: Double? = nil
    ) {
        precondition(heatCapacity > 0 && heatCapacity.isFinite, "heat capacity must be positive")
        precondition(elementPower >= 0 && elementPower.isFinite, "element power must not be negative")
        precondition(airConductance > 0 && airConductance.isFinite, "conductance to air must be positive")
        precondition(skinConductance >= 0 && skinConductance.isFinite, "conductance to skin must not be negative")
        self.heatCapacity = heatCapacity
        self.elementPower = elementPower
        self.airConductance = airConductance
        self.skinConductance = skinConductance
        self.airTemperature = airTemperature
        self.skinTemperature = skinTemperature
        self.skinContact = skinContact
        self.surfaceTemperature = surfaceTemperature ?? airTemperature
        inverseAirConductance = 1 / airConductance
        inverseContactConductance = 1 / (airConductance + skinConductance)
        airDecay = ExponentialDecay(timeConstantMicroseconds: 1e6 * heatCapacity / airConductance)
        contactDecay = ExponentialDecay(timeConstantMicroseconds: 1e6 * heatCapacity / (airConductance + skinConductance))
    }

    /// The conductance to the surroundings now, W/K.
    public var totalConductance: Double {
        airConductance + (skinContact ? skinConductance : 0)
    }

    /// τ now (with or without skin contact), s.
    public var timeConstantSeconds: Double { heatCapacity / totalConductance }

    /// The temperature the pad settles at when held at `dutyPercent` in the present
    /// surroundings, °C.
    @inlinable
    public func equilibrium(dutyPercent: UInt8) -> Double {
        let power = isElementOpen ? 0 : elementPower * Double(min(dutyPercent, 100)) * 0.01
        if skinContact {
            return (power + airConductance * airTemperature + skinConductance * skinTemperature)
                * inverseContactConductance
        }
        return (power + airConductance * airTemperature) * inverseAirConductance
    }

    /// The equilibrium at 100 % duty in the present surroundings, °C.
    public var fullPowerEquilibrium: Double { equilibrium(dutyPercent: 100) }

    /// Advances the pad by `microseconds` at `dutyPercent` (values above 100 count as
    /// 100), the duty taken as constant over the step.
    @inlinable
    public mutating func step(dutyPercent: UInt8, microseconds: UInt32) {
        let target = equilibrium(dutyPercent: dutyPercent)
        let factor = skinContact
            ? contactDecay.factor(overMicroseconds: microseconds)
            : airDecay.factor(overMicroseconds: microseconds)
        surfaceTemperature = target + (surfaceTemperature - target) * factor
    }
}
