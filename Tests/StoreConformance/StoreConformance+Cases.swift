import Nostr
import Store

extension StoreConformance {
    static func replaceableOrdering(_ store: any EventStore, _ clock: TestClock) async throws {
        let t = clock.now - 1_000
        for kind in [0, 3, 10002] {
            let versions = (0..<3).map { alice.event(kind, at: t + Int64($0) * 10, "v\($0) of \(kind)") }
            for (round, order) in permutations(versions).enumerated() {
                // Each round uses another author so earlier rounds do not interfere.
                let author = Author("replaceable-\(kind)-\(round)")
                let signed = order.map { author.event(kind, at: $0.createdAt, $0.content) }
                for event in signed { _ = try await store.put(event) }
                let stored = try await store.query([Filter(authors: [author.pubkey], kinds: [kind])])
                try checkEqual(stored.map(\.id), [signed.max { $0.createdAt < $1.createdAt }!.id], "kind \(kind) order \(round)")
            }
        }
        // Outcomes tell what happened.
        let old = bob.event(0, at: t, "old"), new = bob.event(0, at: t + 5, "new")
        try checkEqual(try await store.put(new), [.stored], "newer first")
        try checkEqual(try await store.put(old), [.olderThanStored], "older second")
        let newer = bob.event(0, at: t + 9, "newer")
        try checkEqual(try await store.put(newer), [.replaced(new.id)], "replacement")
        try checkEqual(try await store.put(newer), [.duplicate], "same version again")
    }

    static func replaceableTies(_ store: any EventStore, _ clock: TestClock) async throws {
        let t = clock.now - 100
        let a = alice.event(3, at: t, "a"), b = alice.event(3, at: t, "b")
        let (low, high) = a.id < b.id ? (a, b) : (b, a)
        _ = try await store.put(high)
        try checkEqual(try await store.put(low), [.replaced(high.id)], "lower id replaces at equal time")
        try checkEqual(try await store.put(high), [.olderThanStored], "higher id loses at equal time")
        try checkEqual(try await store.ids(Filter(authors: [alice.pubkey], kinds: [3])), [low.id], "kept version")
    }

    static func addressable(_ store: any EventStore, _ clock: TestClock) async throws {
        let t = clock.now - 100
        let a1 = alice.event(30023, at: t, tags: [["d", "a"]], "a1")
        let a2 = alice.event(30023, at: t + 1, tags: [["d", "a"]], "a2")
        let b1 = alice.event(30023, at: t, tags: [["d", "b"]], "b1")
        let noD = alice.event(30023, at: t, tags: [], "no d")
        let emptyD = alice.event(30023, at: t + 2, tags: [["d", ""]], "empty d")
        let otherKind = alice.event(30024, at: t, tags: [["d", "a"]], "draft")
        let byBob = bob.event(30023, at: t, tags: [["d", "a"]], "bob's a")
        for order in [[a2, a1], [a1, a2]] {
            let author = Author("addressable-\(order[0].content)")
            let signed = order.map { author.event(30023, at: $0.createdAt, tags: $0.tags, $0.content) }
            for event in signed { _ = try await store.put(event) }
            try checkEqual(try await store.ids(Filter(authors: [author.pubkey])), [signed.first { $0.content == "a2" }!.id], "newest a")
        }
        _ = try await store.put(a1)
        _ = try await store.put(a2)
        _ = try await store.put(b1)
        _ = try await store.put(noD)
        try checkEqual(try await store.put(emptyD), [.replaced(noD.id)], "missing d and empty d are one address")
        _ = try await store.put(otherKind)
        _ = try await store.put(byBob)
        let all = Set(try await store.ids(Filter(authors: [alice.pubkey])))
        try checkEqual(all, [a2.id, b1.id, emptyD.id, otherKind.id], "one version per (kind, d)")
        try checkEqual(try await store.ids(Filter(authors: [alice.pubkey, bob.pubkey], kinds: [30023], tags: ["d": ["a"]])).count, 2,
                       "alice's and bob's 'a'")
    }

    static func deletionAfterTarget(_ store: any EventStore, _ clock: TestClock) async throws {
        let t = clock.now - 100
        let note = alice.event(1, at: t, "oops")
        let keep = alice.event(1, at: t + 1, "fine")
        _ = try await store.put(note, keep)
        let deletion = alice.event(5, at: t + 2, tags: [["e", note.id.hex]], "delete")
        try checkEqual(try await store.put(deletion), [.stored], "deletion stored")
        try checkEqual(try await store.ids(Filter(authors: [alice.pubkey], kinds: [1])), [keep.id], "target gone")
        try checkEqual(try await store.put(note), [.deleted], "re-insertion refused")
        try checkEqual(try await store.ids(Filter(kinds: [5])), [deletion.id], "the request itself is kept")
    }

    static func deletionBeforeTarget(_ store: any EventStore, _ clock: TestClock) async throws {
        let t = clock.now - 100
        let note = alice.event(1, at: t, "later")
        _ = try await store.put(alice.event(5, at: t + 2, tags: [["e", note.id.hex]]))
        try checkEqual(try await store.put(note), [.deleted], "arrives after its deletion")
        try checkEqual(try await store.ids(Filter(kinds: [1])), [], "never stored")
    }

    static func deletionByAddress(_ store: any EventStore, _ clock: TestClock) async throws {
        let t = clock.now - 1_000
        let v1 = alice.event(30023, at: t, tags: [["d", "x"]], "v1")
        let other = alice.event(30023, at: t, tags: [["d", "y"]], "other")
        _ = try await store.put(v1, other)
        let address = "30023:\(alice.pubkey.hex):x"
        _ = try await store.put(alice.event(5, at: t + 10, tags: [["a", address]]))
        try checkEqual(try await store.ids(Filter(kinds: [30023])), [other.id], "addressed version deleted")
        let v0 = alice.event(30023, at: t + 5, tags: [["d", "x"]], "older than the deletion")
        try checkEqual(try await store.put(v0), [.deleted], "versions up to the deletion stay deleted")
        let v2 = alice.event(30023, at: t + 20, tags: [["d", "x"]], "newer than the deletion")
        try checkEqual(try await store.put(v2), [.stored], "a newer version is allowed")
        // Replaceable kinds are addressed with an empty identifier.
        let profile = alice.event(0, at: t, "profile")
        _ = try await store.put(profile)
        _ = try await store.put(alice.event(5, at: t + 1, tags: [["a", "0:\(alice.pubkey.hex):"]]))
        try checkEqual(try await store.ids(Filter(kinds: [0])), [], "replaceable deleted by address")
    }

    static func foreignDeletion(_ store: any EventStore, _ clock: TestClock) async throws {
        let t = clock.now - 100
        let note = alice.event(1, at: t, "mine")
        let article = alice.event(30023, at: t, tags: [["d", "z"]], "mine too")
        _ = try await store.put(note, article)
        _ = try await store.put(bob.event(5, at: t + 1, tags: [["e", note.id.hex], ["a", "30023:\(alice.pubkey.hex):z"]]))
        try checkEqual(Set(try await store.ids(Filter(authors: [alice.pubkey]))), [note.id, article.id], "untouched")
        let again = alice.event(1, at: t + 5, "another")
        _ = try await store.put(bob.event(5, at: t + 6, tags: [["e", again.id.hex]]))
        try checkEqual(try await store.put(again), [.stored], "bob cannot block alice's event")
    }

    static func expiration(_ store: any EventStore, _ clock: TestClock) async throws {
        let t = clock.now
        let expired = alice.event(1, at: t - 100, tags: [["expiration", "\(t - 1)"]], "gone")
        if case .rejected = try await store.put(expired)[0] {} else { throw ConformanceFailure("expired event accepted") }
        let expiring = alice.event(1, at: t - 100, tags: [["expiration", "\(t + 60)"]], "soon gone")
        let lasting = alice.event(1, at: t - 90, tags: [["expiration", "not a number"]], "malformed tag: no expiration")
        _ = try await store.put(expiring, lasting)
        try checkEqual(Set(try await store.ids(Filter(kinds: [1]))), [expiring.id, lasting.id], "before expiry")
        clock.advance(61)
        try checkEqual(try await store.ids(Filter(kinds: [1])), [lasting.id], "after expiry")
        try checkEqual(try await store.count([Filter(kinds: [1])]), 1, "count after expiry")
        try checkEqual(try await store.events(ids: [expiring.id]).count, 0, "lookup after expiry")
    }

    static func duplicates(_ store: any EventStore, _ clock: TestClock) async throws {
        let note = alice.event(1, at: clock.now - 10, "once")
        try checkEqual(try await store.put(note, note), [.stored, .duplicate], "twice in one batch")
        try checkEqual(try await store.put(note), [.duplicate], "again later")
        try checkEqual(try await store.count([Filter()]), 1, "stored once")
    }

    static func futureEvents(_ store: any EventStore, _ clock: TestClock) async throws {
        let edge = alice.event(1, at: clock.now + 900, "exactly 15 minutes ahead")
        let beyond = alice.event(1, at: clock.now + 901, "too far ahead")
        let outcomes = try await store.put(edge, beyond)
        try checkEqual(outcomes[0], .stored, "at the bound")
        guard case .rejected(let reason) = outcomes[1] else { throw ConformanceFailure("future event accepted") }
        try check(reason.contains("future"), "reason names the future: \(reason)")
    }

    static func ephemeral(_ store: any EventStore, _ clock: TestClock) async throws {
        try checkEqual(try await store.put(alice.event(20001, at: clock.now, "typing…")), [.ephemeral], "ephemeral")
        try checkEqual(try await store.count([Filter()]), 0, "never stored")
    }

    static func limitsAndEdges(_ store: any EventStore, _ clock: TestClock) async throws {
        let t = clock.now - 1_000
        let events = (0..<10).map { alice.event(1, at: t + Int64($0), "n\($0)") }
        _ = try await store.write(events.map { ValidatedEvent(event: $0) })
        let newestFirst = events.reversed().map(\.id)
        try checkEqual(try await store.ids(Filter(kinds: [1], limit: 3)), Array(newestFirst.prefix(3)), "limit 3")
        try checkEqual(try await store.ids(Filter(kinds: [1], limit: 0)), [], "limit 0")
        try checkEqual(try await store.ids(Filter(kinds: [1], since: t + 2, until: t + 4)), [events[4].id, events[3].id, events[2].id], "inclusive window")
        try checkEqual(try await store.ids(Filter(kinds: [1], since: t + 4, until: t + 4)), [events[4].id], "single second")
        try checkEqual(try await store.ids(Filter(kinds: [1], since: t + 5, until: t + 4)), [], "empty window")
        try checkEqual(try await store.ids(Filter(authors: [alice.pubkey], since: t + 8)), [events[9].id, events[8].id], "since only")
        // Ties: same created_at, lowest id first.
        let tied = (0..<5).map { bob.event(1, at: t, "tie \($0)") }
        _ = try await store.write(tied.map { ValidatedEvent(event: $0) })
        try checkEqual(try await store.ids(Filter(authors: [bob.pubkey], limit: 3)), Array(tied.map(\.id).sorted().prefix(3)), "ties by id")
    }

    static func severalFilters(_ store: any EventStore, _ clock: TestClock) async throws {
        let t = clock.now - 1_000
        let a = (0..<4).map { alice.event(1, at: t + Int64($0) * 2, "a\($0)") }
        let b = (0..<4).map { bob.event(7, at: t + Int64($0) * 2 + 1, tags: [["e", a[0].id.hex]], "+") }
        _ = try await store.write((a + b).map { ValidatedEvent(event: $0) })
        let result = try await store.ids(Filter(authors: [alice.pubkey], limit: 2), Filter(kinds: [7], limit: 1), Filter(ids: [a[0].id]))
        try checkEqual(result, [b[3].id, a[3].id, a[2].id, a[0].id], "union, each limited, newest first")
        let overlapping = try await store.ids(Filter(kinds: [1]), Filter(authors: [alice.pubkey]))
        try checkEqual(overlapping.count, 4, "an event matched twice appears once")
    }

    static func tagFilters(_ store: any EventStore, _ clock: TestClock) async throws {
        let t = clock.now - 1_000
        let target1 = alice.event(1, at: t, "target one"), target2 = alice.event(1, at: t + 1, "target two")
        let r1 = bob.event(7, at: t + 2, tags: [["e", target1.id.hex], ["p", alice.pubkey.hex]], "+")
        let r2 = carol.event(7, at: t + 3, tags: [["e", target2.id.hex], ["p", alice.pubkey.hex]], "+")
        let both = carol.event(1, at: t + 4, tags: [["e", target1.id.hex], ["e", target2.id.hex], ["t", "Nostr"]], "reply")
        let upper = carol.event(1, at: t + 5, tags: [["E", target1.id.hex], ["t", "nostr"]], "comment")
        _ = try await store.write([target1, target2, r1, r2, both, upper].map { ValidatedEvent(event: $0) })
        try checkEqual(try await store.ids(Filter(tags: ["e": [target1.id.hex, target2.id.hex]])), [both.id, r2.id, r1.id], "any of several values, once each")
        try checkEqual(try await store.ids(Filter(tags: ["e": [target1.id.hex], "p": [alice.pubkey.hex]])), [r1.id], "all tag conditions")
        try checkEqual(try await store.ids(Filter(tags: ["E": [target1.id.hex]])), [upper.id], "tag names are case-sensitive")
        try checkEqual(try await store.ids(Filter(tags: ["t": ["nostr"]])), [upper.id], "values are exact")
        try checkEqual(try await store.ids(Filter(kinds: [7], tags: ["p": [alice.pubkey.hex]], limit: 1)), [r2.id], "with kinds and limit")
        try checkEqual(try await store.ids(Filter(tags: ["e": [target1.id.hex.uppercased()]])), [], "uppercase hex is another value")
    }

    /// `#p` on contact lists, which a store may index apart from other tags (SQLite: in
    /// `follows`): replaced versions, time windows, limits, mixed kinds, odd values.
    static func contactListTags(_ store: any EventStore, _ clock: TestClock) async throws {
        let t = clock.now - 1_000
        let odd = alice.pubkey.hex.uppercased()
        let old = bob.event(3, at: t, tags: [["p", alice.pubkey.hex], ["p", carol.pubkey.hex]], "")
        let new = bob.event(3, at: t + 10, tags: [["p", alice.pubkey.hex], ["p", odd]], "")
        let carols = carol.event(3, at: t + 5, tags: [["p", alice.pubkey.hex], ["p", alice.pubkey.hex]], "")
        let mention = carol.event(1, at: t + 7, tags: [["p", alice.pubkey.hex]], "hi")
        for event in [old, carols, mention, new] { _ = try await store.put(event) }
        let followsAlice = Filter(kinds: [3], tags: ["p": [alice.pubkey.hex]])
        try checkEqual(try await store.ids(followsAlice), [new.id, carols.id], "the stored versions, newest first")
        var until = followsAlice
        until.until = t + 9
        try checkEqual(try await store.ids(until), [carols.id], "a kept follow takes the new version's time")
        var since = followsAlice
        since.since = t + 6
        try checkEqual(try await store.ids(since), [new.id], "since")
        var one = followsAlice
        one.limit = 1
        try checkEqual(try await store.ids(one), [new.id], "limit")
        try checkEqual(try await store.ids(Filter(kinds: [3], tags: ["p": [carol.pubkey.hex]])), [], "an unfollow")
        try checkEqual(try await store.ids(Filter(tags: ["p": [alice.pubkey.hex]], limit: 2)), [new.id, mention.id], "any kind, with limit")
        try checkEqual(try await store.ids(Filter(tags: ["p": [odd]])), [new.id], "a value that is not a lowercase key")
        try checkEqual(try await store.ids(Filter(authors: [carol.pubkey], tags: ["p": [alice.pubkey.hex]])), [mention.id, carols.id],
                       "read by author")
        try checkEqual(try await store.count([Filter(tags: ["p": [alice.pubkey.hex, odd]])]), 3, "count")
    }

    static func hostileSearch(_ store: any EventStore, _ clock: TestClock) async throws {
        let t = clock.now - 1_000
        let coffee = alice.event(1, at: t, "Morning coffee with friends ☕")
        let cafe = bob.event(1, at: t + 1, "Un café au lait, s'il vous plaît")
        let profile = carol.event(0, at: t, #"{"name":"coffeelover","about":"I roast beans"}"#)
        _ = try await store.put(coffee, cafe, profile)
        try checkEqual(try await store.ids(Filter(kinds: [1], search: "coffee")), [coffee.id], "word")
        try checkEqual(try await store.ids(Filter(kinds: [1], search: "COFFEE morning")), [coffee.id], "case and several words")
        try checkEqual(try await store.ids(Filter(kinds: [1], search: "cafe")), [cafe.id], "diacritics folded")
        try checkEqual(try await store.ids(Filter(kinds: [0], search: "coffeel")), [profile.id], "profile name prefix")
        for hostile in ["\"", "\"coffee", "coffee*", "(coffee", "coffee)", "NEAR(coffee friends)", "-coffee", "coffee OR",
                        "AND", "*", "^coffee", "col:coffee", "''", "", "   ", "\u{0}", "coffee\" OR \"x", String(repeating: "a ", count: 500)] {
            let found = try await store.query([Filter(search: hostile)])
            try check(found.count <= 3, "search \(hostile.debugDescription) answered")
        }
        try checkEqual(try await store.ids(Filter(kinds: [1], search: "(coffee)")), [coffee.id], "punctuation ignored")
        try checkEqual(try await store.ids(Filter(authors: [bob.pubkey], search: "coffee")), [], "other conditions apply")
    }

    static func counts(_ store: any EventStore, _ clock: TestClock) async throws {
        let t = clock.now - 1_000
        let notes = (0..<5).map { alice.event(1, at: t + Int64($0), "c\($0)") }
        let tagged = bob.event(1, at: t, tags: [["t", "x"], ["t", "y"]], "tagged")
        _ = try await store.write((notes + [tagged]).map { ValidatedEvent(event: $0) })
        try checkEqual(try await store.count([Filter(kinds: [1])]), 6, "all")
        try checkEqual(try await store.count([Filter(kinds: [1], limit: 2)]), 6, "limit ignored")
        try checkEqual(try await store.count([Filter(tags: ["t": ["x", "y"]])]), 1, "distinct events")
        try checkEqual(try await store.count([Filter(authors: [alice.pubkey]), Filter(kinds: [1])]), 6, "union")
        try checkEqual(try await store.count([Filter(ids: [])]), 0, "empty list")
    }

    static func lookups(_ store: any EventStore, _ clock: TestClock) async throws {
        let a = alice.event(1, at: clock.now - 5, "a"), b = bob.event(1, at: clock.now - 4, "b")
        let missing = carol.event(1, at: clock.now, "never stored")
        _ = try await store.put(a, b)
        try checkEqual(Set(try await store.events(ids: [a.id, b.id, missing.id]).map(\.id)), [a.id, b.id], "events(ids:)")
        try checkEqual(try await store.storedIDs([a.id, missing.id]), [a.id], "storedIDs")
        let scanned = try await store.scan(Filter(), after: .start, limit: 1)
        try checkEqual(scanned.0.map(\.id), [a.id], "scan in storage order")
        let rest = try await store.scan(Filter(), after: scanned.1, limit: 10)
        try checkEqual(rest.0.map(\.id), [b.id], "scan continues")
    }

    static func committedStream(_ store: any EventStore, _ clock: TestClock) async throws {
        let stream = store.committedEvents()
        let note = alice.event(1, at: clock.now - 1, "live")
        let typing = alice.event(20001, at: clock.now, "ephemeral goes live too")
        _ = try await store.put(note, note, typing)
        var iterator = stream.makeAsyncIterator()
        guard let batch = await iterator.next() else { throw ConformanceFailure("stream ended") }
        try checkEqual(batch.map(\.event.id), [note.id, typing.id], "stored and ephemeral, duplicates left out")
    }

    static func byteForByte(_ store: any EventStore, _ clock: TestClock) async throws {
        let event = alice.event(1, at: clock.now - 1, tags: [["t", "x"]], "spaced / \"quoted\" é")
        // Another serializer: other key order, whitespace, escaped slash, an unknown key.
        let text = """
            { "kind": 1, "content": "spaced \\/ \\"quoted\\" \\u00e9", "tags": [ ["t","x"] ],
              "created_at": \(event.createdAt), "extra": {"k": [1, 2]}, "sig": "\(event.sig.hex)",
              "pubkey": "\(event.pubkey.hex)", "id": "\(event.id.hex)" }
            """
        let json = Array(text.utf8)
        let parsed = try EventParser.parse(json)
        try check(parsed.validate() == nil, "the re-serialized event validates")
        _ = try await store.write([ValidatedEvent(event: parsed, json: json)])
        try checkEqual(try await store.query([Filter(ids: [event.id])]).first?.json ?? [], json, "stored JSON")
    }
}

extension StoreConformance {
    /// NIP-01 escapes U+0000 as `\u0000`: such an event is valid, and every string in it
    /// (address, tag value, content) must be stored and compared whole, not cut at the NUL.
    static func nulInText(_ store: any EventStore, _ clock: TestClock) async throws {
        let t = clock.now - 100
        let one = alice.event(30023, at: t, tags: [["d", "post\u{0}one"]], "first")
        let two = alice.event(30023, at: t + 1, tags: [["d", "post\u{0}two"]], "second")
        let plain = alice.event(30023, at: t + 2, tags: [["d", "post"]], "third")
        try checkEqual(try await store.put(one, two, plain), [.stored, .stored, .stored], "three addresses")
        try checkEqual(Set(try await store.ids(Filter(authors: [alice.pubkey], kinds: [30023]))), [one.id, two.id, plain.id],
                       "all three served")
        try checkEqual(try await store.ids(Filter(kinds: [30023], tags: ["d": ["post\u{0}one"]])), [one.id], "#d with a NUL")
        try checkEqual(try await store.ids(Filter(kinds: [30023], tags: ["d": ["post"]])), [plain.id], "#d without")

        let tagged = bob.event(1, at: t, tags: [["t", "abc\u{0}xyz"]], "before\u{0}afterword")
        _ = try await store.put(tagged)
        try checkEqual(try await store.ids(Filter(tags: ["t": ["abc\u{0}xyz"]])), [tagged.id], "whole value matches")
        try checkEqual(try await store.ids(Filter(tags: ["t": ["abc"]])), [], "the part before the NUL does not")
        try checkEqual(try await store.ids(Filter(tags: ["t": ["abc\u{0}zzz"]])), [], "another value after the NUL does not")
        try checkEqual(try await store.ids(Filter(kinds: [1], search: "afterword")), [tagged.id], "words after the NUL are found")
        try checkEqual(try await store.query([Filter(ids: [tagged.id])]).first?.json ?? [], tagged.json, "JSON whole")

        // A deletion by address names the NUL address only.
        _ = try await store.put(alice.event(5, at: t + 3, tags: [["a", "30023:\(alice.pubkey.hex):post\u{0}one"]]))
        try checkEqual(Set(try await store.ids(Filter(authors: [alice.pubkey], kinds: [30023]))), [two.id, plain.id],
                       "only the named address deleted")
    }
}
