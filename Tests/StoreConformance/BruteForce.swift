import Foundation
import Nostr

/// What a store must answer, computed the slow and obvious way: NIP-01 filter matching over
/// every event, newest first (ties: lowest id), each filter limited, the union of filters.
public enum BruteForce {
    public static func newestFirst(_ a: Event, _ b: Event) -> Bool {
        a.createdAt != b.createdAt ? a.createdAt > b.createdAt : a.id < b.id
    }

    public static func expected(_ filters: [Filter], over events: [Event]) -> [EventID] {
        var union: [EventID: Event] = [:]
        for filter in filters {
            let matched = events.filter(filter.matches).sorted(by: newestFirst)
            for event in matched.prefix(filter.limit ?? Int.max) { union[event.id] = event }
        }
        return union.values.sorted(by: newestFirst).map(\.id)
    }

    /// The events a store keeps of `events` (all accepted): for each replaceable or
    /// addressable address only the newest version (ties: lowest id), each id once.
    public static func kept(_ events: [Event]) -> [Event] {
        var byAddress: [EventAddress: Event] = [:]
        var plain: [EventID: Event] = [:]
        for event in events {
            guard let address = event.address else {
                plain[event.id] = event
                continue
            }
            if let current = byAddress[address], !newestFirst(event, current) { continue }
            byAddress[address] = event
        }
        return Array(plain.values) + Array(byAddress.values)
    }
}

/// Seed and size of the randomised tests: fixed in CI, set by `make fuzz`
/// (`HEARTH_FUZZ_SEED`, `HEARTH_FUZZ_SCALE`). A failure message names the seed.
public enum FuzzSettings {
    public static let seed: UInt64 = ProcessInfo.processInfo.environment["HEARTH_FUZZ_SEED"].flatMap { UInt64($0) } ?? 21
    public static let scale: Int = ProcessInfo.processInfo.environment["HEARTH_FUZZ_SCALE"].flatMap { Int($0) }.map { max(1, $0) } ?? 1
}
