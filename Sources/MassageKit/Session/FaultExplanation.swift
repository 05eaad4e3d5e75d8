import MassageWire

/// What a latched fault means to a person, and whether clearing it is safe (PROTOCOL.md
/// 4.8, 4.13, 4.18, 6.7): one place, so that `run`, `clear-fault` and the service say the
/// same thing.
public struct FaultExplanation: Sendable, Equatable {
    /// Whether the device checks the fault's cause when asked to clear it.
    public enum ClearCheck: Sendable, Equatable {
        /// The device refuses ClearFault (Nak(condition persists)) while the cause is present.
        case deviceChecks
        /// The device cannot check the cause; it watches again from the next drive or heating.
        case deviceCannotCheck
        /// A session budget: spent until a new session (Hello) renews it, which connecting does.
        case renewedBySession
        /// Nothing about the device or the person: a host went away.
        case nothingToCheck
    }

    /// The fault's bit (PROTOCOL.md 4.18).
    public var fault: FaultSet
    /// Its short name, as `FaultSet.names` gives it.
    public var name: String
    /// What happened, in a sentence.
    public var meaning: String
    /// Whether clearing it is safe, and why, in a sentence.
    public var safety: String
    public var check: ClearCheck

    /// The explanation of every latched bit, in bit order.
    public static func explain(_ faults: FaultSet) -> [FaultExplanation] {
        var list = catalogue.filter { faults.contains($0.fault) }
        for bit in 9..<16 where faults.rawValue & (1 << UInt16(bit)) != 0 {
            list.append(FaultExplanation(
                fault: FaultSet(bit: UInt8(bit)), name: "bit \(bit)",
                meaning: "a fault this massagectl does not know (reserved in protocol version 2)",
                safety: "unknown: read the device maker's documentation before clearing it",
                check: .deviceCannotCheck))
        }
        return list
    }

    /// The explanation of the fault with this `code` (a bit number), if it is known.
    public static func explain(code: UInt8) -> FaultExplanation? {
        catalogue.first { $0.fault == FaultSet(bit: code) }
    }

    /// What a Fault's or the fault record's `detail` means for this code (PROTOCOL.md 4.13).
    public static func detailText(code: UInt8, detail: Int16) -> String? {
        let tenths = { (value: Int16) in "\(value / 10).\(abs(value % 10)) °C" }
        switch code {
        case 0: return "after \(detail) ms of silence"
        case 1: return "the sensor read \(tenths(detail))"
        case 2: return "raw reading \(detail)"
        case 3: return "no reading for \(detail) ms"
        case 4: return "the surface read \(tenths(detail))"
        case 5: return "after \(detail) s of heating"
        case 6: return "at \(detail) points"
        case 7: return "motor \(detail)"
        case 8: return "firmware code \(detail)"
        default: return nil
        }
    }

    static let catalogue: [FaultExplanation] = [
        FaultExplanation(
            fault: .watchdog, name: "watchdog (host silent)",
            meaning: "a host went silent while driving the device, so the device stopped its outputs",
            safety: "safe to clear: it says only that a host went away, nothing about the device or the person",
            check: .nothingToCheck),
        FaultExplanation(
            fault: .heaterRunaway, name: "heater runaway",
            meaning: "the heater did not heat as commanded: its temperature sensor may have come off the element, or the element no longer heats",
            safety: "the device cannot check this cause: clear it only once you have checked that the sensor sits on the heating element; the device watches again from the first sample",
            check: .deviceCannotCheck),
        FaultExplanation(
            fault: .sensorRange, name: "sensor out of range",
            meaning: "the temperature sensor read outside −20…80 °C four times running: it is open, shorted or unplugged",
            safety: "the device checks: it refuses to clear while the reading is still out of range; check the sensor's wiring first",
            check: .deviceChecks),
        FaultExplanation(
            fault: .sensorStale, name: "sensor stale",
            meaning: "no new temperature reading came for 1 s while the heater could run",
            safety: "the device checks: it refuses to clear while readings are still missing",
            check: .deviceChecks),
        FaultExplanation(
            fault: .overTemperature, name: "over temperature",
            meaning: "the surface ran more than 2 °C above the heater cap",
            safety: "the device checks: it refuses to clear until the surface has cooled below the cap + 2 °C; let it cool, and do not use it on skin until you know why",
            check: .deviceChecks),
        FaultExplanation(
            fault: .heatTimeLimit, name: "heat time limit",
            meaning: "the heater ran for the session's heating limit (heat_session_limit_s, 30 min by default)",
            safety: "safe for the device: connecting started a new session, which renews the heating budget; give the skin a rest before heating again",
            check: .renewedBySession),
        FaultExplanation(
            fault: .doseLimit, name: "vibration dose limit",
            meaning: "the session's vibration dose reached the device's limit (dose_limit points)",
            safety: "safe for the device: connecting started a new session, which renews the dose budget; but the dose limit is a daily figure for hands and arms: rest before another session",
            check: .renewedBySession),
        FaultExplanation(
            fault: .motorStall, name: "motor stall",
            meaning: "a motor driven above 20 % reported no speed for 500 ms: something blocks it, or it is broken",
            safety: "the device cannot check this cause: clear it only once nothing blocks the motor; the device watches again from the next drive",
            check: .deviceCannotCheck),
        FaultExplanation(
            fault: .internal, name: "internal",
            meaning: "the firmware found itself in an impossible state",
            safety: "the device cannot check this cause: clearing is allowed, but power the device off and on, and report it to its maker if it comes back",
            check: .deviceCannotCheck),
    ]
}
