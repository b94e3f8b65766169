import Nostr
import Store

/// Primal's synthetic response kinds (`{"kind": 100001xx, "content": "<JSON as a string>"}`).
enum SyntheticKind {
    static let eventStats = 10_000_100
    static let netStats = 10_000_101
    static let userProfile = 10_000_105
    static let referencedEvent = 10_000_107
    static let userScores = 10_000_108
    static let range = 10_000_113
    static let eventActionsCount = 10_000_115
    static let mediaMetadata = 10_000_119
    static let eventIDs = 10_000_122
    static let defaultRelays = 10_000_124
    static let isUserFollowing = 10_000_125
    static let importStatus = 10_000_127
    static let zapEvent = 10_000_129
    static let userFollowerCounts = 10_000_133
    static let userRelays = 10_000_139
    static let noteMentionsCount = 10_000_143
    static let longFormMetadata = 10_000_144
}

/// Builders for synthetic objects, all through `JSONWriter` (no `\/`, stable key order).
enum Synthetic {
    /// `{"kind": kind, "content": "<body as JSON text>"}`
    static func object(_ kind: Int, _ body: (inout JSONWriter) -> Void) -> [UInt8] {
        var writer = JSONWriter()
        writer.object { o in
            o.int("kind", kind)
            o.jsonString("content", body)
        }
        return writer.bytes
    }

    /// A quoted, mentioned, parent or reposted event: REFERENCED_EVENT with the event's own
    /// JSON (as stored, byte for byte) as the content string.
    static func referenced(_ event: StoredEvent) -> [UInt8] {
        var writer = JSONWriter(capacity: event.json.count + 140)
        writer.object { o in
            o.int("kind", SyntheticKind.referencedEvent)
            o.hex("pubkey", event.pubkey)
            o.string("content", utf8: event.json)
        }
        return writer.bytes
    }

    static func eventStats(_ id: EventID, _ stats: EventStats) -> [UInt8] {
        object(SyntheticKind.eventStats) { w in
            w.object { o in
                o.hex("event_id", id)
                o.int("likes", stats.likes)
                o.int("replies", stats.replies)
                o.int("mentions", 0)
                o.int("reposts", stats.reposts)
                o.int("zaps", stats.zaps)
                o.int("satszapped", stats.satsZapped)
                o.int("score", stats.score)
                o.int("score24h", stats.score24h)
                o.int("bookmarks", 0)
            }
        }
    }

    static func eventActions(_ id: EventID, _ actions: ViewerActions) -> [UInt8] {
        object(SyntheticKind.eventActionsCount) { w in
            w.object { o in
                o.hex("event_id", id)
                o.bool("replied", actions.replied)
                o.bool("liked", actions.liked)
                o.bool("reposted", actions.reposted)
                o.bool("zapped", actions.zapped)
                o.null("voted_for_option")
            }
        }
    }

    static func zapEvent(_ zap: ZapInfo, eventID: EventID?) -> [UInt8] {
        object(SyntheticKind.zapEvent) { w in
            w.object { o in
                if let eventID { o.hex("event_id", eventID) } else { o.null("event_id") }
                o.int("created_at", zap.createdAt)
                o.hex("sender", zap.sender)
                o.hex("receiver", zap.receiver)
                o.int("amount_sats", zap.amountSats)
                o.hex("zap_receipt_id", zap.receipt)
            }
        }
    }

    /// `{pk: value}` objects: USER_SCORES, USER_FOLLOWER_COUNTS.
    static func pubkeyCounts(_ kind: Int, _ counts: [PublicKey: Int]) -> [UInt8] {
        object(kind) { w in
            w.object { o in for (key, value) in counts.sorted(by: { $0.key < $1.key }) { o.int(key.hex, value) } }
        }
    }

    /// RANGE: what the feed holds, in display order. Empty feeds say null bounds.
    static func range(_ items: [FeedItem], orderBy: String) -> [UInt8] {
        object(SyntheticKind.range) { w in
            w.object { o in
                if let low = items.map(\.sortValue).min(), let high = items.map(\.sortValue).max() {
                    o.int("since", low)
                    o.int("until", high)
                } else {
                    o.null("since")
                    o.null("until")
                }
                o.string("order_by", orderBy)
                o.array("elements") { a in for item in items { a.hex(item.id) } }
            }
        }
    }

    /// MEDIA_METADATA from what an event carries: imeta dimensions when given; Hearth
    /// fetches nothing, so there are no resized variants.
    static func media(_ id: EventID, _ media: [MediaReference]) -> [UInt8]? {
        guard !media.isEmpty else { return nil }
        return object(SyntheticKind.mediaMetadata) { w in
            w.object { o in
                o.hex("event_id", id)
                o.array("resources") { a in
                    for item in media {
                        a.object { r in
                            r.string("url", item.url)
                            r.string("mt", item.mime)
                            r.array("variants") { v in
                                guard item.width > 0, item.height > 0 else { return }
                                v.object { variant in
                                    variant.string("s", "o")
                                    variant.int("a", 0)
                                    variant.int("w", item.width)
                                    variant.int("h", item.height)
                                    variant.string("mt", item.mime)
                                    variant.int("dur", 0)
                                    variant.string("media_url", item.url)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
