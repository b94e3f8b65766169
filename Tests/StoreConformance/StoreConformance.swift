import Nostr
import Store

/// The behaviour every `EventStore` must have, written only against the protocol so that
/// each backend's tests run it unchanged: `for c in StoreConformance.cases { try await c.run(make) }`.
public enum StoreConformance {
    /// Opens an empty store whose clock is `clock`.
    public typealias MakeStore = @Sendable (TestClock) async throws -> any EventStore

    public struct Case: Sendable, CustomStringConvertible {
        public let description: String
        let body: @Sendable (any EventStore, TestClock) async throws -> Void

        /// Runs the case on a fresh store and closes it.
        public func run(_ make: MakeStore) async throws {
            let clock = TestClock()
            let store = try await make(clock)
            do {
                try await body(store, clock)
            } catch {
                await store.close()
                throw error
            }
            await store.close()
        }
    }

    public static let cases: [Case] = [
        Case(description: "replaceable: newest wins whatever the arrival order", body: replaceableOrdering),
        Case(description: "replaceable: equal timestamps keep the lowest id", body: replaceableTies),
        Case(description: "addressable: versions per d tag", body: addressable),
        Case(description: "deletion after its target", body: deletionAfterTarget),
        Case(description: "deletion before its target", body: deletionBeforeTarget),
        Case(description: "deletion by address", body: deletionByAddress),
        Case(description: "deletion by someone else does nothing", body: foreignDeletion),
        Case(description: "expiration", body: expiration),
        Case(description: "duplicates", body: duplicates),
        Case(description: "future events", body: futureEvents),
        Case(description: "ephemeral events", body: ephemeral),
        Case(description: "limit, since and until edges", body: limitsAndEdges),
        Case(description: "several filters", body: severalFilters),
        Case(description: "tag filters with several values", body: tagFilters),
        Case(description: "contact lists by #p", body: contactListTags),
        Case(description: "search with hostile input", body: hostileSearch),
        Case(description: "counts", body: counts),
        Case(description: "lookups by id", body: lookups),
        Case(description: "committed-events stream", body: committedStream),
        Case(description: "JSON served back byte for byte", body: byteForByte),
        Case(description: "text holding U+0000 is kept whole", body: nulInText),
    ]
}

/// Deterministic keys and signed events for the cases.
public struct Author: Sendable {
    public let keys: KeyPair

    public init(_ name: String) {
        keys = KeyPair(secretKey: SHA256Digest32.hash(Array("conformance/\(name)".utf8)))!
    }

    public var pubkey: PublicKey { keys.publicKey }

    public func event(_ kind: Int, at time: Int64, tags: [[String]] = [], _ content: String = "") -> Event {
        Event.signed(by: keys, createdAt: time, kind: kind, tags: tags, content: content)
    }
}

let alice = Author("alice"), bob = Author("bob"), carol = Author("carol")

extension EventStore {
    func put(_ events: Event...) async throws -> [WriteOutcome] {
        try await write(events.map { ValidatedEvent(event: $0) })
    }

    func ids(_ filters: Filter...) async throws -> [EventID] {
        try await query(filters).map(\.id)
    }
}

/// Every order of a small list (for arrival-order independence).
func permutations<T>(_ items: [T]) -> [[T]] {
    guard items.count > 1 else { return [items] }
    return items.indices.flatMap { i -> [[T]] in
        var rest = items
        let head = rest.remove(at: i)
        return permutations(rest).map { [head] + $0 }
    }
}
