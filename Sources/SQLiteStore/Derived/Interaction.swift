import Nostr

/// What one event does to another: like, repost, zap, reply. One row of `actions`.
struct Interaction: Equatable {
    enum Kind: Int64 {
        case like = 1, repost = 2, zap = 3, reply = 4, reaction = 5
    }

    let target: EventReference
    let actor: PublicKey
    let kind: Kind
    let createdAt: Int64
    let ref: EventID
    /// Score added when this is the actor's first interaction of its kind with the target.
    let weight: Int64
    /// Sats, for zaps.
    let amount: Int64

    /// Primal's unit of score: trunc(1e10 × w / 91).
    static func score(_ w: Int64) -> Int64 { 10_000_000_000 * w / 91 }

    /// Reply weight by length: 1 up to 20 characters, 5 up to 100, 10 beyond.
    static func replyWeight(_ content: String) -> Int64 {
        let length = content.unicodeScalars.count
        return length <= 20 ? 1 : length <= 100 ? 5 : 10
    }

    /// Every interaction an event makes, each (target, kind) once.
    static func all(of event: Event, threadReferences: ThreadReferences, content: ContentReferences?) -> [Interaction] {
        var found: [Interaction] = []
        func add(_ target: EventReference?, _ kind: Kind, weight: Int64, actor: PublicKey? = nil, amount: Int64 = 0) {
            guard let target, !found.contains(where: { $0.target == target && $0.kind == kind }) else { return }
            found.append(Interaction(target: target, actor: actor ?? event.pubkey, kind: kind, createdAt: event.createdAt,
                                     ref: event.id, weight: score(weight), amount: amount))
        }
        switch event.kind {
        case 7:
            let like = Reaction.isLike(event.content)
            add(Reaction.target(of: event), like ? .like : .reaction, weight: like ? 1 : 0)
        case 6, 16:
            let target = event.tags.first { $0.count >= 2 && $0[0] == "e" }.flatMap { EventID(hex: $0[1]) }.map(EventReference.id)
                ?? event.tags.first { $0.count >= 2 && $0[0] == "a" }.flatMap { EventAddress($0[1]) }.map(EventReference.address)
            add(target, .repost, weight: 7)
        case 9735:
            if let zap = ZapReceipt(event: event) {
                add(zap.target, .zap, weight: 5, actor: zap.sender, amount: Int64(zap.amountSats))
            }
        case 1, 1111:
            add(threadReferences.parent, .reply, weight: replyWeight(event.content))
            for quoted in quotes(of: event, content: content) where quoted != threadReferences.parent {
                add(quoted, .repost, weight: 7)
            }
        default:
            break
        }
        return found
    }

    /// Events a note quotes: `nostr:note/nevent/naddr` in the text, `q` tags, and `e`/`a`
    /// tags marked `mention`.
    static func quotes(of event: Event, content: ContentReferences?) -> [EventReference] {
        var quoted = content?.quotedEvents ?? []
        for tag in event.tags where tag.count >= 2 {
            let mention = tag.count >= 4 && tag[3] == "mention"
            switch tag[0] {
            case "q":
                if let id = EventID(hex: tag[1]) { quoted.append(.id(id)) }
                else if let address = EventAddress(tag[1]) { quoted.append(.address(address)) }
            case "e" where mention: if let id = EventID(hex: tag[1]) { quoted.append(.id(id)) }
            case "a" where mention: if let address = EventAddress(tag[1]) { quoted.append(.address(address)) }
            default: break
            }
        }
        return quoted
    }
}

extension SQLiteValue {
    /// How a target is keyed in derived tables: an id as its 32 bytes, an address as text.
    static func target(_ reference: EventReference) -> SQLiteValue {
        switch reference {
        case .id(let id): return .id(id)
        case .address(let address): return .text(address.description)
        }
    }

    /// The recipient of a notification that waits for its post to arrive.
    static let pendingRecipient = SQLiteValue.blob([])
}
