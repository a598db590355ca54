-- 0012_maint: the daily statistics comradarr-maint rolls history up into
-- before it prunes it (Req 12, 13.3).
--
-- One row per UTC day and connector, kept for ever.  Each group of columns
-- comes from one source table and is recomputed from it while the day's
-- rows are still there (lib/db/stats.c, db_stats_rollup): history is pruned
-- in whole UTC days (lib/policy/retention.h), so a day present in a source
-- is complete and recomputing it gives the same figures before and after
-- any pruning.  Days are UTC so that a change of TZ never splits one.
--
-- The connector is its name, not a foreign key: statistics outlive the
-- connectors they describe, as search_history does.
--
-- Settings need no table of their own: 0001's settings table holds what
-- the user changed; the type, range and default of every key are defined
-- once in lib/policy/settings.c.
CREATE TABLE stats_daily (
	day date NOT NULL,
	connector text NOT NULL,
	-- from search_history: searches by outcome, what they cost and found
	searches integer NOT NULL DEFAULT 0,
	grabbed integer NOT NULL DEFAULT 0,
	no_results integer NOT NULL DEFAULT 0,
	indexer_errors integer NOT NULL DEFAULT 0,
	rate_limited integer NOT NULL DEFAULT 0,
	timeouts integer NOT NULL DEFAULT 0,
	errors integer NOT NULL DEFAULT 0,
	indexer_queries bigint NOT NULL DEFAULT 0,
	items_grabbed integer NOT NULL DEFAULT 0,
	gaps_filled integer NOT NULL DEFAULT 0,		-- items grabbed by gap searches
	upgrades_grabbed integer NOT NULL DEFAULT 0,	-- items grabbed by upgrade searches
	search_ms_sum bigint NOT NULL DEFAULT 0,	-- the *arr's time to run the commands
	search_ms_max integer NOT NULL DEFAULT 0,
	-- from events: discover_done and enqueue_done
	discovered integer NOT NULL DEFAULT 0,		-- new search entries (discovery rate)
	gaps_open integer,				-- candidates at the day's last discover
	upgrades_open integer,
	queued integer NOT NULL DEFAULT 0,		-- entries queued
	-- from connector_health_history
	health_checks integer NOT NULL DEFAULT 0,
	health_failures integer NOT NULL DEFAULT 0,	-- unhealthy or offline
	responses integer NOT NULL DEFAULT 0,		-- checks with a response time
	response_ms_sum bigint NOT NULL DEFAULT 0,
	response_ms_max integer NOT NULL DEFAULT 0,
	-- batches waiting when the day was last rolled up (queue depth over time)
	queue_depth integer,
	rolled_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (day, connector)
);
-- `comradarr stats --connector NAME`
CREATE INDEX stats_daily_connector ON stats_daily (connector, day);

-- How long each health check's round trips took (Req 12.3: response times
-- per connector); NULL for checks that never reached the *arr.
ALTER TABLE connector_health_history ADD COLUMN response_ms integer;

-- Pruning reads events and search history by age (events_time and
-- search_history_time, 0001).  Health history and the ledger are pruned by
-- age without an index of their own: a few hundred rows a day per
-- connector, read once a day, are not worth an index entry on every write.
