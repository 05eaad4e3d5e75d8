import MassageKit
import MassageWire

/// The configuration keys of PROTOCOL.md 4.19 as a person names and writes them: the
/// wire's name, the unit shown and typed (°C for the heater cap, whose wire unit is
/// 0.1 °C), the range and the default, and why a refusal happened.
struct ConfigKeyDescription: Sendable {
    var key: ConfigKey
    var name: String
    var unit: String
    /// The range as PROTOCOL.md 4.19 gives it, in the unit shown.
    var range: String
    var defaultValue: String
    var meaning: String
    /// Wire value per shown unit: 10 for °C over 0.1 °C, else 1.
    var scale: UInt32 = 1
    var needsHeater = false
    var needsMat = false

    static let all: [ConfigKeyDescription] = [
        ConfigKeyDescription(key: .watchdogMilliseconds, name: "watchdog_ms", unit: "ms", range: "250–2000", defaultValue: "500",
                             meaning: "while driven, the device stops on its own after this long without a frame from the host; it cannot be turned off"),
        ConfigKeyDescription(key: .heaterCap, name: "heater_cap", unit: "°C", range: "30.0 – the device's heater_cap_limit (at most 43.0)",
                             defaultValue: "41.0", meaning: "the hottest the surface may run; a person can lower it, never raise it past the device's limit",
                             scale: 10, needsHeater: true),
        ConfigKeyDescription(key: .statusPeriodMilliseconds, name: "status_period_ms", unit: "ms", range: "0 (off) or 10–5000", defaultValue: "100",
                             meaning: "how often the device sends StatusReport"),
        ConfigKeyDescription(key: .matPeriodMilliseconds, name: "mat_period_ms", unit: "ms", range: "0 (off) or 10–5000", defaultValue: "50",
                             meaning: "how often a mat sends MatReport", needsMat: true),
        ConfigKeyDescription(key: .heatSessionLimitSeconds, name: "heat_session_limit_s", unit: "s", range: "60–1800", defaultValue: "1800",
                             meaning: "heating allowed in one session, then the heater turns off and latches the heat time limit", needsHeater: true),
        ConfigKeyDescription(key: .doseLimit, name: "dose_limit", unit: "points", range: "1–400", defaultValue: "400",
                             meaning: "the vibration dose at which the device stops every motor and latches the dose limit"),
        ConfigKeyDescription(key: .slewPerSecond, name: "slew_per_s", unit: "‰/s", range: "100–100000", defaultValue: "10000",
                             meaning: "how fast a motor's intensity may change, per mille per second (a change to 0 is immediate)"),
    ]

    static func named(_ name: String) -> ConfigKeyDescription? {
        all.first { $0.name == name.lowercased() }
    }

    /// One line per key, for the help.
    static var helpTable: String {
        all.map { "  \($0.name.padding(toLength: 21, withPad: " ", startingAt: 0)) \($0.unit), \($0.range); default \($0.defaultValue)" }
            .joined(separator: "\n")
    }

    /// `value` as typed (in the unit shown) to the wire value; nil when it is not a number.
    func wireValue(_ text: String) -> UInt32? {
        var text = text.trimmingCharacters(in: .whitespaces)
        for suffix in ["°C", "C", unit] where !suffix.isEmpty && text.hasSuffix(suffix) {
            text.removeLast(suffix.count)
            text = text.trimmingCharacters(in: .whitespaces)
            break
        }
        if scale == 1 { return UInt32(text) }
        guard let number = Double(text), number.isFinite, number >= 0, number * Double(scale) < Double(UInt32.max) else { return nil }
        return UInt32((number * Double(scale)).rounded())
    }

    /// A wire value in the unit shown.
    func shown(_ value: UInt32) -> String {
        if scale == 10 { return "\(value / 10).\(value % 10) \(unit)" }
        return "\(value) \(unit)"
    }

    /// True when the device has no hardware behind this key (it reads 0 and refuses a set).
    func isAbsent(on capabilities: DeviceCapabilities) -> Bool {
        (needsHeater && !capabilities.hasHeater) || (needsMat && capabilities.matZoneCount == 0)
    }

    /// The range on this device, in the unit shown.
    func range(on capabilities: DeviceCapabilities) -> String {
        if needsHeater && !capabilities.hasHeater { return "none: the device has no heater" }
        if needsMat && capabilities.matZoneCount == 0 { return "none: the device has no mat zones" }
        if key == .heaterCap { return "30.0–\(shown(UInt32(capabilities.device.heaterCapLimit))) (the device's heater_cap_limit)" }
        return "\(range) \(unit)"
    }
}
