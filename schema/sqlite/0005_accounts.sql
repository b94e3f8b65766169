-- Direct messages a user has marked read (reset_directmsg_count): the conversation's
-- count at that moment. Unread = dm_counts.count - read_count.
CREATE TABLE dm_read (
    receiver   BLOB    NOT NULL,
    sender     BLOB    NOT NULL,
    read_count INTEGER NOT NULL,
    PRIMARY KEY (receiver, sender)
) WITHOUT ROWID;
