import Dispatch
import Foundation
import Ingest
import ServiceLifecycle

/// The upstream relays as a service of `hearth serve`: started with the server, stopped
/// (each relay handing over what it read, states saved) before the store closes.
/// SIGHUP reloads the relays file.
struct UpstreamService: Service {
    let pool: RelayPool
    let path: String

    func run() async throws {
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP)
        hangup.setEventHandler { [pool] in pool.reload() }
        hangup.resume()
        defer { hangup.cancel() }
        await cancelWhenGracefulShutdown {
            await pool.run(path: path)
        }
    }
}
