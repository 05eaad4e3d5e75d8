import Foundation
import MassageWire

/// One device as the API and the stream show it.
public struct DeviceStateView: Codable, Sendable, Equatable {
    public var device: String
    public var connected: Bool
    public var error: String?
    public var model: String?
    public var vendor: String?
    public var serial: String?
    public var motors = 0
    public var hasHeater = false
    public var matZones = 0
    /// Each motor's actual output, 0–1000, from the newest Status.
    public var outputs: [Int] = []
    public var temperatureCelsius: Double?
    public var heaterDuty = 0
    public var dosePoints = 0.0
    public var faults: [FaultView] = []
    /// When the newest Status arrived, seconds since 1970 (for the clients' delay figure).
    public var statusAt = 0.0
    public var matPressures: [Int] = []
    public var run: RunView?
    public var lastRun: LastRunView?

    init(device: String, connected: Bool, error: String?) {
        self.device = device
        self.connected = connected
        self.error = error
    }
}

public struct RunView: Codable, Sendable, Equatable {
    public var program: String
    public var title: String
    /// "running" or "paused".
    public var state: String
    public var seconds: Double
    public var duration: Double
    public var step: String
    public var intensity: Int
    public var controller: String
    public var detached: Bool
}

public struct LastRunView: Codable, Sendable, Equatable {
    public var program: String
    public var note: String
    public var stop: String
}

/// A fault, said plainly, with what to do about it.
public struct FaultView: Codable, Sendable, Equatable {
    public var name: String
    public var advice: String
}

enum FaultAdvice {
    static func describe(_ faults: FaultSet) -> [FaultView] {
        let table: [(FaultSet, String, String)] = [
            (.watchdog, "the device heard nothing from the host for too long", "press Clear fault; the device stopped itself safely"),
            (.heaterRunaway, "the heater did not warm as expected", "let it cool, check the heat pad sits against the body, then Clear fault"),
            (.sensorRange, "the temperature sensor reads out of range", "unplug the device; if it persists the sensor needs repair"),
            (.sensorStale, "the temperature sensor stopped reporting", "unplug and replug the device, then Clear fault"),
            (.overTemperature, "the surface got too hot", "take the device off the skin, let it cool, then Clear fault"),
            (.heatTimeLimit, "the heat ran for its longest allowed time", "let the skin rest; Clear fault when you want heat again"),
            (.doseLimit, "the vibration dose for the period is used up", "rest from vibration; the fault clears after the dose period"),
            (.motorStall, "a motor is blocked", "free the motor (nothing pressing on it), then Clear fault"),
        ]
        var views: [FaultView] = []
        for (bit, name, advice) in table where faults.contains(bit) { views.append(FaultView(name: name, advice: advice)) }
        let known = table.reduce(FaultSet(rawValue: 0)) { $0.union($1.0) }
        if !faults.subtracting(known).isEmpty {
            views.append(FaultView(name: "fault bits \(faults.subtracting(known).rawValue)", advice: "unplug the device and see its manual"))
        }
        return views
    }
}
