import Foundation
import MassageServiceProtocol
import Synchronization

/// Who controls each device, and whether that controller is still there.
///
/// One controller per device, any number of observers. A client is "there" while it has
/// a connection open that the service can see close (the UNIX socket), or while it was
/// heard from (a WebSocket ping, an HTTP request) within the dead-man time. A controller
/// that is not there any more has its run stopped by ``expired(now:)``'s caller, unless
/// it started the run detached. Time comes in as seconds on a monotonic clock so that
/// tests drive it by hand.
public final class ControlLedger: Sendable {
    public struct Holder: Sendable, Equatable {
        public var client: String
        public var since: Date
        public var detached: Bool
        /// Which hold this is: a run's end releases its own hold only, never the next one.
        public var claim: UInt64
    }

    struct Presence {
        var lastSeen: Double
        var openConnections: Int
    }

    struct Table {
        var holders: [String: Holder] = [:]
        var nextClaim: UInt64 = 1
    }

    /// How long a controller may be silent, s.
    public let deadManSeconds: Double
    let table = Mutex(Table())
    let presence = Mutex<[String: Presence]>([:])

    public init(deadManSeconds: Double) {
        self.deadManSeconds = deadManSeconds
    }

    /// Makes `client` the controller of `device`, or refuses (409) naming who holds it.
    /// Returns the claim to release the hold with. The caller makes sure that nothing runs
    /// on the device (a hold of `client` still there is one whose run is ending: this
    /// one replaces it, and that run's release, naming its own claim, leaves this one).
    @discardableResult
    public func acquire(device: String, client: String, detached: Bool, now: Date = Date()) throws(RPCError) -> UInt64 {
        try table.withLock { (table: inout Table) throws(RPCError) -> UInt64 in
            if let holder = table.holders[device], holder.client != client {
                throw Self.refusal(device: device, holder: holder)
            }
            let claim = table.nextClaim
            table.nextClaim += 1
            table.holders[device] = Holder(client: client, since: now, detached: detached, claim: claim)
            return claim
        }
    }

    /// Refuses (409) when someone other than `client` controls `device`.
    public func check(device: String, client: String) throws(RPCError) {
        if let holder = holder(of: device), holder.client != client {
            throw Self.refusal(device: device, holder: holder)
        }
    }

    public func holder(of device: String) -> Holder? { table.withLock { $0.holders[device] } }

    /// The hold `claim` on `device` ends (its run ended): the device is free again, unless
    /// it is held by a newer claim by then.
    public func release(device: String, claim: UInt64) {
        table.withLock { table in
            if table.holders[device]?.claim == claim { table.holders[device] = nil }
        }
    }

    static func refusal(device: String, holder: Holder) -> RPCError {
        let time = ISO8601DateFormatter().string(from: holder.since)
        return RPCError(code: 409, message: "refused: \(device) is controlled by \"\(holder.client)\" since \(time); watch it as an observer, or stop its run first (stop is open to every client with the token)")
    }

    /// `client` was heard from at `now`.
    public func seen(_ client: String, now: Double) {
        presence.withLock { $0[client, default: Presence(lastSeen: now, openConnections: 0)].lastSeen = now }
    }

    /// A connection of `client` that the service sees close opened or closed.
    public func connection(_ client: String, opened: Bool, now: Double) {
        presence.withLock { table in
            var entry = table[client] ?? Presence(lastSeen: now, openConnections: 0)
            entry.openConnections = max(0, entry.openConnections + (opened ? 1 : -1))
            entry.lastSeen = now
            table[client] = entry
        }
    }

    /// The devices whose controller is gone (neither an open connection nor heard from
    /// within ``deadManSeconds``) and did not start detached, with how long it has been.
    public func expired(now: Double) -> [(device: String, client: String, silentSeconds: Double, claim: UInt64)] {
        let current = table.withLock { $0.holders }
        let seen = presence.withLock { $0 }
        var gone: [(String, String, Double, UInt64)] = []
        for (device, holder) in current where !holder.detached {
            let entry = seen[holder.client]
            if let entry, entry.openConnections > 0 { continue }
            let silent = now - (entry?.lastSeen ?? -Double.infinity)
            if silent > deadManSeconds { gone.append((device, holder.client, silent, holder.claim)) }
        }
        return gone.sorted { $0.0 < $1.0 }
    }
}
