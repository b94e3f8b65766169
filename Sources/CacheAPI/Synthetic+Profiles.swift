import Nostr
import Store

/// Synthetic objects about people and small one-shot answers.
extension Synthetic {
    /// USER_PROFILE: every counter of a profile header, in Primal's key order.
    static func userProfile(_ stats: UserStats) -> [UInt8] {
        object(SyntheticKind.userProfile) { w in
            w.object { o in
                o.hex("pubkey", stats.pubkey)
                o.int("follows_count", stats.followsCount)
                o.int("followers_count", stats.followersCount)
                o.int("note_count", stats.noteCount)
                o.int("long_form_note_count", stats.longFormNoteCount)
                o.int("reply_count", stats.replyCount)
                if let joined = stats.timeJoined { o.int("time_joined", joined) } else { o.null("time_joined") }
                o.int("relay_count", stats.relayCount)
                o.int("total_zap_count", stats.totalZapCount)
                o.int("total_satszapped", stats.totalSatsZapped)
                o.int("media_count", stats.mediaCount)
                o.int("content_zap_count", stats.contentZapCount)
            }
        }
    }

    /// USER_RELAYS: top-level `pubkey` and `tags` (`["r", url, marker?]`), no content.
    static func userRelays(_ pubkey: PublicKey, _ tags: [[String]]) -> [UInt8] {
        var writer = JSONWriter()
        writer.object { o in
            o.int("kind", SyntheticKind.userRelays)
            o.hex("pubkey", pubkey)
            o.array("tags") { a in for tag in tags { a.array { t in for field in tag { t.string(field) } } } }
        }
        return writer.bytes
    }

    /// DEFAULT_RELAYS: the relay URLs as a JSON array in the content string.
    static func defaultRelays(_ urls: [String]) -> [UInt8] {
        object(SyntheticKind.defaultRelays) { w in w.array { a in for url in urls { a.string(url) } } }
    }

    static func isUserFollowing(_ following: Bool) -> [UInt8] {
        object(SyntheticKind.isUserFollowing) { w in w.bool(following) }
    }

    static func importStatus(imported: Int, errors: Int) -> [UInt8] {
        object(SyntheticKind.importStatus) { w in
            w.object { o in
                o.int("imported", imported)
                o.int("errors", errors)
            }
        }
    }

    static func noteMentionsCount(_ id: EventID, _ count: Int) -> [UInt8] {
        object(SyntheticKind.noteMentionsCount) { w in
            w.object { o in
                o.hex("event_id", id)
                o.int("count", count)
            }
        }
    }
}
