import Foundation
import MassageControl
import MassageHistory
import MassageKit
import MassageProgramFiles
import MassageServiceProtocol
import Synchronization

/// The one set of handlers behind the UNIX socket and HTTP: each operation by its
/// JSON-RPC method name, with the caller's identity and token, answering JSON or an
/// `RPCError` whose code is the HTTP status.
public final class ServiceCore: Sendable {
    /// Who is asking.
    public struct Caller: Sendable {
        /// The client's self-chosen name ("dashboard-3f2a", "massagectl 4711"): the
        /// controller is known by it, and refusals name it.
        public var client: String
        public var token: String?
        public init(client: String, token: String?) {
            self.client = client
            self.token = token
        }
    }

    public let tokens: TokenStore
    public let ledger: ControlLedger
    public let hub: StateHub
    let owners: [String: DeviceOwner]
    let order: [String]
    let historyPath: String?
    let programs: [Program]
    /// Seconds on a monotonic clock, for the dead-man switch.
    let clock: @Sendable () -> Double

    public struct Configuration: Sendable {
        public var devices: [String] = ["sim"]
        public var historyPath: String? = HistoryStore.defaultPath()
        public var deadManSeconds = 5.0
        /// The scheduler threads' SCHED_FIFO priority when permitted (nil: normal policy).
        public var fifoPriority: Int32? = 80
        public var simulatorSpeed = 1.0
        /// The most live streams (WebSockets) at once.
        public var maxStreams = 256
        public init() {}
    }

    public init(configuration: Configuration, tokens: TokenStore,
                clock: @escaping @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }) throws(RPCError) {
        self.tokens = tokens
        self.clock = clock
        hub = StateHub(maxSubscribers: configuration.maxStreams)
        ledger = ControlLedger(deadManSeconds: configuration.deadManSeconds)
        historyPath = configuration.historyPath
        do {
            programs = try BuiltInPrograms.all()
        } catch {
            throw RPCError(code: 500, message: "the built-in programs do not load: \(error)")
        }
        var owners: [String: DeviceOwner] = [:]
        let hub = self.hub
        for device in configuration.devices {
            let connector: DeviceConnector
            do {
                connector = try DeviceConnector.make(device: device, simulatorSpeed: configuration.simulatorSpeed)
            } catch {
                throw RPCError(code: 400, message: "device \(device): \(error)")
            }
            owners[device] = DeviceOwner(name: device, connector: connector, historyPath: configuration.historyPath,
                                         fifoPriority: configuration.fifoPriority, speed: configuration.simulatorSpeed) { owner in
                hub.publish(Self.streamMessage(owner.snapshot(), sequence: hub.nextSequence()))
            }
        }
        self.owners = owners
        order = configuration.devices
    }

    /// Connects every device (blocking; each on its own).
    public func connectAll() {
        let group = DispatchGroup()
        for owner in owners.values {
            DispatchQueue.global().async(group: group) { owner.connect() }
        }
        group.wait()
    }

    /// Tries again, in the background, each device that is not connected (absent at the
    /// service's start, or its first handshake failed).
    public func reconnectMissing() {
        for owner in owners.values { owner.connectInBackground() }
    }

    /// Stops every run and closes every session: SIGTERM's path.
    @discardableResult
    public func shutDown() -> [DeviceShutdown] {
        order.compactMap { owners[$0]?.shutDown() }
    }

    /// The dead-man switch's round: stops the runs whose controller is gone. Called a few
    /// times a second by the service, by hand in tests.
    @discardableResult
    public func enforceDeadMan() -> [String] {
        var stopped: [String] = []
        for gone in ledger.expired(now: clock()) {
            guard let owner = owners[gone.device] else { continue }
            if owner.stopRun(claim: gone.claim, note: "stopped: the controller \"\(gone.client)\" was gone for \(String(format: "%.1f", gone.silentSeconds)) s (dead-man switch)") {
                stopped.append(gone.device)
            }
            ledger.release(device: gone.device, claim: gone.claim)
        }
        return stopped
    }

    static func streamMessage(_ view: DeviceStateView, sequence: Int) -> String {
        let encoder = jsonEncoder()
        struct Message: Encodable { var type = "state"; var seq: Int; var state: DeviceStateView }
        guard let data = try? encoder.encode(Message(seq: sequence, state: view)) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    public var deviceNames: [String] { order }

    /// `client` was heard from (a request, a ping).
    public func heard(from client: String) { ledger.seen(client, now: clock()) }

    /// A connection the service can see close opened or closed for `client`.
    public func connection(of client: String, opened: Bool) { ledger.connection(client, opened: opened, now: clock()) }

    // MARK: - The handlers

    /// Runs `method` for `caller`. `body` holds the operation's parameters.
    public func handle(method: String, device: String?, params: [String: JSONParam], caller: Caller) throws(RPCError) -> Data {
        guard let route = ServiceRoute.named(method) else {
            throw RPCError(code: 404, message: "no method \(method); the methods are \(ServiceRoute.all.map(\.method).joined(separator: ", "))")
        }
        // Only a caller with the token is a controller, so only it counts as present for
        // the dead-man switch: anyone may send a request under any name.
        let trusted = tokens.accepts(caller.token)
        if trusted { heard(from: caller.client) }
        if route.changesState && !trusted {
            throw RPCError(code: 401, message: caller.token == nil
                ? "refused: \(method) changes state and needs the service token (Authorization: Bearer TOKEN, or the dashboard URL from massagectl serve --show-url)"
                : "refused: the token is wrong; massagectl serve --show-url prints the right URL")
        }
        switch method {
        case "devices":
            return try encode(["devices": order.compactMap { owners[$0]?.snapshot() }])
        case "programs":
            return try encode(["programs": programs.map {
                ProgramView(name: $0.name, title: $0.title, technique: $0.technique, description: $0.description, duration: $0.duration, heats: $0.heats)
            }])
        case "history":
            return try history(limit: historyLimit(params["limit"]))
        case "mat-goal":
            return try matGoal()
        default:
            break
        }
        let owner = try self.owner(device)
        switch method {
        case "start":
            guard case .string(let name)? = params["program"] else {
                throw RPCError(code: 400, message: "start needs \"program\": one of \(programs.map(\.name).joined(separator: ", "))")
            }
            guard let program = programs.first(where: { $0.name == name }) else {
                throw RPCError(code: 404, message: "no program \(name); GET /api/v1/programs lists them")
            }
            let intensity = try percent(params["intensity"], default: 100)
            let detached: Bool
            switch params["detached"] {
            case nil, .null?: detached = false
            case .bool(let value)?: detached = value
            default: throw RPCError(code: 400, message: "\"detached\" is true or false")
            }
            try owner.start(program: program, intensity: intensity, client: caller.client, detached: detached, ledger: ledger)
            return try encode(owner.snapshot())
        case "pause":
            try ledger.check(device: owner.name, client: caller.client)
            try owner.pause()
        case "resume":
            try ledger.check(device: owner.name, client: caller.client)
            try owner.resume()
        case "intensity":
            guard params["percent"] != nil else { throw RPCError(code: 400, message: "intensity needs \"percent\", 0–100") }
            let value = try percent(params["percent"], default: 100)
            try ledger.check(device: owner.name, client: caller.client)
            try owner.setIntensity(value)
        case "stop":
            // Stop is open to every client with the token: making a device stop is never
            // the unsafe direction, whoever controls it.
            _ = owner.stop(note: "stopped by \(caller.client)")
        case "clear-fault":
            try ledger.check(device: owner.name, client: caller.client)
            try owner.clearFault()
        case "mat-start":
            try startMatSession(on: owner, params: params, caller: caller)
        case "mat-end":
            // Like stop, open to every client with the token: ending a session is safe.
            guard owner.endMatSession("ended by \(caller.client)") else {
                throw RPCError(code: 409, message: "no mat session runs on \(owner.name); start one with mat-session/start")
            }
        default:
            throw RPCError(code: 404, message: "no method \(method)")
        }
        return try encode(owner.snapshot())
    }

    /// One mat session at a time in the whole service, held in the ledger like a run but
    /// detached: a mat drives nothing, so no dead-man switch ends it (the person may close
    /// the page and stay on the mat); it ends by its duration, mat-end, stop, or shutdown.
    func startMatSession(on owner: DeviceOwner, params: [String: JSONParam], caller: Caller) throws(RPCError) {
        var duration: Double?
        switch params["duration"] {
        case nil, .null?: duration = nil
        case .number(let seconds)? where seconds >= 1 && seconds <= 86_400: duration = seconds
        default: throw RPCError(code: 400, message: "\"duration\" is seconds, 1 to 86400 (leave it out for a session that runs until ended)")
        }
        // The check and the start as one step: two requests at once make one session.
        try matStarts.withLock { (_: inout Void) throws(RPCError) in
            if let other = owners.values.first(where: { $0.hasMatSession }) {
                let by = other.matSessionStarter ?? "someone"
                throw RPCError(code: 409, message: "refused: a mat session already runs on \(other.name), started by \"\(by)\"; one at a time: end it first (mat-session/end)")
            }
            try owner.startMatSession(client: caller.client, durationSeconds: duration, ledger: ledger)
        }
    }

    /// One mat-session start at a time in the whole service (see ``startMatSession(on:params:caller:)``).
    let matStarts = Mutex<Void>(())

    func owner(_ device: String?) throws(RPCError) -> DeviceOwner {
        let name = device ?? (order.count == 1 ? order[0] : nil)
        guard let name else { throw RPCError(code: 400, message: "name the device: one of \(order.joined(separator: ", "))") }
        guard let owner = owners[name] else {
            throw RPCError(code: 404, message: "the service owns no device \(name); it owns \(order.joined(separator: ", "))")
        }
        return owner
    }

    func percent(_ value: JSONParam?, default fallback: Int) throws(RPCError) -> Int {
        switch value {
        case nil, .null?: return fallback
        case .number(let number)? where number >= 0 && number <= 100 && number == number.rounded(): return Int(number)
        default: throw RPCError(code: 400, message: "a percentage is a whole number from 0 to 100")
        }
    }

    /// How many history rows: 20 unless asked; a finite number is kept within 1…500.
    func historyLimit(_ value: JSONParam?) throws(RPCError) -> Int {
        switch value {
        case nil, .null?: return 20
        case .number(let number)? where number.isFinite: return Int(max(1, min(number.rounded(), 500)))
        default: throw RPCError(code: 400, message: "\"limit\" is how many history rows to answer, a number from 1 to 500")
        }
    }

    func history(limit: Int) throws(RPCError) -> Data {
        guard let historyPath else { return try encode(["entries": [HistoryView]()]) }
        guard FileManager.default.fileExists(atPath: historyPath) else { return try encode(["entries": [HistoryView]()]) }
        do {
            let store = try HistoryStore(path: historyPath, access: .readOnly)
            let entries = try store.entries(limit: max(1, min(limit, 500)))
            return try encode(["entries": entries.map(HistoryView.init)])
        } catch {
            throw RPCError(code: 500, message: "the history cannot be read: \(error)")
        }
    }

    func matGoal() throws(RPCError) -> Data {
        var sessions: [MatDailyGoal.Session] = []
        if let historyPath, FileManager.default.fileExists(atPath: historyPath) {
            do {
                let store = try HistoryStore(path: historyPath, access: .readOnly)
                // A simulated mat's sessions never count toward a real mat's goal.
                let simulated = order.allSatisfy { $0 == "sim" || $0.hasPrefix("sim:") }
                sessions = try MatDailyGoal.sessions(in: store, simulated: simulated)
            } catch {
                throw RPCError(code: 500, message: "the history cannot be read: \(error)")
            }
        }
        let goal = MatDailyGoal.from(plan: .standard, sessions: sessions, now: Date(), calendar: .current)
        return try encode(MatGoalView(goalSeconds: Double(goal.goalNanoseconds) / 1e9,
                                      todaySeconds: Double(goal.earlierTodayNanoseconds) / 1e9,
                                      explanation: goal.explanation))
    }

    /// The one encoder setting for answers and the stream: sorted snake_case keys, like
    /// every JSON massagectl prints (history --json, run --json), ISO 8601 dates.
    static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    func encode<T: Encodable>(_ value: T) throws(RPCError) -> Data {
        let encoder = Self.jsonEncoder()
        do { return try encoder.encode(value) } catch { throw RPCError(code: 500, message: "cannot encode the answer: \(error)") }
    }
}

struct ProgramView: Codable, Sendable {
    var name: String
    var title: String
    var technique: String
    var description: String
    var duration: Double
    var heats: Bool
}

struct HistoryView: Codable, Sendable {
    var id: Int64?
    var kind: String
    var name: String
    var device: String
    var startedAt: Date
    var outcome: String
    var elapsedSeconds: Double
    var dosePoints: Double?
    var contactSeconds: Double?
    var note: String?

    init(_ entry: HistoryEntry) {
        id = entry.id
        kind = entry.kind.rawValue
        name = entry.name
        device = entry.device
        startedAt = entry.startedAt
        outcome = entry.outcome.rawValue
        elapsedSeconds = entry.elapsedSeconds
        dosePoints = entry.dosePoints
        contactSeconds = entry.contactSeconds
        note = entry.note
    }
}

struct MatGoalView: Codable, Sendable {
    var goalSeconds: Double
    var todaySeconds: Double
    var explanation: String
}
