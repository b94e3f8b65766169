-- Per-user app settings by subkey (set_app_subsettings): the web app keeps its home and
-- reads feed lists here. `settings` is the JSON text the user signed.
CREATE TABLE app_subsettings (
    pubkey     BLOB    NOT NULL,
    subkey     TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    settings   TEXT    NOT NULL,
    PRIMARY KEY (pubkey, subkey)
) WITHOUT ROWID;
