import Foundation
import MassageHistory
import MassageService
import MassageServiceProtocol
import Testing

/// SIGTERM's path without the web stack: ServiceCore.shutDown with a program playing on
/// the handheld and a mat session on the mat. Every connected device acknowledges a Stop,
/// a device that never connected is said to be so, and both history rows are finished.
@Suite(.serialized) struct ShutdownTests {
    @Test func everyDeviceAcknowledgesStopAndTheRowsAreFinished() throws {
        let folder = NSTemporaryDirectory() + "massaged-shutdown-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var configuration = ServiceCore.Configuration()
        configuration.devices = ["sim", "sim:mat-16", "unix:\(folder)/absent.sock"]
        configuration.historyPath = folder + "/history.sqlite"
        configuration.fifoPriority = nil
        let token = String(repeating: "ab", count: 32)
        let core = try ServiceCore(configuration: configuration, tokens: TokenStore(token: token))
        core.connectAll()
        let phone = ServiceCore.Caller(client: "phone", token: token)
        _ = try core.handle(method: "start", device: "sim", params: ["program": .string("swedish")], caller: phone)
        _ = try core.handle(method: "mat-start", device: "sim:mat-16", params: [:], caller: phone)
        Thread.sleep(forTimeInterval: 0.5)

        let ends = core.shutDown()

        #expect(ends.map(\.device) == configuration.devices)
        #expect(ends.count == 3 && ends[0].acknowledged && ends[1].acknowledged, "\(ends)")
        #expect(ends.last?.stop == nil, "\(ends)")
        #expect(ends.last?.description.contains("not connected") == true)
        let rows = try HistoryStore(path: configuration.historyPath ?? "").entries()
        let run = rows.first { $0.kind == .program }
        #expect(run?.outcome == .stopped, "\(rows)")
        #expect(run?.note == "stopped: the service shut down", "\(rows)")
        #expect(run?.endedAt != nil)
        let mat = rows.first { $0.kind == .mat }
        #expect(mat?.note == "ended: the service shut down", "\(rows)")
        #expect(mat?.endedAt != nil)
        #expect(rows.allSatisfy { $0.outcome != .running }, "\(rows)")
    }
}
