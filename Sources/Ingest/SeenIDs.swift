import Nostr
import Synchronization

/// The ids seen recently, bounded: two generations of hash sets; when the current one is
/// full it becomes the previous one and the oldest generation is dropped. A repeat of an
/// event costs a hash lookup here instead of a Schnorr verification.
public final class SeenIDs: Sendable {
    private struct Generations {
        var current = Set<EventID>()
        var previous = Set<EventID>()
    }

    private let generations = Mutex(Generations())
    private let generationSize: Int

    /// Remembers between `capacity / 2` and `capacity` ids.
    public init(capacity: Int = 1_000_000) {
        generationSize = max(1, capacity / 2)
    }

    public func contains(_ id: EventID) -> Bool {
        generations.withLock { $0.current.contains(id) || $0.previous.contains(id) }
    }

    /// Marks ids as seen.
    public func insert<S: Sequence>(_ ids: S) where S.Element == EventID {
        generations.withLock { g in
            for id in ids {
                if g.current.count >= generationSize {
                    g.previous = g.current
                    g.current = Set(minimumCapacity: generationSize)
                }
                g.current.insert(id)
            }
        }
    }
}
