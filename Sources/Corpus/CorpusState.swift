import Nostr

/// A generated user: a key pair and how popular and active they are.
struct CorpusUser {
    let keys: KeyPair
    let name: String
}

/// An event with its id computed but not yet signed, and the keys that will sign it.
/// Signing is deterministic (the id is BIP-340's auxiliary randomness), so drafts can be
/// signed on any thread, in any order, and give the same bytes.
struct CorpusDraft {
    var event: Event
    let keys: KeyPair

    init(keys: KeyPair, createdAt: Int64, kind: Int, tags: [[String]], content: String) {
        let id = Event.computeID(pubkey: keys.publicKey, createdAt: createdAt, kind: kind, tags: tags, content: content)
        event = Event(id: id, pubkey: keys.publicKey, createdAt: createdAt, kind: kind, tags: tags, content: content,
                      sig: Signature(r: .zero, s: .zero))
        self.keys = keys
    }

    /// The signed event.
    func signed() -> Event {
        var event = event
        event.sig = Schnorr.sign(message: event.id, keyPair: keys, auxRand: event.id)
        return event
    }
}

/// A kind 1 note already made, so later events can point at it.
struct CorpusPost {
    let draft: CorpusDraft
    var event: Event { draft.event }
    let author: Int
    /// Index of the thread root in `posts`; nil for a top-level note.
    let root: Int?
}

/// The generator's memory: users, what has been posted, and the random stream.
struct CorpusState {
    let options: CorpusOptions
    var rng: SplitMix64
    var users: [CorpusUser] = []
    var posts: [CorpusPost] = []
    var articles: [CorpusDraft] = []
    /// Cumulative weights for picking who follows whom (popularity) and who acts (activity).
    let popularity: WeightedPicker
    let activity: WeightedPicker
    let zappers: [KeyPair]
    var nextArticle = 0
    var deletedPosts = Set<Int>()

    init(options: CorpusOptions) {
        self.options = options
        rng = SplitMix64(seed: options.seed)
        users = (0..<options.users).map { i in
            CorpusUser(keys: CorpusState.keyPair(seed: options.seed, label: "user", index: i),
                       name: CorpusVocabulary.names[i % CorpusVocabulary.names.count] + (i < 20 ? "" : "\(i)"))
        }
        zappers = (0..<3).map { CorpusState.keyPair(seed: options.seed, label: "zapper", index: $0) }
        popularity = WeightedPicker(weights: (0..<options.users).map { 1 / Double($0 + 1).squareRoot() })
        activity = WeightedPicker(weights: (0..<options.users).map { 1 / Double($0 % 97 + 1).squareRoot() })
    }

    /// A secret key derived from the seed, so keys (and every signature) are reproducible.
    static func keyPair(seed: UInt64, label: String, index: Int) -> KeyPair {
        var counter = 0
        while true {
            let material = Array("hearth-corpus/\(label)/\(seed)/\(index)/\(counter)".utf8)
            if let pair = KeyPair(secretKey: SHA256Digest32.hash(material)) { return pair }
            counter += 1
        }
    }

    var setupStart: Int64 { options.endTime - Int64(options.days) * 86_400 }

    func draft(_ user: Int, _ time: Int64, _ kind: Int, _ tags: [[String]], _ content: String) -> CorpusDraft {
        CorpusDraft(keys: users[user].keys, createdAt: time, kind: kind, tags: tags, content: content)
    }

    // MARK: Text

    mutating func sentence(words: ClosedRange<Int>) -> String {
        let count = words.lowerBound + rng.below(words.count)
        var out: [String] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(rng.pick(CorpusVocabulary.words)) }
        return out.joined(separator: " ")
    }

    mutating func hexToken(_ bytes: Int) -> String {
        var out: [UInt8] = []
        for _ in 0..<bytes { out.append(UInt8(truncatingIfNeeded: rng.next())) }
        return Hex.encode(out)
    }

    // MARK: Picking

    /// A post to react to: mostly recent ones, sometimes anything older.
    mutating func pickPost() -> Int {
        let recent = min(posts.count, 300)
        if rng.chance(0.75) { return posts.count - 1 - rng.below(recent) }
        return rng.below(posts.count)
    }

    mutating func pickActor() -> Int { activity.pick(using: &rng) }
}

/// Picks an index with probability proportional to its weight.
struct WeightedPicker {
    let cumulative: [Double]

    init(weights: [Double]) {
        var sum = 0.0
        cumulative = weights.map { sum += $0; return sum }
    }

    func pick(using rng: inout SplitMix64) -> Int {
        let target = rng.unit() * (cumulative.last ?? 1)
        var low = 0, high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] <= target { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
