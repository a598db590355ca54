-- 0010_notify: notification channels and the delivery of the event outbox
-- to them (Req 9, 36.1).
--
-- Routing reads the outbox by transaction, not by id.  Ids come from a
-- sequence when a row is inserted, but become visible when its transaction
-- commits, so a cursor "every id <= N was seen" would skip an event whose
-- long transaction (a full sync) committed after a later, shorter one.
-- Each event therefore records the transaction that wrote it, and a
-- channel's cursor is a (xid, id) pair below the oldest transaction still
-- running: every event of a transaction older than pg_snapshot_xmin() is
-- visible, so nothing below the cursor can still appear.  An event of a
-- running transaction waits for the next round.
ALTER TABLE events ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX events_xid ON events (xid, id);

CREATE TABLE notify_channels (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'),
	type text NOT NULL CHECK (type IN ('discord', 'telegram', 'slack', 'pushover', 'gotify',
					   'ntfy', 'email', 'webhook')),
	enabled boolean NOT NULL DEFAULT true,
	-- What is not secret: server URL, chat id, topic, addresses, priority.
	config jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(config) = 'object'),
	-- The credentials (tokens, passwords, webhook URLs, the HMAC secret) as
	-- one JSON object sealed by lib/crypto/secretbox, bound to this row and
	-- to where they may be sent (lib/db/notify.c).
	secret_enc bytea,
	events text[],			-- NULL: the default selection (comradarr(1))
	min_severity text NOT NULL DEFAULT 'info'
		CHECK (min_severity IN ('info', 'warning', 'error')),
	connector_ids bigint[],		-- NULL: every connector
	batch_window_s integer NOT NULL DEFAULT 300 CHECK (batch_window_s BETWEEN 0 AND 86400),
	quiet_start smallint CHECK (quiet_start BETWEEN 0 AND 1439),	-- minute of the day
	quiet_end smallint CHECK (quiet_end BETWEEN 0 AND 1439),
	quiet_tz text NOT NULL DEFAULT 'UTC',
	quiet_mode text NOT NULL DEFAULT 'hold' CHECK (quiet_mode IN ('hold', 'drop')),
	max_per_hour integer NOT NULL DEFAULT 0 CHECK (max_per_hour BETWEEN 0 AND 3600),
	templates jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(templates) = 'object'),
	cursor_xid xid8 NOT NULL DEFAULT pg_snapshot_xmin(pg_current_snapshot()),
	cursor_id bigint NOT NULL DEFAULT 0,
	-- Set when the receiver refused for good (401, 404): nothing is sent
	-- until 'comradarr channel enable' clears it.
	stopped_reason text,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
);

-- One message to one channel: a single event or a digest of several.  Its
-- text is rendered once, so a retry sends exactly what the first attempt
-- did, and its id is the receiver-side idempotency key.
CREATE TABLE notify_messages (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	channel_id bigint NOT NULL REFERENCES notify_channels (id) ON DELETE CASCADE,
	kind text NOT NULL,
	severity text NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
	nevents integer NOT NULL CHECK (nevents >= 1),
	title text NOT NULL,
	body text NOT NULL,
	payload jsonb NOT NULL DEFAULT '[]',
	state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
	attempts integer NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	http_status integer,
	answer text,			-- the receiver's answer, redacted and cut short
	last_error text,
	created_at timestamptz NOT NULL DEFAULT now(),
	sent_at timestamptz
);
CREATE INDEX notify_messages_due ON notify_messages (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notify_messages_sent ON notify_messages (channel_id, sent_at) WHERE state = 'sent';

-- One row per event and channel: the primary key is the once-per-channel
-- rule.  message_id is NULL while the event waits for its batching window
-- or the end of quiet hours.
CREATE TABLE notify_deliveries (
	event_id bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	channel_id bigint NOT NULL REFERENCES notify_channels (id) ON DELETE CASCADE,
	message_id bigint REFERENCES notify_messages (id) ON DELETE SET NULL,
	state text NOT NULL DEFAULT 'waiting'
		CHECK (state IN ('waiting', 'queued', 'sent', 'failed', 'dropped')),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (event_id, channel_id)
);
CREATE INDEX notify_deliveries_waiting ON notify_deliveries (channel_id, event_id)
	WHERE state = 'waiting';
CREATE INDEX notify_deliveries_message ON notify_deliveries (message_id);
