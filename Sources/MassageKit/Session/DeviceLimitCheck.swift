import MassageWire

/// What a host checks in a device's declared limits before it drives the device: the
/// limits the device's own safety rests on must be ones the protocol allows. A device
/// that declares an impossible one is refused; one that declares a looser heat or dose
/// limit than this host allows is driven under the host's, with a note that says so.
public struct DeviceLimitCheck: Sendable, Equatable {
    /// Why the device must not be driven, when it must not (nil: it may be).
    public var refusal: String?
    /// What the host holds stricter than the device declares, one line each.
    public var notes: [String]

    /// The shortest `max_lease_ms` a host can keep outputs alive under: two of its
    /// refresh periods (50 ms), so one lost refresh does not let the outputs lapse.
    public static let shortestUsableLeaseMilliseconds: UInt16 = 100

    public init(_ capabilities: DeviceCapabilities) {
        let device = capabilities.device
        let watchdog = device.watchdogMilliseconds
        let range = SafetyFigures.watchdogRangeMilliseconds
        let lease = device.maxLeaseMilliseconds
        var notes: [String] = []
        if !range.contains(watchdog) {
            refusal = "\(capabilities.model) declares a \(watchdog) ms watchdog; a device may only be driven with a watchdog of "
                + "\(range.lowerBound)–\(range.upperBound) ms (PROTOCOL.md 4.19): set it (massagectl config set watchdog_ms 500) "
                + "or update the device's firmware"
        } else if lease < Self.shortestUsableLeaseMilliseconds || lease > SafetyFigures.maxLeaseMilliseconds {
            refusal = "\(capabilities.model) declares a \(lease) ms max_lease_ms; the host needs "
                + "\(Self.shortestUsableLeaseMilliseconds)–\(SafetyFigures.maxLeaseMilliseconds) ms to keep outputs on between its "
                + "refreshes (PROTOCOL.md 4.2): update the device's firmware"
        } else {
            refusal = nil
        }
        let ceiling = SafetyFigures.heaterCapCeiling
        if capabilities.hasHeater && max(device.heaterCap, device.heaterCapLimit) > ceiling {
            notes.append("\(capabilities.model) declares a heater cap of \(Self.celsius(max(device.heaterCap, device.heaterCapLimit))); "
                + "this host holds the setpoint to \(Self.celsius(ceiling)) and stops if the surface passes "
                + "\(Self.celsius(ceiling + SafetyFigures.overTemperatureMargin))")
        }
        if UInt32(device.doseLimit) > SafetyFigures.doseLimitPoints {
            notes.append("\(capabilities.model) declares a dose limit of \(device.doseLimit) points; this host stops at "
                + "\(SafetyFigures.doseLimitPoints) at most")
        }
        self.notes = notes
    }

    /// The surface (0.1 °C) above which the host stops a run on `capabilities`' device:
    /// the cap in force (never above 43 °C) plus the margin; nil without a heater.
    public static func overTemperatureThreshold(heaterCap: UInt16) -> Int16? {
        guard heaterCap > 0 else { return nil }
        return Int16(min(heaterCap, SafetyFigures.heaterCapCeiling) + SafetyFigures.overTemperatureMargin)
    }

    static func celsius(_ tenths: UInt16) -> String { "\(tenths / 10).\(tenths % 10) °C" }
}
