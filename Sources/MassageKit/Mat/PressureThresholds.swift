/// When a pressure zone counts as touched: hysteresis between two thresholds.
///
/// A released zone becomes touched when its pressure is at or above `on`; a touched zone
/// is released when its pressure falls below `off`. Between the two it keeps its state,
/// so noise around one threshold does not make it flicker. (The tracker then also wants
/// the new state to hold for its minimum stable time.)
public struct PressureThresholds: Equatable, Sendable {
    /// Press: at or above this, per mille of full scale.
    public let on: UInt16
    /// Release: below this, per mille of full scale.
    public let off: UInt16

    /// Hysteresis from `off` (release below) to `on` (press at or above), per mille;
    /// throws unless 1 ≤ on ≤ 1000 and off ≤ on.
    public init(on: UInt16, off: UInt16) throws(MatConfigurationError) {
        guard on >= 1, on <= 1000, off <= on else { throw .thresholds(on: on, off: off) }
        self.on = on
        self.off = off
    }

    /// Press at 50 ‰ (5 % of full scale), release below 25 ‰. An unloaded force-sensing
    /// zone reads 0 and a loaded one has noise of about 2 ‰ (σ), so 25 ‰ is far above an
    /// empty zone's noise, and 50 ‰ is under the lightest loaded zone of the simulator's
    /// body map (about 75 ‰: a 45 kg person's lumbar curve at the mat's edge).
    public static let standard = PressureThresholds(checkedOn: 50, off: 25)

    init(checkedOn on: UInt16, off: UInt16) {
        self.on = on
        self.off = off
    }
}
