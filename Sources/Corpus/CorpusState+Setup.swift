import Nostr

extension CorpusState {
    /// A user's profile, contact list and relay list, some with an older version first
    /// (so replaceable-event handling and follow diffs have something to do).
    mutating func setupEvents(for user: Int) -> [CorpusDraft] {
        var out: [CorpusDraft] = []
        var time = setupStart + Int64(rng.below(3_600 * 12))
        if rng.chance(0.1) {
            out.append(draft(user, time, 0, [], profileContent(user, about: "old bio")))
            time += 60 + Int64(rng.below(3_600))
        }
        out.append(draft(user, time, 0, [], profileContent(user, about: sentence(words: 4...16))))
        time += 10
        let follows = pickFollows(for: user)
        if rng.chance(0.1), follows.count > 3 {
            // An older list: one extra follow (later unfollowed) and one missing.
            var older = Array(follows.dropLast())
            older.append((user + 1) % users.count)
            out.append(draft(user, time, 3, contactTags(older), ""))
            time += 60 + Int64(rng.below(3_600))
        }
        out.append(draft(user, time, 3, contactTags(follows), rng.chance(0.3) ? relayJSON() : ""))
        time += 10
        if rng.chance(0.8) {
            var tags: [[String]] = []
            for _ in 0..<(1 + rng.below(5)) {
                let url = rng.pick(CorpusVocabulary.relays)
                guard !tags.contains(where: { $0[1] == url }) else { continue }
                switch rng.below(4) {
                case 0: tags.append(["r", url, "read"])
                case 1: tags.append(["r", url, "write"])
                default: tags.append(["r", url])
                }
            }
            out.append(draft(user, time, 10002, tags, ""))
        }
        return out
    }

    /// Bookmarks and mute lists, made after the timeline so they can name its posts.
    mutating func listEvents(for user: Int) -> [CorpusDraft] {
        var out: [CorpusDraft] = []
        let time = options.endTime - Int64(rng.below(3_600))
        if rng.chance(0.2), !posts.isEmpty {
            var tags: [[String]] = []
            for _ in 0..<(1 + rng.below(6)) { tags.append(["e", posts[rng.below(posts.count)].event.id.hex]) }
            out.append(draft(user, time, 10003, tags, ""))
        }
        if rng.chance(0.05) {
            let muted = activity.pick(using: &rng)
            if muted != user { out.append(draft(user, time, 10000, [["p", users[muted].keys.publicKey.hex]], "")) }
        }
        return out
    }

    mutating func profileContent(_ user: Int, about: String) -> String {
        let name = users[user].name
        if rng.chance(0.01) { return "{\"name\": \"\(name)\", broken" }  // malformed, as in the wild
        var writer = JSONWriter()
        writer.object { o in
            o.string("name", name)
            o.string("display_name", name.prefix(1).uppercased() + name.dropFirst())
            o.string("about", about)
            o.string("picture", "https://images.example.invalid/avatar/\(name).jpg")
            if user % 3 != 0 { o.string("nip05", "\(name)@example.invalid") }
            if user % 4 != 0 { o.string("lud16", "\(name)@wallet.example.invalid") }
            o.string("website", "https://\(name).example.invalid/")
        }
        return writer.text
    }

    /// Whom `user` follows: a few to a few hundred, drawn by popularity (power law).
    mutating func pickFollows(for user: Int) -> [Int] {
        let wanted = min(users.count - 1, 3 + Int(Double(min(300, users.count)) * pow3(rng.unit())))
        var chosen = Set<Int>()
        var order: [Int] = []
        var attempts = 0
        while order.count < wanted && attempts < wanted * 20 {
            attempts += 1
            let target = popularity.pick(using: &rng)
            if target != user, chosen.insert(target).inserted { order.append(target) }
        }
        return order
    }

    func contactTags(_ follows: [Int]) -> [[String]] {
        follows.map { ["p", users[$0].keys.publicKey.hex] }
    }

    mutating func relayJSON() -> String {
        var writer = JSONWriter()
        writer.object { o in
            for url in Set((0..<3).map { _ in rng.pick(CorpusVocabulary.relays) }).sorted() {
                o.object(url) { r in r.bool("read", true); r.bool("write", true) }
            }
        }
        return writer.text
    }
}

private func pow3(_ x: Double) -> Double { x * x * x }
