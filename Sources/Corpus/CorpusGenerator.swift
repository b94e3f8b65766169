import Dispatch
import Nostr
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Generates a deterministic, validly signed corpus with the shape of a real community:
/// profiles, a power-law follow graph, notes, threads, reactions, reposts, quotes, zaps,
/// articles, deletions, lists and direct messages.
///
/// Events come out in the order they are made: setup first (profiles, contact lists, relay
/// lists), then a timeline in which every reference points at an event made earlier.
public struct CorpusGenerator {
    public let options: CorpusOptions

    public init(options: CorpusOptions) {
        self.options = options
    }

    /// Calls `emit` with every event in order; `progress` gets the running count.
    /// Events are built in order on this thread and signed in parallel batches.
    public func generate(progress: ((Int) -> Void)? = nil, _ emit: (Event) throws -> Void) rethrows {
        var state = CorpusState(options: options)
        var count = 0
        var pending: [CorpusDraft] = []
        pending.reserveCapacity(CorpusGenerator.batchSize)
        func flush() throws {
            for event in CorpusGenerator.sign(pending) {
                try emit(event)
                count += 1
                if count % 1000 == 0 { progress?(count) }
            }
            pending.removeAll(keepingCapacity: true)
        }
        func send(_ draft: CorpusDraft) throws {
            pending.append(draft)
            if pending.count == CorpusGenerator.batchSize { try flush() }
        }
        for user in state.users.indices {
            for event in state.setupEvents(for: user) { try send(event) }
        }
        var timeline = Timeline(plan: options.plan)
        let steps = timeline.total
        let start = options.endTime - Int64(options.days) * 86_400 + Int64(options.days) * 86_400 / 20
        let span = options.endTime - start
        for step in 0..<steps {
            let time = start + span * Int64(step) / Int64(max(1, steps))
            let action = timeline.next(using: &state.rng, hasNotes: !state.posts.isEmpty)
            if let event = state.timelineEvent(action, at: time) { try send(event) }
        }
        for user in state.users.indices {
            for event in state.listEvents(for: user) { try send(event) }
        }
        try flush()
        progress?(count)
    }

    static let batchSize = 4_096

    /// Signs drafts on every core; the result is in the drafts' order.
    static func sign(_ drafts: [CorpusDraft]) -> [Event] {
        let workers = max(1, min(8, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let chunk = (drafts.count + workers - 1) / max(1, workers)
        var signed = [Event?](repeating: nil, count: drafts.count)
        signed.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let range = (worker * chunk)..<min(drafts.count, (worker + 1) * chunk)
                for i in range { out[i] = drafts[i].signed() }
            }
        }
        return signed.map { $0! }
    }

    /// All events in order.
    public func events() -> [Event] {
        var out: [Event] = []
        out.reserveCapacity(options.plan.timelineCount + options.users * 4)
        generate { out.append($0) }
        return out
    }

    /// All events as JSON lines, exactly what `hearth generate` writes.
    public func jsonLines() -> [UInt8] {
        var out: [UInt8] = []
        generate { event in
            out.append(contentsOf: event.json)
            out.append(0x0A)
        }
        return out
    }
}

/// The sorts of event the timeline makes.
enum TimelineAction: CaseIterable {
    case note, reply, reaction, repost, zap, deletion, directMessage, article, articleUpdate
}

/// Draws timeline actions so that each sort is made exactly as often as the plan says.
struct Timeline {
    var remaining: [TimelineAction: Int]
    var total: Int

    init(plan: CorpusPlan) {
        remaining = [
            .note: plan.notes, .reply: plan.replies, .reaction: plan.reactions, .repost: plan.reposts,
            .zap: plan.zaps, .deletion: plan.deletions, .directMessage: plan.directMessages,
            .article: plan.articles, .articleUpdate: plan.articles / 5,
        ]
        total = remaining.values.reduce(0, +)
    }

    mutating func next(using rng: inout SplitMix64, hasNotes: Bool) -> TimelineAction {
        let left = TimelineAction.allCases.reduce(0) { $0 + remaining[$1, default: 0] }
        var draw = rng.below(max(1, left))
        var chosen = TimelineAction.note
        for action in TimelineAction.allCases {
            let n = remaining[action, default: 0]
            if draw < n { chosen = action; break }
            draw -= n
        }
        // Everything but notes, articles and messages needs a note to point at.
        if !hasNotes, ![.note, .article, .directMessage].contains(chosen), remaining[.note, default: 0] > 0 {
            chosen = .note
        }
        remaining[chosen, default: 0] -= 1
        return chosen
    }
}
