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

    func run() throws {
        let paths: ServicePaths
        do { paths = try ServicePaths.standard() } catch { throw ValidationFailure(message: error.description) }
        var params: [String: JSONParam] = [:]
        for item in parameters {
            guard let equals = item.firstIndex(of: "=") else { throw ValidationError("\(item): parameters are key=value") }
            let key = String(item[..<equals]), value = String(item[item.index(after: equals)...])
            params[key] = value == "true" ? .bool(true) : value == "false" ? .bool(false) : Double(value).map(JSONParam.number) ?? .string(value)
        }
        if method == "start" && params["detached"] == nil { params["detached"] = .bool(true) }
        if let token = try? String(contentsOfFile: paths.tokenFile, encoding: .utf8) {
            params["token"] = .string(token.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        params["client"] = .string("massagectl \(getpid())")
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
