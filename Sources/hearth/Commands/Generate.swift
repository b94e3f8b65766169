import ArgumentParser
import Corpus

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a deterministic, validly signed corpus of events as JSON lines.",
        discussion: """
            The same arguments always give the same bytes. Timestamps end at --end-time \
            (default 2026-01-01T00:00:00Z); pass --end-time $(date +%s) for a corpus that \
            ends now. Load it with `hearth import`.
            """)

    @Option(help: "Number of users.")
    var users: Int?

    @Option(help: "Number of top-level notes (replies, reactions, zaps … scale with it).")
    var notes: Int?

    @Option(help: "Approximate total number of events (sets --users and --notes).")
    var events: Int?

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Newest timestamp (unix seconds).")
    var endTime: Int64 = CorpusOptions.defaultEndTime

    @Option(help: "Days the corpus spans.")
    var days: Int = 7

    @Option(help: "Output file, - for standard output.")
    var out = "-"

    func validate() throws {
        if events != nil && (users != nil || notes != nil) {
            throw ValidationError("give either --events or --users/--notes, not both")
        }
        for (name, value) in [("users", users), ("notes", notes), ("events", events)] {
            if let value, value < 1 { throw ValidationError("--\(name) must be at least 1") }
        }
    }

    var options: CorpusOptions {
        if let events { return CorpusOptions.sized(events: events, seed: seed, endTime: endTime) }
        return CorpusOptions(users: users ?? 200, notes: notes ?? 2_000, seed: seed, endTime: endTime, days: days)
    }

    func run() throws {
        let options = self.options
        let file = try OutputFile(path: out)
        let progress = ProgressBar("generating", total: options.plan.timelineCount + options.users * 3)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        var count = 0
        try CorpusGenerator(options: options).generate(progress: progress.update) { event in
            event.appendJSON(to: &buffer)
            buffer.append(0x0A)
            count += 1
            if buffer.count >= 1 << 20 {
                try file.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try file.write(buffer)
        try file.close()
        progress.finish(count)
    }
}
