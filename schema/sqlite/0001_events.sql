-- Events, their indexable tags, deletions, and the full-text indexes.
-- The JSON of every event is kept exactly as received and served back byte for byte; the
-- hex of id, pubkey and sig is cut out of the stored copy (it is in the binary columns) and
-- put back on read (see CompactEventJSON.swift).

CREATE TABLE events (
    rowid      INTEGER PRIMARY KEY,
    id         BLOB    NOT NULL,          -- 32 bytes
    pubkey     BLOB    NOT NULL,          -- 32 bytes
    created_at INTEGER NOT NULL,
    kind       INTEGER NOT NULL,
    sig        BLOB    NOT NULL,          -- 64 bytes
    json       BLOB    NOT NULL,          -- the event object as received, hex cut out
    dtag       TEXT,                      -- `d` tag of addressable events, NULL otherwise
    expiration INTEGER                    -- NIP-40 expiration, NULL when none
);
CREATE UNIQUE INDEX events_id ON events (id);
CREATE INDEX events_author ON events (pubkey, kind, created_at);
CREATE INDEX events_kind ON events (kind, created_at);
CREATE INDEX events_time ON events (created_at);
CREATE INDEX events_address ON events (pubkey, kind, dtag) WHERE dtag IS NOT NULL;
CREATE INDEX events_expiring ON events (expiration) WHERE expiration IS NOT NULL;

-- One row per single-letter tag with a value, so `#e/#p/#t/#a/#d…` filters are range scans.
-- A value of 64 lowercase hex characters is stored as its 32 bytes (a BLOB), any other value
-- as TEXT; the two never compare equal. kind is copied in to filter without a lookup.
CREATE TABLE tags (
    name       TEXT    NOT NULL,
    value              NOT NULL,
    created_at INTEGER NOT NULL,
    event      INTEGER NOT NULL,          -- events.rowid
    kind       INTEGER NOT NULL,
    PRIMARY KEY (name, value, created_at, event)
) WITHOUT ROWID;

-- NIP-09 deletion requests, kept after their targets are gone so a deleted event that
-- arrives again stays deleted. target: an event id (BLOB) or an address `kind:pubkey:d`
-- (TEXT); only events by `pubkey` are affected; addresses cover versions up to created_at.
CREATE TABLE deletions (
    target     NOT NULL,
    pubkey     BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    request    BLOB    NOT NULL,          -- id of the kind 5 event
    PRIMARY KEY (target, pubkey, request)
) WITHOUT ROWID;

-- Full text of notes (kinds 1 and 30023), rowid = events.rowid. Contentless: the text
-- lives in events.json, so the index stores only what it needs to match and rank (full
-- detail: bm25 needs term frequencies, which detail=none and detail=column drop).
CREATE VIRTUAL TABLE notes_fts USING fts5 (
    text,
    content = '',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Names of the newest kind 0 per pubkey, rowid = events.rowid; prefix-indexed for
-- type-ahead user search.
CREATE VIRTUAL TABLE profiles_fts USING fts5 (
    name, display_name, nip05, about,
    content = '',
    prefix = '2 3',
    tokenize = 'unicode61 remove_diacritics 2'
);
