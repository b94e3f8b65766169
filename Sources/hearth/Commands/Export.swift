import Foundation
import ArgumentParser
import Nostr
import Store

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write stored events as JSON lines, in storage order.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Only these kinds (comma-separated).")
    var kinds: String?

    @Option(help: "Only these authors (comma-separated hex pubkeys or npubs).")
    var authors: String?

    @Option(help: "Only events created at or after this unix time.")
    var since: Int64?

    @Option(help: "Only events created at or before this unix time.")
    var until: Int64?

    @Option(help: "Output file, - for standard output.")
    var out = "-"

    func filter() throws -> Filter {
        var filter = Filter(since: since, until: until)
        if let kinds {
            filter.kinds = Set(try kinds.split(separator: ",").map { part in
                guard let kind = Int(part.trimmingCharacters(in: .whitespaces)), (0...Event.maxKind).contains(kind) else {
                    throw ValidationError("--kinds takes integers from 0 to \(Event.maxKind), comma-separated")
                }
                return kind
            })
        }
        if let authors {
            filter.authors = Set(try authors.split(separator: ",").map { part in
                let text = part.trimmingCharacters(in: .whitespaces)
                if let key = PublicKey(hex: text) { return key }
                if let key = (try? NIP19(text))?.pubkey { return key }
                throw ValidationError("--authors takes hex pubkeys or npubs: \(text)")
            })
        }
        return filter
    }

    func run() async throws {
        let filter = try filter()
        let store = try database.open(readOnly: true)
        let output = try OutputFile(path: out)
        var cursor = ScanCursor.start
        var count = 0
        while true {
            let (events, next) = try await store.scan(filter, after: cursor, limit: 2_000)
            if events.isEmpty { break }
            var buffer: [UInt8] = []
            for event in events {
                buffer.append(contentsOf: event.json)
                buffer.append(0x0A)
            }
            try output.write(buffer)
            count += events.count
            cursor = next
        }
        try output.close()
        await store.close()
        if out != "-" { print("exported \(count) events to \(out)") }
    }
}
