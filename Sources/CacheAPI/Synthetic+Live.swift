import Nostr
import Store

extension SyntheticKind {
    static let notification = 10_000_110
    static let notificationsSeenUntil = 10_000_111
    static let notificationsSummary = 10_000_112
    static let directMessageCount = 10_000_117
    static let directMessageCounts = 10_000_118
    static let notificationsSummary2 = 10_000_132
    static let directMessageCount2 = 10_000_134
}

/// The objects of live pushes (protocol §7), notifications and direct-message counts.
extension Synthetic {
    /// Notification types the summaries always name (zero included), as Primal's are.
    static let summaryTypes = [1, 2, 3, 4, 5, 6, 7, 8]

    static func netStats(_ stats: NetworkStats) -> [UInt8] {
        object(SyntheticKind.netStats) { w in
            w.object { o in
                o.int("users", stats.users)
                o.int("pubkeys", stats.pubkeys)
                o.int("pubnotes", stats.pubnotes)
                o.int("reactions", stats.reactions)
                o.int("reposts", stats.reposts)
                o.int("any", stats.any)
                o.int("zaps", stats.zaps)
                o.int("satszapped", stats.satsZapped)
            }
        }
    }

    /// NOTIFICATIONS_SUMMARY: no content; the pubkey and one count per type at top level.
    static func notificationsSummary(_ pubkey: PublicKey, _ counts: [Int: Int]) -> [UInt8] {
        var writer = JSONWriter()
        writer.object { o in
            o.int("kind", SyntheticKind.notificationsSummary)
            o.hex("pubkey", pubkey)
            for type in summaryTypes { o.int(String(type), counts[type] ?? 0) }
        }
        return writer.bytes
    }

    /// NOTIFICATIONS_SUMMARY_2: the counts as the content.
    static func notificationsSummary2(_ counts: [Int: Int]) -> [UInt8] {
        object(SyntheticKind.notificationsSummary2) { w in
            w.object { o in for type in summaryTypes { o.int(String(type), counts[type] ?? 0) } }
        }
    }

    static func notificationsSeenUntil(_ until: Int64) -> [UInt8] {
        object(SyntheticKind.notificationsSeenUntil) { $0.int(until) }
    }

    /// DIRECTMSG_COUNT: no content, `cnt` at top level.
    static func directMessageCount(_ count: Int) -> [UInt8] {
        var writer = JSONWriter()
        writer.object { o in
            o.int("kind", SyntheticKind.directMessageCount)
            o.int("cnt", count)
        }
        return writer.bytes
    }

    static func directMessageCount2(_ count: Int) -> [UInt8] {
        object(SyntheticKind.directMessageCount2) { $0.int(count) }
    }

    /// DIRECTMSG_COUNTS: `{peer: {cnt, latest_at, latest_event_id}}`.
    static func directMessageCounts(_ contacts: [DirectMessageContact]) -> [UInt8] {
        object(SyntheticKind.directMessageCounts) { w in
            w.object { o in
                for contact in contacts {
                    o.object(contact.peer.hex) { c in
                        c.int("cnt", contact.unread)
                        c.int("latest_at", contact.latestAt)
                        c.hex("latest_event_id", contact.latestEvent)
                    }
                }
            }
        }
    }
}

extension Synthetic {
    /// USER_PROFILE as `get_notifications` sends it: only the follower count.
    static func followerCount(_ pubkey: PublicKey, _ count: Int) -> [UInt8] {
        object(SyntheticKind.userProfile) { w in
            w.object { o in
                o.hex("pubkey", pubkey)
                o.int("followers_count", count)
            }
        }
    }

    /// NOTIFICATION: `{id, created_at, pubkey, type, …}` with Primal's per-type fields
    /// (PS `notifications.jl`, WA `notificationTypeUserProps` / `NoteProps`).
    static func notification(_ entry: NotificationEntry, yourPost: EventID?) -> [UInt8] {
        object(SyntheticKind.notification) { w in
            w.object { o in
                o.hex("id", notificationID(entry))
                o.int("created_at", entry.createdAt)
                o.hex("pubkey", entry.recipient)
                o.int("type", entry.type)
                func post(_ key: String) { if let yourPost { o.hex(key, yourPost) } else { o.null(key) } }
                switch entry.type {
                case 1, 2:
                    o.hex("follower", entry.actor)
                case 3:
                    post("your_post")
                    o.hex("who_zapped_it", entry.actor)
                    o.int("satszapped", entry.amount)
                    o.string("message", entry.content)
                case 4:
                    post("your_post")
                    o.hex("who_liked_it", entry.actor)
                    o.string("reaction", entry.content)
                case 5:
                    post("your_post")
                    o.hex("who_reposted_it", entry.actor)
                case 6:
                    post("your_post")
                    o.hex("who_replied_to_it", entry.actor)
                    o.hex("reply", entry.cause)
                case 7:
                    o.hex("you_were_mentioned_in", entry.cause)
                    o.hex("you_were_mentioned_by", entry.actor)
                case 8:
                    post("your_post")
                    o.hex("your_post_were_mentioned_in", entry.cause)
                    o.hex("your_post_was_mentioned_by", entry.actor)
                default:
                    break
                }
            }
        }
    }

    /// A stable id for a notification row: the hash of what makes it unique.
    static func notificationID(_ entry: NotificationEntry) -> Bytes32 {
        var key = entry.recipient.bytes + entry.cause.bytes + entry.actor.bytes
        key.append(UInt8(truncatingIfNeeded: entry.type))
        key.append(UInt8(truncatingIfNeeded: entry.type >> 8))
        return SHA256Digest32.hash(key)
    }
}

extension SyntheticKind {
    static let hashtags2 = 10_000_160
}
