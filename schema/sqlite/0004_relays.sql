-- Upstream relays: what Hearth knows of each, and where catch-up resumes after a restart.
CREATE TABLE relays (
    url            TEXT PRIMARY KEY,
    status         TEXT    NOT NULL,
    last_connected INTEGER,
    last_error     TEXT,
    events_received INTEGER NOT NULL DEFAULT 0,
    events_new     INTEGER NOT NULL DEFAULT 0,
    duplicates     INTEGER NOT NULL DEFAULT 0,
    invalid        INTEGER NOT NULL DEFAULT 0,
    reconnects     INTEGER NOT NULL DEFAULT 0,
    notices        INTEGER NOT NULL DEFAULT 0,
    last_event_at  INTEGER,
    caught_up_to   INTEGER,
    latency_ms     INTEGER
) WITHOUT ROWID;
