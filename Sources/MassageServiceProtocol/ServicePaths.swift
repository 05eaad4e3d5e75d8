import Foundation

/// Where the service keeps what a local client needs to find it and act: the UNIX socket
/// and the description of the running service in `$XDG_RUNTIME_DIR` (per login, 0700,
/// gone at logout), and the token in the user's configuration folder (kept, 0600).
public struct ServicePaths: Sendable, Equatable {
    /// The folder for the socket and `service.json`, created 0700.
    public var runtimeFolder: String
    /// The token file, created 0600 at the service's first start.
    public var tokenFile: String

    public init(runtimeFolder: String, tokenFile: String) {
        self.runtimeFolder = runtimeFolder
        self.tokenFile = tokenFile
    }

    /// The UNIX socket, mode 0600.
    public var socket: String { runtimeFolder + "/massaged.sock" }
    /// What the running service wrote about itself (its URL and pid).
    public var descriptionFile: String { runtimeFolder + "/service.json" }

    /// The defaults: `$XDG_RUNTIME_DIR/massage-control` and
    /// `$XDG_CONFIG_HOME/massage-control/service-token` (or `~/.config/...`).
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ServicePathError) -> ServicePaths {
        guard let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty else { throw .noRuntimeDirectory }
        let config: String
        if let value = environment["XDG_CONFIG_HOME"], !value.isEmpty {
            config = value
        } else if let home = environment["HOME"], !home.isEmpty {
            config = home + "/.config"
        } else {
            throw .noConfigDirectory
        }
        return ServicePaths(runtimeFolder: runtime + "/massage-control", tokenFile: config + "/massage-control/service-token")
    }
}

/// Why the service's files cannot be placed.
public enum ServicePathError: Error, Sendable, Equatable, CustomStringConvertible {
    case noRuntimeDirectory
    case noConfigDirectory

    public var description: String {
        switch self {
        case .noRuntimeDirectory:
            "XDG_RUNTIME_DIR is not set: the service keeps its socket there (a login session sets it; or export XDG_RUNTIME_DIR=/run/user/$(id -u))"
        case .noConfigDirectory:
            "neither XDG_CONFIG_HOME nor HOME is set: the service keeps its token there"
        }
    }
}

/// What the running service wrote about itself into `service.json`.
public struct ServiceDescription: Codable, Sendable, Equatable {
    /// The HTTP base URL, e.g. `http://127.0.0.1:8737`.
    public var url: String
    public var socket: String
    public var pid: Int32
    /// The device URIs it owns.
    public var devices: [String]

    public init(url: String, socket: String, pid: Int32, devices: [String]) {
        self.url = url
        self.socket = socket
        self.pid = pid
        self.devices = devices
    }
}
