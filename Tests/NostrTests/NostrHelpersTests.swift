import Testing
@testable import Nostr

@Suite struct ThreadReferencesTests {
    let a = String(repeating: "a", count: 64), b = String(repeating: "b", count: 64)
    let c = String(repeating: "c", count: 64), d = String(repeating: "d", count: 64)
    func ref(_ hex: String) -> EventReference { .id(EventID(hex: hex)!) }
    func refs(_ tags: [[String]], kind: Int = 1) -> ThreadReferences {
        ThreadReferences(event: Event(id: .zero, pubkey: .zero, createdAt: 0, kind: kind, tags: tags, content: "",
                                      sig: Signature(r: .zero, s: .zero)))
    }

    @Test func markedTags() {
        let r = refs([["e", a, "", "root"], ["e", b, "", "reply"], ["e", c, "", "mention"], ["p", d]])
        #expect(r.root == ref(a) && r.parent == ref(b) && r.mentions == [ref(c)])
        let direct = refs([["e", a, "wss://x", "root"]])
        #expect(direct.root == ref(a) && direct.parent == ref(a))
        let replyOnly = refs([["e", b, "", "reply"]])
        #expect(replyOnly.root == ref(b) && replyOnly.parent == ref(b))
    }

    @Test func positionalFallback() {
        #expect(refs([["e", a]]).parent == ref(a))
        let two = refs([["e", a], ["e", b]])
        #expect(two.root == ref(a) && two.parent == ref(b) && two.mentions.isEmpty)
        let three = refs([["e", a], ["e", c], ["e", b]])
        #expect(three.root == ref(a) && three.parent == ref(b) && three.mentions == [ref(c)])
        let mentionOnly = refs([["e", a, "", "mention"]])
        #expect(mentionOnly.parent == nil && mentionOnly.mentions == [ref(a)])
        #expect(!refs([["p", a]]).isReply)
    }

    @Test func addressesAndComments() {
        let address = "30023:\(a):my-article"
        let r = refs([["a", address, "", "root"]])
        #expect(r.parent == .address(EventAddress(address)!))
        let comment = refs([["E", a], ["e", b], ["K", "1"]], kind: 1111)
        #expect(comment.root == ref(a) && comment.parent == ref(b))
    }
}

@Suite struct Bolt11Tests {
    @Test(arguments: [
        ("lnbc2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypq", UInt64(250_000_000)),
        ("lnbc20m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypq", UInt64(2_000_000_000)),
        ("lnbc1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypq", nil),
        ("LNBC10N1PVJLUEZPP5QQQSYQCYQ5RQWZQFQQQSYQCYQ5RQWZQFQQQSYQCYQ5RQWZQFQYPQ", UInt64(1_000)),
        ("lnbc9678785340p1pwmna7lpp5gc3xfm08u9qy06djf8dfflhugl6p7lgza6dsjxq454gxhj9t7a0s", UInt64(967_878_534)),
        ("lntb1m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypq", UInt64(100_000_000)),
        ("lnbcrt5u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypq", UInt64(500_000)),
    ] as [(String, UInt64?)])
    func amounts(invoice: String, millisats: UInt64?) throws {
        #expect(try Bolt11.amountMillisats(invoice) == millisats)
    }

    @Test(arguments: ["", "bc1qxyz", "lnbc", "lnbc10x1pvjluezpp5qqqsyqcyq5", "lnbc05u1pvjluezpp5qqqsyqcyq5",
                      "lnbc15p1pvjluezpp5qqqsyqcyq5", "lnbc3btc1pvjluezpp5qqqsyqcyq5", "lnbc99999999999999999999u1pvjluezpp5qqqsyqcyq5", "ln1pvjluezpp5qq"])
    func malformed(invoice: String) {
        #expect(throws: JSONError.self) { try Bolt11.amountMillisats(invoice) }
    }

    @Test func humanReadablePartRoundTrips() throws {
        for msat: UInt64 in [1_000, 21_000, 100_000, 2_100_000, 1_000_000_000, 1_100_000_000, 5] {
            let invoice = Bolt11.humanReadablePart(millisats: msat) + "1qqqqqqqqqq"
            #expect(try Bolt11.amountMillisats(invoice) == msat)
        }
    }
}

@Suite struct ContentReferencesTests {
    @Test func findsEntitiesLinksAndHashtags() throws {
        let id = EventID(hex: String(repeating: "1", count: 64))!
        let pk = PublicKey(hex: "3bf0c63fcb93463407af97a5e5ee64fa883d107ef9e558472c4eb9aaaefa459d")!
        let text = "Look nostr:\(NIP19.note(id).encoded), by nostr:\(NIP19.npub(pk).encoded)! " +
            "see https://example.com/a_(b) and (https://x.org/p?q=1). #Nostr #2024 #café_time #nostr a#b &#39;"
        let refs = ContentReferences(content: text)
        #expect(refs.quotedEvents == [.id(id)])
        #expect(refs.mentionedPubkeys == [pk])
        #expect(refs.urls == ["https://example.com/a_(b)", "https://x.org/p?q=1"])
        #expect(refs.hashtags == ["nostr", "café_time"])
    }

    @Test func ignoresBrokenEntities() {
        #expect(ContentReferences(content: "nostr:npub1broken nostr: nostr:nsec1xyz").entities.isEmpty)
    }
}

@Suite struct KindClassTests {
    @Test func classes() {
        #expect(KindClass(kind: 0) == .replaceable && KindClass(kind: 3) == .replaceable)
        #expect(KindClass(kind: 1) == .regular && KindClass(kind: 9735) == .regular)
        #expect(KindClass(kind: 10002) == .replaceable && KindClass(kind: 19999) == .replaceable)
        #expect(KindClass(kind: 20000) == .ephemeral && KindClass(kind: 29999) == .ephemeral)
        #expect(KindClass(kind: 30023) == .addressable && KindClass(kind: 39999) == .addressable)
        #expect(KindClass(kind: 40000) == .regular)
        let pk = PublicKey(hex: String(repeating: "f", count: 64))!
        #expect(EventAddress("30023:\(pk.hex):a:b:c") == EventAddress(kind: 30023, pubkey: pk, identifier: "a:b:c"))
        #expect(EventAddress("x:\(pk.hex):a") == nil)
    }
}

@Suite struct NIP19Tests {
    @Test func refusesBadInput() {
        #expect(throws: JSONError.self) { try NIP19("npub1" + String(repeating: "q", count: 5000)) }
        #expect(throws: JSONError.self) { try NIP19("npub180cvv07tjdrrgpa0j7j7tmnyl2yr6yr7l8j4s3evf6u64th6gkwsyjh6w7") }
        #expect(throws: JSONError.self) { try NIP19("Npub180cvv07tjdrrgpa0j7j7tmnyl2yr6yr7l8j4s3evf6u64th6gkwsyjh6w6") }
        #expect(throws: JSONError.self) { try NIP19("nfoo1qqqqqqqqqqqqqq") }
    }

    @Test func skipsUnknownTLVs() throws {
        let pk = PublicKey(hex: String(repeating: "e", count: 64))!
        let data: [UInt8] = [0, 32] + pk.bytes + [9, 3, 1, 2, 3] + [1, 3] + Array("w:/".utf8)
        let entity = try NIP19(Bech32.encode(hrp: "nprofile", data: data))
        #expect(entity == .nprofile(pubkey: pk, relays: ["w:/"]))
    }
}
