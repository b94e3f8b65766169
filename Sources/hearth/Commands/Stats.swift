import Foundation
import ArgumentParser

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show what the database holds and what it costs on disk.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let store = try database.open(readOnly: true)
        let stats = try await store.statistics()
        await store.close()
        print("events:            \(stats.events)")
        print("distinct authors:  \(stats.distinctAuthors)")
        print("file size:         \(stats.fileBytes) bytes (\(stats.fileBytes / 1_048_576) MiB)")
        if stats.events > 0 {
            print("bytes per event:   \(stats.fileBytes / Int64(stats.events)) on disk, \(stats.jsonBytes / Int64(stats.events)) of JSON")
            print("disk / raw JSON:   \(String(format: "%.2f", Double(stats.fileBytes) / Double(max(1, stats.jsonBytes))))×")
        }
        print("events by kind:")
        for (kind, count) in stats.eventsByKind.sorted(by: { $0.value > $1.value }) {
            print("  \(String(kind).padding(toLength: 8, withPad: " ", startingAt: 0)) \(count)")
        }
    }
}
