import ArgumentParser
import Foundation

struct Reindex: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild every derived table (counts, follows, threads, notifications…) from the stored events.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let store = try database.open()
        let progress = ProgressBar("reindexing")
        let report = try await store.reindex { done, total in progress.update(done) }
        progress.finish(report.events)
        await store.close()
        print("rebuilt from \(report.events) events in \(String(format: "%.1f", report.seconds)) s " +
              "(\(Int(Double(report.events) / max(report.seconds, 0.001))) events/s)")
        for (table, count) in report.rows {
            print("  \(table.padding(toLength: 14, withPad: " ", startingAt: 0)) \(count) rows")
        }
    }
}
