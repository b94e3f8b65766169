import ArgumentParser

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the cache over WebSocket (Primal cache protocol and NIP-01).")

    @Option(help: "Database file.")
    var db = "data/hearth.db"

    @Option(help: "Address to listen on.")
    var listen = "127.0.0.1:8008"

    func run() async throws {
        // The one placeholder the Foundation issue allows: the server arrives with the
        // server issue. Say so plainly instead of pretending to serve.
        print("""
            hearth serve: not implemented yet.
            When the server lands it will open \(db) and listen on ws://\(listen) \
            (Primal cache protocol and NIP-01). Today Hearth can generate corpora: \
            hearth generate --help
            """)
    }
}
