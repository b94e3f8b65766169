-- Derived read models: the numbers clients show, kept by the writer in the same
-- transaction as the events they come from, and rebuildable from `events` (hearth reindex).
-- A "target" is an event id (32-byte BLOB) or an address `kind:pubkey:d` (TEXT).

-- The newest kind 0 per pubkey, its fields extracted (empty when the content is not JSON).
CREATE TABLE profiles (
    pubkey       BLOB PRIMARY KEY,
    event        BLOB    NOT NULL,        -- id of the kind 0
    created_at   INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    display_name TEXT    NOT NULL,
    picture      TEXT    NOT NULL,
    about        TEXT    NOT NULL,
    nip05        TEXT    NOT NULL,
    lud16        TEXT    NOT NULL
) WITHOUT ROWID;

-- The follow graph from the newest kind 3 per pubkey, keyed for "who follows X" (whom a
-- pubkey follows is its contact list itself).
CREATE TABLE follows (
    followed BLOB NOT NULL,
    follower BLOB NOT NULL,
    PRIMARY KEY (followed, follower)
) WITHOUT ROWID;

-- Per-pubkey counters (zap counts are for zaps received).
CREATE TABLE user_stats (
    pubkey               BLOB PRIMARY KEY,
    event_count          INTEGER NOT NULL DEFAULT 0,
    follows_count        INTEGER NOT NULL DEFAULT 0,
    followers_count      INTEGER NOT NULL DEFAULT 0,
    note_count           INTEGER NOT NULL DEFAULT 0,
    reply_count          INTEGER NOT NULL DEFAULT 0,
    long_form_note_count INTEGER NOT NULL DEFAULT 0,
    time_joined          INTEGER,
    relay_count          INTEGER NOT NULL DEFAULT 0,
    media_count          INTEGER NOT NULL DEFAULT 0,
    total_zap_count      INTEGER NOT NULL DEFAULT 0,
    total_satszapped     INTEGER NOT NULL DEFAULT 0,
    content_zap_count    INTEGER NOT NULL DEFAULT 0,
    is_user              INTEGER NOT NULL DEFAULT 0   -- has a profile and follows someone
) WITHOUT ROWID;

-- Per-target counters. likes and reposts count people (the first such action of each);
-- replies and zaps count events. score/score24h use Primal's weights, first action of
-- each type per actor only; score24h keeps actions newer than the decay cutoff.
CREATE TABLE event_stats (
    target     PRIMARY KEY,
    likes      INTEGER NOT NULL DEFAULT 0,
    replies    INTEGER NOT NULL DEFAULT 0,
    reposts    INTEGER NOT NULL DEFAULT 0,
    zaps       INTEGER NOT NULL DEFAULT 0,
    satszapped INTEGER NOT NULL DEFAULT 0,
    score      INTEGER NOT NULL DEFAULT 0,
    score24h   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Every interaction: who did what to which target with which event. type: 1 like,
-- 2 repost or quote, 3 zap, 4 reply, 5 other reaction. `first` marks the earliest
-- (created_at, ref) of each (target, actor, type): the one that scores. (Listing the
-- reactions to a post newest first is a `#e` range scan of `tags`.)
CREATE TABLE actions (
    target     NOT NULL,
    actor      BLOB    NOT NULL,
    type       INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    ref        BLOB    NOT NULL,          -- id of the acting event
    weight     INTEGER NOT NULL,          -- score it adds when first
    amount     INTEGER NOT NULL,          -- sats, for zaps
    first      INTEGER NOT NULL,
    PRIMARY KEY (target, actor, type, created_at, ref)
) WITHOUT ROWID;

-- The scoring actions newer than the score24h cutoff: what event_stats.score24h sums, and
-- what the decay removes as they age past 24 hours. Small: one day of first actions.
CREATE TABLE score_window (
    created_at INTEGER NOT NULL,
    target     NOT NULL,
    actor      BLOB    NOT NULL,
    type       INTEGER NOT NULL,
    weight     INTEGER NOT NULL,
    PRIMARY KEY (created_at, target, actor, type)
) WITHOUT ROWID;

-- Valid zap receipts (bolt11 amount ≤ 1,100,000 sats, a zap request, a p tag).
CREATE TABLE zaps (
    receipt     BLOB PRIMARY KEY,
    target,                               -- NULL for a zap of a profile
    sender      BLOB    NOT NULL,
    receiver    BLOB    NOT NULL,
    amount_sats INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX zaps_target ON zaps (target, amount_sats) WHERE target IS NOT NULL;
CREATE INDEX zaps_receiver ON zaps (receiver, created_at);
CREATE INDEX zaps_sender ON zaps (sender, created_at);
CREATE INDEX zaps_time ON zaps (created_at);

-- Thread structure (NIP-10 / NIP-22): the replies of each post, newest last. (A reply's own
-- parent and root are in its tags.)
CREATE TABLE thread (
    parent     NOT NULL,
    created_at INTEGER NOT NULL,
    reply      BLOB    NOT NULL,
    root,
    PRIMARY KEY (parent, created_at, reply)
) WITHOUT ROWID;

-- Hashtags of notes (`t` tags and #words), lowercased.
CREATE TABLE hashtags (
    tag        TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    event      BLOB    NOT NULL,
    PRIMARY KEY (tag, created_at, event)
) WITHOUT ROWID;
CREATE INDEX hashtags_time ON hashtags (created_at);

-- Notes with media (images, video, audio in content or imeta tags), per author, for
-- media feeds. What the media are is read from the note itself when it is served.
CREATE TABLE media_notes (
    pubkey     BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    event      BLOB    NOT NULL,
    PRIMARY KEY (pubkey, created_at, event)
) WITHOUT ROWID;

-- Notifications with Primal's types (1 new follower, 2 unfollow, 3 zapped, 4 liked,
-- 5 reposted, 6 replied, 7 mentioned, 8 your post mentioned). A notification about a post
-- that is not stored (yet) waits with recipient = x'' and is delivered when it arrives.
-- Removing the causing event recomputes its rows and deletes them by key (no cause index);
-- follow notifications are history and stay.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,       -- insertion order: new rows append
    recipient  BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    type       INTEGER NOT NULL,
    cause      BLOB    NOT NULL,          -- id of the event that caused it
    actor      BLOB    NOT NULL,          -- who did it
    target,                               -- the post concerned, when there is one
    amount     INTEGER NOT NULL DEFAULT 0,
    content    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX notifications_recipient ON notifications (recipient, created_at);
CREATE INDEX notifications_target ON notifications (target) WHERE target IS NOT NULL;

-- Direct messages (kind 4) per direction: how many, and the latest.
CREATE TABLE dm_counts (
    receiver     BLOB    NOT NULL,
    sender       BLOB    NOT NULL,
    count        INTEGER NOT NULL,
    latest_at    INTEGER NOT NULL,
    latest_event BLOB    NOT NULL,
    PRIMARY KEY (receiver, sender)
) WITHOUT ROWID;

-- Network-wide counters (users, pubkeys, pubnotes, reactions, reposts, any, zaps,
-- satszapped) and derived-data state (score24h_cutoff).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
