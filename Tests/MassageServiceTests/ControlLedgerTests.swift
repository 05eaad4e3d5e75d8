import Foundation
import MassageService
import MassageServiceProtocol
import Testing

/// The controller rule and the dead-man switch's bookkeeping, on a clock moved by hand.
@Suite struct ControlLedgerTests {
    @Test func aSecondControllerIsRefusedByName() throws {
        let ledger = ControlLedger(deadManSeconds: 5)
        let claim = try ledger.acquire(device: "sim", client: "phone", detached: false)
        #expect(throws: RPCError.self) { try ledger.acquire(device: "sim", client: "laptop", detached: false) }
        do {
            try ledger.check(device: "sim", client: "laptop")
            Issue.record("a second controller was let through")
        } catch {
            #expect(error.code == 409)
            #expect(error.message.contains("\"phone\""))
        }
        // The holder itself, and anyone on another device, pass.
        try ledger.check(device: "sim", client: "phone")
        try ledger.acquire(device: "usb", client: "laptop", detached: false)
        ledger.release(device: "sim", claim: claim)
        try ledger.acquire(device: "sim", client: "laptop", detached: false)
    }

    /// A run's end releases its own hold, never the hold of the run started after it.
    @Test func aReleaseFreesOnlyItsOwnClaim() throws {
        let ledger = ControlLedger(deadManSeconds: 5)
        let first = try ledger.acquire(device: "sim", client: "phone", detached: false)
        let second = try ledger.acquire(device: "sim", client: "phone", detached: true)
        #expect(first != second)
        ledger.release(device: "sim", claim: first)
        #expect(ledger.holder(of: "sim")?.claim == second)
        #expect(ledger.holder(of: "sim")?.detached == true)
        ledger.release(device: "sim", claim: second)
        #expect(ledger.holder(of: "sim") == nil)
    }

    @Test func aSilentControllerExpiresAfterTheDeadManTimeOnly() throws {
        let ledger = ControlLedger(deadManSeconds: 5)
        try ledger.acquire(device: "sim", client: "phone", detached: false)
        ledger.seen("phone", now: 100)
        #expect(ledger.expired(now: 104.9).isEmpty)
        #expect(ledger.expired(now: 105).isEmpty)
        ledger.seen("phone", now: 104)
        #expect(ledger.expired(now: 108.5).isEmpty)
        let gone = ledger.expired(now: 109.5)
        #expect(gone.map(\.device) == ["sim"])
        #expect(gone.first?.client == "phone")
    }

    @Test func aDetachedRunOutlivesItsController() throws {
        let ledger = ControlLedger(deadManSeconds: 5)
        try ledger.acquire(device: "sim", client: "script", detached: true)
        ledger.seen("script", now: 0)
        #expect(ledger.expired(now: 1000).isEmpty)
    }

    @Test func anOpenConnectionKeepsItsClientPresentAndItsCloseStartsTheCount() throws {
        let ledger = ControlLedger(deadManSeconds: 2)
        try ledger.acquire(device: "sim", client: "massagectl 7", detached: false)
        ledger.connection("massagectl 7", opened: true, now: 0)
        #expect(ledger.expired(now: 500).isEmpty)
        ledger.connection("massagectl 7", opened: false, now: 500)
        #expect(ledger.expired(now: 501.9).isEmpty)
        #expect(ledger.expired(now: 502.1).map(\.device) == ["sim"])
    }

    @Test func aControllerNeverHeardFromExpires() throws {
        let ledger = ControlLedger(deadManSeconds: 2)
        try ledger.acquire(device: "sim", client: "ghost", detached: false)
        #expect(ledger.expired(now: 0).map(\.device) == ["sim"])
    }
}
