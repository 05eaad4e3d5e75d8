import ArgumentParser
import Foundation
import MassageControl
import MassageServiceProtocol

/// `massagectl call`: one request to the running service over its UNIX socket
/// (newline-delimited JSON-RPC), with the token read from its file.
struct CallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Send one request to the running service (massaged) and print its JSON answer.",
        discussion: """
            Methods: devices, programs, history, mat-goal, start, pause, resume, intensity, \
            stop, clear-fault, mat-start, mat-end. Parameters are key=value (numbers and true/false are typed).
            A run started here is started detached unless you say detached=false: this \
            command does not stay to keep it alive (the dead-man switch would stop it).
            Every call of yours is the same client ("massagectl (USER)"), so a run started \
            with one call is paused, resumed and changed by the next; client=NAME names \
            another (the socket is yours alone: mode 0600).

            Examples:
              massagectl call devices
              massagectl call start device=usb program=swedish intensity=60
              massagectl call stop device=usb
              massagectl call mat-start device=sim:mat-16 duration=600
            """)

    @Argument(help: "The method.")
    var method: String

    @Argument(help: "Parameters, key=value.")
    var parameters: [String] = []

    /// The controller name of every call by this user. One call is one process, so a
    /// per-process name would make a run started by one call refuse the next one's pause.
    static func clientName() -> String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name {
            return "massagectl (\(String(cString: name)))"
        }
        return "massagectl (uid \(getuid()))"
    }

    func run() throws {
        let paths: ServicePaths
        do { paths = try ServicePaths.standard() } catch { throw ValidationFailure(message: error.description) }
        var params: [String: JSONParam] = [:]
        for item in parameters {
            guard let equals = item.firstIndex(of: "=") else { throw ValidationError("\(item): parameters are key=value") }
            let key = String(item[..<equals]), value = String(item[item.index(after: equals)...])
            // A number only when JSON can carry it ("inf" and "nan" go as strings).
            let number = Double(value).flatMap { $0.isFinite ? JSONParam.number($0) : nil }
            params[key] = value == "true" ? .bool(true) : value == "false" ? .bool(false) : number ?? .string(value)
        }
        if method == "start" && params["detached"] == nil { params["detached"] = .bool(true) }
        if let token = try? String(contentsOfFile: paths.tokenFile, encoding: .utf8) {
            params["token"] = .string(token.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        if params["client"] == nil { params["client"] = .string(Self.clientName()) }
        do {
            let client = try ServiceClient(socketPath: paths.socket)
            let result = try client.call(method, params: params)
            let data = try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } catch let error as ServiceClientError {
            throw DeviceFailure(message: error.description)
        }
    }
}
