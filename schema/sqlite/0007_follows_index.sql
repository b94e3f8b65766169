-- Contact lists' `p` tags with a pubkey value are indexed by `follows` alone, no longer
-- also by `tags` (they were ~45 % of its rows and of the writer's tag inserts). `follows`
-- becomes an index of the stored kind 3 events, kept whether derived data is on or off,
-- with each list's created_at for `#p` queries. It is rebuilt from the tag rows (exact
-- even for a file written with derived data off), then those rows go.
DROP TABLE follows;
CREATE TABLE follows (
    followed   BLOB    NOT NULL,
    follower   BLOB    NOT NULL,
    created_at INTEGER NOT NULL,          -- of the follower's contact list
    PRIMARY KEY (followed, follower)
) WITHOUT ROWID;
INSERT OR IGNORE INTO follows (followed, follower, created_at)
SELECT t.value, e.pubkey, e.created_at FROM tags AS t CROSS JOIN events AS e ON e.rowid = t.event
WHERE t.name = 'p' AND t.kind = 3 AND typeof(t.value) = 'blob';
DELETE FROM tags WHERE name = 'p' AND kind = 3 AND typeof(value) = 'blob';
