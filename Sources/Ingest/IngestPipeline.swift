import Nostr
import Store
import Synchronization
import Workers

/// Where an event came from (for counters and logs).
public enum IngestSource: Sendable, Hashable {
    case relay(String)
    case importFile
    case client
    case cacheImport

    /// Sources whose sender is told each event's outcome (`OK`, a cache answer): a
    /// "duplicate" said to them must be true.
    var answersSender: Bool {
        switch self {
        case .client, .cacheImport: return true
        case .relay, .importFile: return false
        }
    }
}

/// What the pipeline did with one submitted event.
public enum IngestOutcome: Sendable, Equatable {
    /// Reached the writer, which did this.
    case written(WriteOutcome)
    /// Dropped before verification: already stored, or seen moments ago.
    case seen
    /// Not a valid event: unparseable, wrong id or bad signature.
    case invalid(String)
    /// Valid, but refused by policy.
    case blocked(String)
}

/// The one door every event goes through: relays, `hearth import`, client `EVENT` and the
/// cache's `import_events` all submit here.
///
/// parse → drop ids already seen (memory, then the store's id index) → policy → verify id
/// and signature on a pool of threads → writer. Duplicates never cost a verification.
/// `submit` returns after the writer committed, so a caller that awaits it (a relay
/// connection reading its socket) is throttled by the writer: that is the back-pressure.
public final class IngestPipeline: Sendable {
    public let store: any EventStore
    public let policy: IngestPolicy
    private let verifiers: WorkerPool<Void>
    private let seen: SeenIDs
    /// Events between the duplicate check and the writer's answer, by id and signature:
    /// an identical copy from another relay meanwhile is dropped instead of verified twice.
    /// (A copy with another signature is verified: one of the two may be forged.)
    private let inFlight = Mutex<Set<InFlightKey>>([])
    private let now: @Sendable () -> Int64
    public let counters = IngestCounters()

    public init(store: any EventStore, policy: IngestPolicy = IngestPolicy(), verifierThreads: Int = 2,
                seenCapacity: Int = 1_000_000, now: @escaping @Sendable () -> Int64 = unixNow) {
        self.store = store
        self.policy = policy
        self.now = now
        seen = SeenIDs(capacity: seenCapacity)
        // Verifiers run at a lower priority than the writer, readers and sockets: the writer
        // is the bottleneck of ingestion, and on a small machine verifiers preempting it cost
        // more than they gained (measured on 2 cores: 6.6k → 7.6k events/s from relays).
        verifiers = WorkerPool(name: "hearth-verify", count: verifierThreads, maxPending: 100_000) { _ in
            lowerCurrentThreadPriority(by: 10)
        }
    }

    public func shutdown() { verifiers.shutdown() }

    /// Submits raw JSON event objects; returns an outcome per input, in order. An object
    /// whose id was seen recently is dropped before it is even parsed.
    public func submit(json objects: [[UInt8]], from source: IngestSource) async -> [IngestOutcome] {
        var parsed: [(Event, [UInt8])?] = []
        var outcomes = [IngestOutcome?](repeating: nil, count: objects.count)
        parsed.reserveCapacity(objects.count)
        for (i, json) in objects.enumerated() {
            if let id = json.withUnsafeBytes(EventFieldPeek.id), seen.contains(id) {
                parsed.append(nil)
                outcomes[i] = .seen
                continue
            }
            do {
                parsed.append((try EventParser.parse(json), json))
            } catch {
                parsed.append(nil)
                outcomes[i] = .invalid("\(error)")
            }
        }
        return await submit(parsed: parsed, prefilled: outcomes, from: source)
    }

    /// True when this id was stored or refused moments ago (a hash lookup, for callers
    /// that can skip even the parse of a copy).
    public func recentlySeen(_ id: EventID) -> Bool { seen.contains(id) }

    /// Submits events already parsed (with the JSON they arrived in).
    public func submit(events: [(Event, [UInt8])], from source: IngestSource) async -> [IngestOutcome] {
        await submit(parsed: events.map { $0 }, prefilled: Array(repeating: nil, count: events.count), from: source)
    }

    private func submit(parsed: [(Event, [UInt8])?], prefilled: [IngestOutcome?], from source: IngestSource) async -> [IngestOutcome] {
        var outcomes = prefilled
        let time = now()
        // 1. Find copies of known ids (in memory, then in the store) and what the policy refuses.
        var candidates: [Int] = []
        var copies = Set<Int>()
        for (i, item) in parsed.enumerated() {
            guard let (event, json) = item else { continue }
            if seen.contains(event.id) {
                copies.insert(i)
                candidates.append(i)
            } else if let reason = policy.refusal(for: event, size: json.count, now: time) {
                outcomes[i] = .blocked(reason)
            } else {
                candidates.append(i)
            }
        }
        let fresh = candidates.filter { !copies.contains($0) }
        if !fresh.isEmpty, let stored = try? await store.storedIDs(fresh.map { parsed[$0]!.0.id }) {
            for i in fresh where stored.contains(parsed[i]!.0.id) { copies.insert(i) }
            seen.insert(stored)
        }
        // A copy is dropped unchecked, except when its sender is told the answer: a client
        // sending a changed copy (same id, other bytes) must hear "invalid", not "duplicate".
        // Those copies are checked below like new events, and then not written.
        if !source.answersSender {
            for i in copies { outcomes[i] = .seen }
            candidates.removeAll { copies.contains($0) }
        }
        // 2. Refuse ids that do not match their contents (a hash, cheap next to a signature):
        //    after this, two copies with the same id and signature are the very same event,
        //    so a tampered copy can never stand in for the real one below.
        candidates.removeAll { i in
            let event = parsed[i]!.0
            guard event.computeID() != event.id else { return false }
            outcomes[i] = .invalid(ValidationError.idMismatch.description)
            return true
        }
        // Copies in this batch or being verified by another caller need not be verified twice.
        let claimed: [InFlightKey] = inFlight.withLock { flying in
            var claimed: [InFlightKey] = []
            candidates.removeAll { i in
                guard !copies.contains(i) else { return false }
                let key = InFlightKey(parsed[i]!.0)
                guard flying.insert(key).inserted else {
                    outcomes[i] = .seen
                    return true
                }
                claimed.append(key)
                return false
            }
            return claimed
        }
        defer { inFlight.withLock { flying in for key in claimed { flying.remove(key) } } }
        // 3. Verify the signatures of the rest in parallel.
        let verdicts = await verifySignatures(candidates.map { parsed[$0]!.0 })
        var valid: [ValidatedEvent] = []
        var validIndexes: [Int] = []
        for (i, verdict) in zip(candidates, verdicts) {
            if let verdict {
                outcomes[i] = .invalid(verdict.description)
            } else if copies.contains(i) {
                outcomes[i] = .seen
            } else {
                let (event, json) = parsed[i]!
                valid.append(ValidatedEvent(event: event, json: json))
                validIndexes.append(i)
            }
        }
        // 4. Write.
        if !valid.isEmpty {
            do {
                let written = try await store.write(valid)
                for (i, outcome) in zip(validIndexes, written) { outcomes[i] = .written(outcome) }
                seen.insert(zip(valid, written).compactMap { $1.rememberAsSeen ? $0.event.id : nil })
            } catch {
                for i in validIndexes { outcomes[i] = .written(.failed("\(error)")) }
            }
        }
        let final = outcomes.map { $0 ?? .invalid("not processed") }
        counters.record(final, from: source)
        return final
    }

    /// Signature checks, spread over the verifier threads; nil means valid.
    private func verifySignatures(_ events: [Event]) async -> [ValidationError?] {
        guard !events.isEmpty else { return [] }
        let chunkSize = max(16, (events.count + verifiers.count - 1) / verifiers.count)
        let chunks = stride(from: 0, to: events.count, by: chunkSize).map { Array(events[$0..<min($0 + chunkSize, events.count)]) }
        var results = [[ValidationError?]](repeating: [], count: chunks.count)
        await withTaskGroup(of: (Int, [ValidationError?]).self) { group in
            for (index, chunk) in chunks.enumerated() {
                group.addTask { [verifiers] in
                    do {
                        return (index, try await verifiers.run { _ in chunk.map { $0.verifySignature() ? nil : .badSignature } })
                    } catch {
                        // The pool is shut down: nothing is verified, so nothing is valid.
                        return (index, chunk.map { _ in ValidationError.badSignature })
                    }
                }
            }
            for await (index, verdicts) in group { results[index] = verdicts }
        }
        return results.flatMap { $0 }
    }
}

/// An event's id and signature: two copies with both equal are the same event, byte for
/// byte in everything that is verified.
struct InFlightKey: Hashable {
    let id: EventID
    let sig: Signature

    init(_ event: Event) {
        id = event.id
        sig = event.sig
    }
}

extension WriteOutcome {
    /// Outcomes after which the same id need not be looked at again soon.
    var rememberAsSeen: Bool {
        switch self {
        case .stored, .replaced, .duplicate, .olderThanStored, .deleted, .ephemeral: return true
        case .rejected, .failed: return false
        }
    }
}

/// Running totals by outcome and source, for /metrics and `hearth import`'s summary.
public final class IngestCounters: Sendable {
    private let totals = Mutex<[String: Int]>([:])

    public init() {}

    func record(_ outcomes: [IngestOutcome], from source: IngestSource) {
        totals.withLock { totals in
            for outcome in outcomes { totals[outcome.counterName, default: 0] += 1 }
        }
    }

    public var snapshot: [String: Int] { totals.withLock { $0 } }
}

extension IngestOutcome {
    /// A short stable name per kind of outcome.
    public var counterName: String {
        switch self {
        case .written(let outcome):
            switch outcome {
            case .stored: return "stored"
            case .duplicate: return "duplicate"
            case .replaced: return "replaced"
            case .olderThanStored: return "older"
            case .deleted: return "deleted"
            case .ephemeral: return "ephemeral"
            case .rejected: return "rejected"
            case .failed: return "failed"
            }
        case .seen: return "duplicate"
        case .invalid: return "invalid"
        case .blocked: return "blocked"
        }
    }
}
