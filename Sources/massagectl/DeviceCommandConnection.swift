import ArgumentParser
import MassageControl
import MassageKit

/// Connects a session for the short device commands (`stop`, `clear-fault`, `config`),
/// printing what went wrong with the exit status `massagectl` uses everywhere: 64 for a
/// URI or device table to fix, 1 for a device that cannot be reached.
struct DeviceCommandConnection {
    let connector: DeviceConnector
    let session: DeviceSession
    let capabilities: DeviceCapabilities

    static func open(device: String) throws -> DeviceCommandConnection {
        let connector: DeviceConnector
        do {
            connector = try DeviceConnector.make(device: device)
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitCode.validationFailure
        }
        do {
            let session = try connector.connect()
            guard let capabilities = session.capabilities else {
                session.close()
                connector.shutDown()
                throw DeviceFailure(message: SessionError.notConnected.description)
            }
            return DeviceCommandConnection(connector: connector, session: session, capabilities: capabilities)
        } catch {
            StandardError.print("Error: \(error)")
            throw ExitCode.failure
        }
    }

    /// "Vendor Model [URI]".
    var title: String { "\(capabilities.vendor) \(capabilities.model) [\(connector.uri)]" }

    func close() {
        session.close()
        connector.shutDown()
    }
}
