-- Backfill: what answers need that the relays' recent history does not bring. A pubkey's
-- profile (kind 0), contact list (3) and relay list (10002) are usually older than any
-- catch-up horizon; so is the root of a new reply. The writer records, as it stores events,
-- every pubkey they name (authors, follow targets, `p` tags of notes, zap parties) and every
-- event they point at that is not stored (thread roots and parents, quotes, repost and zap
-- targets); clients' requests add what they asked for and lacked. The rest of a row is the
-- state of asking the upstream relays (Sources/Ingest/Backfill.swift).
CREATE TABLE backfill (
    type      INTEGER NOT NULL,            -- 0 pubkey, 1 event id, 2 address
    target            NOT NULL,            -- 32-byte BLOB (pubkey, id) or TEXT `kind:pubkey:d`
    wanted_by INTEGER NOT NULL DEFAULT 0,  -- 2 a client asked, 1 author of a stored post, 0 named
    stored    INTEGER NOT NULL DEFAULT 0,  -- pubkeys: bits 1 kind 0, 2 kind 3, 4 kind 10002 stored
    tried     INTEGER NOT NULL DEFAULT 0,  -- bits: the relay slots asked this round
    tries     INTEGER NOT NULL DEFAULT 0,  -- relays asked this round
    rounds    INTEGER NOT NULL DEFAULT 0,  -- rounds finished without finding everything
    due_at    INTEGER NOT NULL DEFAULT 0,  -- not asked again before this time (unix)
    queue     INTEGER,                     -- rank while waiting to be asked (wanted_by × 2^40 +
                                           -- followers or times named), NULL otherwise
    PRIMARY KEY (type, target)
) WITHOUT ROWID;
-- Rows change only when a pubkey is new, more wanted, or its metadata comes or goes: naming
-- a known pubkey again writes nothing (a contact list names hundreds).
CREATE INDEX backfill_queue ON backfill (type, queue DESC) WHERE queue IS NOT NULL;
CREATE INDEX backfill_retry ON backfill (due_at) WHERE queue IS NULL AND stored != 7;

-- Each upstream relay's backfill slot (a bit of `backfill.tried`) and counters.
ALTER TABLE relays ADD COLUMN backfill_slot INTEGER;
ALTER TABLE relays ADD COLUMN backfill_requests INTEGER NOT NULL DEFAULT 0;
ALTER TABLE relays ADD COLUMN backfill_events INTEGER NOT NULL DEFAULT 0;

-- A file from before backfill: its follow targets, authors and what they have stored.
INSERT INTO backfill (type, target) SELECT DISTINCT 0, followed FROM follows;
INSERT INTO backfill (type, target) SELECT 0, pubkey FROM user_stats WHERE event_count > 0
ON CONFLICT (type, target) DO NOTHING;
UPDATE backfill SET wanted_by = 1 WHERE type = 0 AND target IN (SELECT DISTINCT pubkey FROM posts);
UPDATE backfill SET stored = stored | 1 WHERE type = 0 AND target IN (SELECT pubkey FROM profiles);
UPDATE backfill SET stored = stored | 2 WHERE type = 0 AND target IN (SELECT pubkey FROM events WHERE kind = 3);
UPDATE backfill SET stored = stored | 4 WHERE type = 0 AND target IN (SELECT pubkey FROM events WHERE kind = 10002);
UPDATE backfill SET queue = (wanted_by << 40)
    + coalesce((SELECT followers_count FROM user_stats WHERE pubkey = backfill.target), 0)
WHERE stored != 7;
