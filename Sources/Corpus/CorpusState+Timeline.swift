import Nostr

extension CorpusState {
    mutating func timelineEvent(_ action: TimelineAction, at time: Int64) -> CorpusDraft? {
        if posts.isEmpty, action != .article, action != .directMessage { return note(at: time) }
        switch action {
        case .note: return note(at: time)
        case .reply: return reply(at: time)
        case .reaction: return reaction(at: time)
        case .repost: return repost(at: time)
        case .zap: return zap(at: time)
        case .deletion: return deletion(at: time)
        case .directMessage: return directMessage(at: time)
        case .article: return article(at: time)
        case .articleUpdate: return articles.isEmpty ? article(at: time) : articleUpdate(at: time)
        }
    }

    /// A top-level note: words, sometimes hashtags, media, links, quotes and mentions.
    mutating func note(at time: Int64) -> CorpusDraft {
        let author = pickActor()
        var text = sentence(words: 3...40)
        var tags: [[String]] = []
        if rng.chance(0.25) {
            let tag = rng.pick(CorpusVocabulary.hashtags)
            text += " #\(tag)"
            tags.append(["t", tag])
        }
        if rng.chance(0.12) {
            let url = "https://media.example.invalid/\(hexToken(6)).jpg"
            text += " \(url)"
            let (w, h) = ([640, 1024, 1920][rng.below(3)], [480, 768, 1080][rng.below(3)])
            tags.append(["imeta", "url \(url)", "m image/jpeg", "dim \(w)x\(h)", "blurhash LEHV6nWB2yk8pyo0adR*.7kCMdnj"])
        }
        if rng.chance(0.05) { text += " https://news.example.invalid/story/\(rng.below(10_000))" }
        if rng.chance(0.05), !posts.isEmpty {
            let quoted = posts[pickPost()].event
            text += " nostr:" + NIP19.note(quoted.id).encoded
            tags.append(rng.chance(0.5) ? ["q", quoted.id.hex] : ["e", quoted.id.hex, "", "mention"])
            tags.append(["p", quoted.pubkey.hex])
        }
        if rng.chance(0.04) {
            let mentioned = pickActor()
            text += " hi nostr:" + NIP19.npub(users[mentioned].keys.publicKey).encoded
            tags.append(["p", users[mentioned].keys.publicKey.hex])
        }
        let event = draft(author, time, 1, tags, text)
        posts.append(CorpusPost(draft: event, author: author, root: nil))
        return event
    }

    /// A reply with NIP-10 markers, or (one in six) the deprecated positional form.
    mutating func reply(at time: Int64) -> CorpusDraft {
        let author = pickActor()
        let parentIndex = pickPost()
        let parent = posts[parentIndex]
        let rootIndex = parent.root ?? parentIndex
        let root = posts[rootIndex].event
        var tags: [[String]]
        if rng.chance(1.0 / 6) {
            tags = rootIndex == parentIndex ? [["e", root.id.hex]] : [["e", root.id.hex], ["e", parent.event.id.hex]]
        } else {
            tags = [["e", root.id.hex, "wss://relay.example.invalid", "root"]]
            if rootIndex != parentIndex { tags.append(["e", parent.event.id.hex, "", "reply"]) }
        }
        tags.append(["p", parent.event.pubkey.hex])
        if root.pubkey != parent.event.pubkey { tags.append(["p", root.pubkey.hex]) }
        let length = rng.below(3)
        let content = length == 0 ? rng.pick(["gm", "yes!", "🤙", "agreed"]) :
            sentence(words: length == 1 ? 4...14 : 22...45)
        let event = draft(author, time, 1, tags, content)
        posts.append(CorpusPost(draft: event, author: author, root: rootIndex))
        return event
    }

    mutating func reaction(at time: Int64) -> CorpusDraft {
        let target = posts[pickPost()].event
        var draw = rng.unit()
        var content = "+"
        for (reaction, p) in CorpusVocabulary.reactions {
            if draw < p { content = reaction; break }
            draw -= p
        }
        return draft(pickActor(), time, 7, [["e", target.id.hex], ["p", target.pubkey.hex], ["k", "1"]], content)
    }

    /// A kind 6 repost carrying the reposted note's JSON, as NIP-18 asks.
    mutating func repost(at time: Int64) -> CorpusDraft {
        let target = posts[pickPost()].draft.signed()
        return draft(pickActor(), time, 6,
                     [["e", target.id.hex, "wss://relay.example.invalid"], ["p", target.pubkey.hex]],
                     target.jsonString)
    }

    /// A NIP-57 zap receipt: signed by a zapper service, with a bolt11 amount and the signed
    /// zap request in `description`. A few exceed Primal's 1.1M-sat cap; a few zap a profile.
    mutating func zap(at time: Int64) -> CorpusDraft {
        let sender = pickActor()
        let target = posts[pickPost()].event
        let profileZap = rng.chance(0.05)
        let sats: UInt64 = rng.chance(0.01) ? 2_000_000 : rng.pick(CorpusVocabulary.zapAmountsSats)
        let msats = sats * 1000
        var requestTags: [[String]] = [["relays", "wss://relay.example.invalid"], ["amount", "\(msats)"],
                                       ["p", target.pubkey.hex]]
        if !profileZap { requestTags.append(["e", target.id.hex]) }
        let request = draft(sender, time - 1, 9734, requestTags, rng.chance(0.3) ? sentence(words: 1...6) : "").signed()
        let invoice = Bolt11.humanReadablePart(millisats: msats) + "1" + bech32Noise(180)
        var tags: [[String]] = [["p", target.pubkey.hex]]
        if !profileZap { tags.append(["e", target.id.hex]) }
        tags += [["P", request.pubkey.hex], ["bolt11", invoice], ["description", request.jsonString],
                 ["preimage", hexToken(32)]]
        let zapper = zappers[rng.below(zappers.count)]
        return CorpusDraft(keys: zapper, createdAt: time, kind: 9735, tags: tags, content: "")
    }

    /// An author deleting one of their own notes (NIP-09).
    mutating func deletion(at time: Int64) -> CorpusDraft {
        let index = pickPost()
        deletedPosts.insert(index)
        let target = posts[index]
        return draft(target.author, time, 5, [["e", target.event.id.hex], ["k", "1"]], "posted by mistake")
    }

    mutating func directMessage(at time: Int64) -> CorpusDraft {
        let sender = pickActor()
        var receiver = pickActor()
        if receiver == sender { receiver = (sender + 1) % users.count }
        let ciphertext = hexToken(24) + "?iv=" + hexToken(8)
        return draft(sender, time, 4, [["p", users[receiver].keys.publicKey.hex]], ciphertext)
    }

    /// A long-form article (kind 30023) with a title, summary, topics and a few paragraphs.
    mutating func article(at time: Int64) -> CorpusDraft {
        let author = pickActor()
        nextArticle += 1
        let topic = rng.pick(CorpusVocabulary.hashtags)
        let paragraphs = (0..<(2 + rng.below(6))).map { _ in sentence(words: 30...90) }
        let tags = [["d", "article-\(nextArticle)"], ["title", sentence(words: 2...6)],
                    ["summary", sentence(words: 8...16)], ["published_at", "\(time)"], ["t", topic]]
        let event = draft(author, time, 30023, tags, "# \(sentence(words: 2...5))\n\n" + paragraphs.joined(separator: "\n\n"))
        articles.append(event)
        return event
    }

    /// A new version of an earlier article: same `d` tag and published_at, new text.
    mutating func articleUpdate(at time: Int64) -> CorpusDraft {
        let old = articles[rng.below(articles.count)].event
        let author = users.firstIndex { $0.keys.publicKey == old.pubkey }!
        let tags = old.tags.map { $0.first == "title" ? ["title", sentence(words: 2...6)] : $0 }
        let event = draft(author, max(time, old.createdAt + 1), 30023, tags, old.content + "\n\nUpdate: " + sentence(words: 5...20))
        articles.append(event)
        return event
    }

    mutating func bech32Noise(_ count: Int) -> String {
        let charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l")
        return String((0..<count).map { _ in charset[rng.below(charset.count)] })
    }
}
