import Foundation
import MassageKit
import MassageWire

/// One device as the API and the stream show it.
public struct DeviceStateView: Codable, Sendable, Equatable {
    public var device: String
    public var connected: Bool
    public var error: String?
    /// What the service did or found at connection (a leftover watchdog cleared, faults
    /// an earlier host left latched).
    public var note: String?
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
    /// The mat session running, or the last one (with `ended` set).
    public var matSession: MatSessionView?
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

/// A fault, said plainly, with what to do about it: MassageKit's ``FaultExplanation``,
/// the words `massagectl run` and `clear-fault` use.
public struct FaultView: Codable, Sendable, Equatable {
    public var name: String
    public var advice: String

    static func describe(_ faults: FaultSet) -> [FaultView] {
        FaultExplanation.explain(faults).map { FaultView(name: $0.name, advice: "\($0.meaning). \($0.safety)") }
    }
}
