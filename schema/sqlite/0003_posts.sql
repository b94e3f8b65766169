-- Feed index: each author's posts (notes, reposts, pictures, videos, polls) in time order,
-- with whether the post replies to another, so home and profile feeds are range scans.
CREATE TABLE posts (
    pubkey     BLOB    NOT NULL,
    is_reply   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    event      BLOB    NOT NULL,
    kind       INTEGER NOT NULL,
    PRIMARY KEY (pubkey, is_reply, created_at, event)
) WITHOUT ROWID;

-- Where each user has read their notifications up to (set_notifications_seen).
CREATE TABLE notifications_seen (
    pubkey     BLOB PRIMARY KEY,
    seen_until INTEGER NOT NULL
) WITHOUT ROWID;

-- Files written before this migration: index the posts already stored (a kind 1 is a
-- reply when the thread index has it; both use the same NIP-10 reading).
INSERT OR IGNORE INTO posts (pubkey, is_reply, created_at, event, kind)
SELECT pubkey, kind = 1 AND id IN (SELECT reply FROM thread), created_at, id, kind
FROM events WHERE kind IN (1, 6, 16, 20, 1068, 6969, 34235, 34236);
