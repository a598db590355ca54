-- 0009_schedules: sweep schedules kept in the database (Req 8, 19).
--
-- A schedule says when (a cron expression read in an IANA zone), what (gap
-- or upgrade candidates, or both) and for whom (one connector, or NULL for
-- every enabled one).  `comradarr schedule run`, started every minute by a
-- timer on any number of hosts, runs each due time exactly once: a due time
-- is claimed by inserting its row in schedule_runs (the primary key makes
-- the second insert a no-op) in the same statement that moves
-- schedules.last_due_at forward, so neither a second host nor a clock that
-- went back can run it again.

CREATE TABLE schedules (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name text NOT NULL UNIQUE
		CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'),
	-- NULL: every enabled connector (removing a connector removes its own)
	connector_id bigint REFERENCES connectors (id) ON DELETE CASCADE,
	sweep text NOT NULL CHECK (sweep IN ('gaps', 'upgrades', 'all')),
	cron text NOT NULL CHECK (length(cron) BETWEEN 1 AND 200),
	zone text NOT NULL CHECK (length(zone) BETWEEN 1 AND 127),
	-- at most this many entries queued per connector and run; NULL: all
	max_items integer CHECK (max_items BETWEEN 1 AND 1000000),
	enabled boolean NOT NULL DEFAULT true,
	-- due times are looked for after max(created_at, last_due_at)
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	last_due_at timestamptz
);
CREATE INDEX schedules_connector ON schedules (connector_id);

-- One row per due time that was claimed.  status 'running' with an old
-- started_at is a runner that died: the next run retries it once
-- (attempts 2), then gives it up as 'failed'.
CREATE TABLE schedule_runs (
	schedule_id bigint NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
	due_at timestamptz NOT NULL,
	started_at timestamptz NOT NULL,
	finished_at timestamptz,
	status text NOT NULL DEFAULT 'running'
		CHECK (status IN ('running', 'done', 'skipped', 'failed')),
	attempts integer NOT NULL DEFAULT 1 CHECK (attempts BETWEEN 1 AND 2),
	-- earlier due times this run stands for (catch-up runs once)
	missed integer NOT NULL DEFAULT 0 CHECK (missed >= 0),
	found integer,		-- candidates discover reported
	queued integer,		-- entries enqueue put in batches
	skipped integer,	-- connectors skipped (being swept elsewhere)
	detail text,		-- why skipped or failed
	runner text,		-- host:pid that claimed it, for the curious
	PRIMARY KEY (schedule_id, due_at)
);
CREATE INDEX schedule_runs_running ON schedule_runs (started_at) WHERE status = 'running';

-- Connectors that existed before this migration get the default schedules
-- 'comradarr connector add' now creates (lib/db/schedule.c): missing items
-- hourly, upgrades daily at 03:30, in UTC (the migration cannot know TZ;
-- 'comradarr schedule edit NAME --zone ZONE' changes it).  A name cut to fit
-- that collides with another keeps the first.
INSERT INTO schedules (name, connector_id, sweep, cron, zone)
SELECT left(c.name, 63 - length(d.suffix)) || d.suffix, c.id, d.sweep, d.cron, 'UTC'
FROM connectors c
CROSS JOIN (VALUES ('-gaps', 'gaps', '0 * * * *'),
		   ('-upgrades', 'upgrades', '30 3 * * *')) AS d (suffix, sweep, cron)
WHERE c.type <> 'prowlarr'
ORDER BY c.id
ON CONFLICT (name) DO NOTHING;
