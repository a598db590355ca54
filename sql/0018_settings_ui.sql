-- 0018: what the web UI's settings sections keep that no other table does.
--
-- A backup's verification (the backups page's "verified?" column).  The
-- archive lives in the backup directory, not here; a row stands for the
-- file as it was checked (its size and modification time), so a file
-- replaced under the same name reads as not verified again.
CREATE TABLE backup_checks (
	name text PRIMARY KEY CHECK (name ~ '^comradarr-[A-Za-z0-9][A-Za-z0-9._-]{0,100}\.tar$'),
	bytes bigint NOT NULL CHECK (bytes >= 0),
	mtime_us bigint NOT NULL,
	ok boolean NOT NULL,
	detail text,			-- why it is damaged; NULL when intact
	schema_version integer,		-- what its manifest says, when intact
	checked_by text NOT NULL,
	checked_at timestamptz NOT NULL DEFAULT now()
);

-- The channels page's "last delivery" column: each channel's newest message,
-- read from the top of this index (one row per channel), not a scan of the
-- message history.  By created_at, not id: ordered by id, the planner walks
-- the primary key backwards filtering on the channel, which reads the whole
-- history for a channel whose last message is old.  It also serves the
-- channel's ON DELETE CASCADE.
CREATE INDEX notify_messages_channel ON notify_messages (channel_id, created_at, id);
