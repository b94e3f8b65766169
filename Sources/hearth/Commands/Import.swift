import Foundation
import ArgumentParser
import Ingest
import Store
import Workers

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import events from a JSON-lines file (- for standard input).",
        discussion: """
            Every line goes through the same door as events from relays: parse, duplicate \
            check, id and signature verification, then the writer. A bad line is counted \
            and skipped; it never stops the import.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "A file with one event JSON object per line, or - for standard input.")
    var file: String

    @Option(help: "Lines per batch handed to the writer.")
    var batch = 5_000

    @Option(help: "Events per commit. Larger commits write fewer pages per event into a big file; an interrupted import loses what was not committed (run it again: stored events are skipped).")
    var commitEvents = 100_000

    /// JSON bytes that end a batch before `batch` lines.
    static let batchBytes = 4 << 20

    func validate() throws {
        guard batch > 0, commitEvents > 0 else { throw ValidationError("--batch and --commit-events must be positive") }
    }

    func run() async throws {
        let reader = try LineReader(path: file)
        let store = try database.open(bulkCommitEvents: commitEvents)
        let pipeline = IngestPipeline(store: store, verifierThreads: max(1, ProcessInfoCores.count))
        let progress = ProgressBar("importing", total: reader.totalBytes.map(Int.init))
        let started = monotonicNow()
        var summary = ImportSummary()
        // Two batches in flight: one being verified and written while the next is read. A
        // batch also ends at `batchBytes` of JSON: parsed, 5,000 contact lists took 80 MB.
        try await withThrowingTaskGroup(of: [IngestOutcome].self) { group in
            var inFlight = 0
            while true {
                var lines: [[UInt8]] = []
                var bytes = 0
                while lines.count < batch, bytes < Self.batchBytes, let line = reader.next() {
                    if line.contains(where: { $0 != 0x20 && $0 != 0x09 }) {
                        bytes += line.count
                        lines.append(line)
                    }
                }
                if lines.isEmpty { break }
                let submitted = lines
                group.addTask { await pipeline.submit(json: submitted, from: .importFile) }
                inFlight += 1
                if inFlight >= 2, let outcomes = try await group.next() {
                    summary.add(outcomes)
                    inFlight -= 1
                }
                progress.update(Int(reader.bytesRead))
            }
            for try await outcomes in group { summary.add(outcomes) }
        }
        progress.finish(Int(reader.bytesRead))
        pipeline.shutdown()
        do {
            try await store.finishBulkLoad()
        } catch {
            await store.close()
            throw ValidationError("the import failed: \(error)")
        }
        await store.close()
        let seconds = monotonicNow() - started
        print(summary)
        print("took \(String(format: "%.1f", seconds)) s (\(Int(Double(summary.lines) / max(seconds, 0.001))) lines/s)")
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: database.path)[.size] as? Int64) ?? nil
        if let written = ProcessFigures.bytesWritten, let fileBytes, fileBytes > 0 {
            print("wrote \(decimalBytes(written)) to storage (\(String(format: "%.1f", Double(written) / Double(fileBytes)))× the \(decimalBytes(fileBytes)) file)")
        }
        if let peak = ProcessFigures.peakResidentBytes { print("peak memory \(decimalBytes(peak))") }
    }
}
