-- 0003_discover: what comradarr-discover and comradarr-enqueue need on top
-- of 0001: per-connector search settings, the *arr download queue as the
-- last sync saw it, the priority weights, and the indexes their queries
-- were designed with (EXPLAIN in tests/bench/bench_discover.c).

-- Per-connector search settings (design reference, "Configurable
-- Thresholds"; Req 6).  Defaults are the reference's.
ALTER TABLE connectors
	ADD COLUMN season_pack_enabled boolean NOT NULL DEFAULT true,
	-- a season pack when more than this share of the season is missing
	ADD COLUMN season_pack_threshold_pct integer NOT NULL DEFAULT 50
		CHECK (season_pack_threshold_pct BETWEEN 0 AND 100),
	-- ... and at least this many episodes are missing
	ADD COLUMN season_pack_min_missing integer NOT NULL DEFAULT 3
		CHECK (season_pack_min_missing BETWEEN 1 AND 1000),
	-- season 0 is searched only when asked for
	ADD COLUMN include_specials boolean NOT NULL DEFAULT false,
	-- an episode becomes a gap this long after it aired (air date plus
	-- runtime), a movie this long after its release: indexers need time
	ADD COLUMN gap_grace_minutes integer NOT NULL DEFAULT 0
		CHECK (gap_grace_minutes BETWEEN 0 AND 525600);

-- What the *arr is downloading already (GET /api/v3/queue), replaced by each
-- sync.  An item in it is never a candidate: the search already succeeded.
CREATE TABLE download_queue (
	connector_id bigint NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
	kind text NOT NULL CHECK (kind IN ('episode', 'movie')),
	arr_id integer NOT NULL,	-- episodeId or movieId
	title text,
	status text,
	synced_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (connector_id, kind, arr_id)
);

-- Season packs need no table of their own: a SeasonSearch batch in the
-- queue (request_queue) blocks the season, and the dispatcher marks the
-- registry entries of a pack that found nothing (search_registry.pack_failed,
-- 0004) so the season falls back to episode searches after the cooldown
-- (Req 6.5).

-- Upgrade discovery joins an episode to its file by the *arr's file id.
CREATE INDEX episodes_file ON episodes (connector_id, episode_file_id) WHERE has_file;

-- "Top N eligible": the entries enqueue may take, best first.  Partial on
-- the states that can become searchable again, so queued, searching and
-- exhausted entries cost nothing.
CREATE INDEX search_registry_ready ON search_registry (connector_id, priority DESC, id)
	INCLUDE (next_eligible_at)
	WHERE state IN ('pending', 'cooldown', 'failed', 'awaiting_import');

-- Every entry is written at least twice in bulk (discover creates it,
-- enqueue moves it to queued), and state is in every one of 0001's three
-- secondary indexes, so no update of it is HOT: each index costs an entry
-- per row per write (the bench: 128k entries, 0.5 s of the queued update
-- alone for the three).  None serves a query of the stages: discover and
-- enqueue read search_registry_ready, the unique item indexes and the
-- primary key; the dispatcher works by id through request_queue_items.
-- What remains to serve is the per-connector counts by state of
-- `comradarr queue status` and clearing the queue (state = 'queued'): one
-- index does both.
DROP INDEX search_registry_eligible, search_registry_sweep, search_registry_prune;
CREATE INDEX search_registry_state ON search_registry (connector_id, state);

-- The priority weights (Req 5.1; lib/policy/priority.h).  The batch size is
-- the connector's throttle profile's (0004).
INSERT INTO settings (key, value) VALUES
	('priority.base', '10000'),
	('priority.content_age_max', '3000'),
	('priority.content_age_span_days', '365'),
	('priority.missing_max', '2000'),
	('priority.missing_span_days', '180'),
	('priority.failure_penalty', '500'),
	('priority.failure_penalty_max', '5000'),
	('priority.recent_search_max', '1000'),
	('priority.recent_search_span_days', '7'),
	('priority.gap_bonus', '2000'),
	('priority.upgrade_bonus', '0'),
	('priority.override_scale', '10')
ON CONFLICT (key) DO NOTHING;
