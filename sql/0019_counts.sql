-- 0019: counters the web UI reads instead of counting per request.
--
-- The dashboard's per-connector registry figures (gaps, upgrades, queued,
-- searching, exhausted) and the queue totals were count(*)s over the
-- registry and the queue on every page view: ~0.5 s on a 1M-episode
-- library.  They now come from ui_counts, kept by statement-level triggers
-- with transition tables, so a bulk write stays one statement (one GROUP BY
-- over the rows it changed, never row by row) and no writer in lib/db can
-- forget to count.
--
-- Writers never update a counter row: they append to ui_count_deltas, so
-- two transactions changing one connector's entries never wait on each
-- other (a hot counter row would serialise every writer until commit and
-- could deadlock two that touch keys in other orders).  db_counts_fold()
-- moves the deltas into ui_counts (the page reads do it first, comradarr-maint
-- too), and db_counts_recount() rebuilds everything from the tables (maint's
-- reconciliation, and after a full sync), so a counter cannot drift.
--
-- A row counts one of: registry entries of a search_type ('gap',
-- 'upgrade') in a state, per connector (series_id 0) and per series (the
-- content page's gaps and upgrades per row and its state filter); queue
-- batches ('batch', '') per connector; queue items ('item', '') in all
-- (connector_id 0: an item's batch may go in the same statement, so its
-- connector is not always known).
CREATE TABLE ui_counts (
	series_id bigint NOT NULL,
	connector_id bigint NOT NULL,
	kind text NOT NULL,
	state text NOT NULL,
	n bigint NOT NULL,
	PRIMARY KEY (series_id, connector_id, kind, state)
);
CREATE TABLE ui_count_deltas (
	series_id bigint NOT NULL,
	connector_id bigint NOT NULL,
	kind text NOT NULL,
	state text NOT NULL,
	n bigint NOT NULL
);

-- An episode's entry carries its series: a delete cascaded from the
-- episode (a sync that drops it) no longer finds the episode to ask.
-- comradarr-discover sets it in its insert; the trigger only fills it for
-- any other writer (the WHEN clause keeps the bulk insert free of calls).
ALTER TABLE search_registry ADD COLUMN series_id bigint;
UPDATE search_registry r SET series_id = e.series_id FROM episodes e WHERE e.id = r.episode_id;
CREATE FUNCTION search_registry_series() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.series_id := (SELECT series_id FROM episodes WHERE id = NEW.episode_id);
	RETURN NEW;
END $$;
CREATE TRIGGER search_registry_series BEFORE INSERT ON search_registry FOR EACH ROW
	WHEN (NEW.series_id IS NULL AND NEW.episode_id IS NOT NULL)
	EXECUTE FUNCTION search_registry_series();

-- the rows of a transition table as counter deltas, at both levels
CREATE FUNCTION ui_counts_registry_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO ui_count_deltas (series_id, connector_id, kind, state, n)
		SELECT s, connector_id, search_type, state, count(*)
		FROM new_rows, LATERAL (VALUES (0), (series_id)) v (s) WHERE s IS NOT NULL
		GROUP BY 1, 2, 3, 4;
	RETURN NULL;
END $$;
CREATE FUNCTION ui_counts_registry_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO ui_count_deltas (series_id, connector_id, kind, state, n)
		SELECT s, connector_id, search_type, state, -count(*)
		FROM old_rows, LATERAL (VALUES (0), (series_id)) v (s) WHERE s IS NOT NULL
		GROUP BY 1, 2, 3, 4;
	RETURN NULL;
END $$;
-- an update that leaves type and state alone (priority, attempts) cancels
-- out in the GROUP BY and writes nothing
CREATE FUNCTION ui_counts_registry_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO ui_count_deltas (series_id, connector_id, kind, state, n)
		SELECT s, connector_id, search_type, state, sum(d) FROM (
			SELECT series_id, connector_id, search_type, state, -1 AS d FROM old_rows
			UNION ALL
			SELECT series_id, connector_id, search_type, state, 1 FROM new_rows) x,
		LATERAL (VALUES (0), (series_id)) v (s) WHERE s IS NOT NULL
		GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0;
	RETURN NULL;
END $$;
CREATE TRIGGER ui_counts_ins AFTER INSERT ON search_registry
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ui_counts_registry_ins();
CREATE TRIGGER ui_counts_del AFTER DELETE ON search_registry
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ui_counts_registry_del();
CREATE TRIGGER ui_counts_upd AFTER UPDATE ON search_registry
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION ui_counts_registry_upd();

CREATE FUNCTION ui_counts_batch_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO ui_count_deltas (series_id, connector_id, kind, state, n)
		SELECT 0, connector_id, 'batch', '', count(*) FROM new_rows GROUP BY 2;
	RETURN NULL;
END $$;
CREATE FUNCTION ui_counts_batch_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO ui_count_deltas (series_id, connector_id, kind, state, n)
		SELECT 0, connector_id, 'batch', '', -count(*) FROM old_rows GROUP BY 2;
	RETURN NULL;
END $$;
CREATE TRIGGER ui_counts_ins AFTER INSERT ON request_queue
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ui_counts_batch_ins();
CREATE TRIGGER ui_counts_del AFTER DELETE ON request_queue
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ui_counts_batch_del();

CREATE FUNCTION ui_counts_item_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO ui_count_deltas (series_id, connector_id, kind, state, n)
		SELECT 0, 0, 'item', '', count(*) FROM new_rows HAVING count(*) > 0;
	RETURN NULL;
END $$;
CREATE FUNCTION ui_counts_item_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO ui_count_deltas (series_id, connector_id, kind, state, n)
		SELECT 0, 0, 'item', '', -count(*) FROM old_rows HAVING count(*) > 0;
	RETURN NULL;
END $$;
CREATE TRIGGER ui_counts_ins AFTER INSERT ON request_queue_items
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ui_counts_item_ins();
CREATE TRIGGER ui_counts_del AFTER DELETE ON request_queue_items
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ui_counts_item_del();

-- TRUNCATE has no transition table; it holds the table exclusively, so no
-- other transaction has deltas of it in flight and its counters just go
CREATE FUNCTION ui_counts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM ui_count_deltas WHERE kind = ANY (TG_ARGV);
	DELETE FROM ui_counts WHERE kind = ANY (TG_ARGV);
	RETURN NULL;
END $$;
CREATE TRIGGER ui_counts_trunc AFTER TRUNCATE ON search_registry
	FOR EACH STATEMENT EXECUTE FUNCTION ui_counts_truncated('gap', 'upgrade');
CREATE TRIGGER ui_counts_trunc AFTER TRUNCATE ON request_queue
	FOR EACH STATEMENT EXECUTE FUNCTION ui_counts_truncated('batch');
CREATE TRIGGER ui_counts_trunc AFTER TRUNCATE ON request_queue_items
	FOR EACH STATEMENT EXECUTE FUNCTION ui_counts_truncated('item');

-- the counts of what is already there (db_counts_recount's query)
INSERT INTO ui_counts (series_id, connector_id, kind, state, n)
	SELECT 0, connector_id, search_type, state, count(*) FROM search_registry GROUP BY 2, 3, 4
	UNION ALL
	SELECT series_id, connector_id, search_type, state, count(*) FROM search_registry
	WHERE series_id IS NOT NULL GROUP BY 1, 2, 3, 4
	UNION ALL SELECT 0, connector_id, 'batch', '', count(*) FROM request_queue GROUP BY 2
	UNION ALL SELECT 0, 0, 'item', '', count(*) FROM request_queue_items HAVING count(*) > 0;

-- The library's size and what of it is on disk, per connector: written by
-- the sync after each merge (the only writer of seasons) and after a
-- webhook changes a file, read by the dashboard instead of summing every
-- season and movie per request.
CREATE TABLE library_counts (
	connector_id bigint PRIMARY KEY REFERENCES connectors (id) ON DELETE CASCADE,
	items bigint NOT NULL,
	have bigint NOT NULL,
	counted_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO library_counts (connector_id, items, have)
	SELECT c.id, coalesce(sum(l.items), 0), coalesce(sum(l.have), 0) FROM connectors c
	LEFT JOIN (
		SELECT s.connector_id, sum(se.episode_count)::bigint AS items,
		       sum(least(se.episode_file_count, se.episode_count))::bigint AS have
		FROM series s JOIN seasons se ON se.series_id = s.id
		WHERE s.monitored AND se.monitored AND se.season_number > 0 GROUP BY s.connector_id
		UNION ALL
		SELECT connector_id, count(*) FILTER (WHERE monitored), count(*) FILTER (WHERE monitored AND has_file)
		FROM movies GROUP BY connector_id) l ON l.connector_id = c.id
	GROUP BY c.id;

-- The queue page reads the first batches in dispatch order from the top of
-- this index instead of sorting the whole queue.
CREATE INDEX request_queue_order ON request_queue (priority DESC, scheduled_at, id);

-- Content paging walks titles in lower(title) order (keyset, never OFFSET):
-- from these, a page is the next 51 entries of an index, not a sort of
-- the library.
CREATE INDEX series_title ON series (lower(title), id);
CREATE INDEX movies_title ON movies (lower(title), id);

-- The title search is "contains" (ILIKE '%words%'): trigram indexes find
-- the few titles that can match instead of testing every title; the
-- planner still walks the title index above when the words are too short
-- for trigrams and most titles match.  pg_trgm goes into a schema of its
-- own: a restore replaces the public schema (DROP SCHEMA ... CASCADE),
-- which would take the extension, and these indexes with it.  Where the
-- role may not create it, the search works without the index, slower.
DO $$
BEGIN
	CREATE SCHEMA IF NOT EXISTS comradarr_ext;
	CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA comradarr_ext;
EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
	RAISE NOTICE 'pg_trgm is not available (%): the title search reads every title', SQLERRM;
END $$;
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
		   WHERE e.extname = 'pg_trgm' AND n.nspname = 'comradarr_ext') THEN
		EXECUTE 'CREATE INDEX series_title_trgm ON series USING gin (title comradarr_ext.gin_trgm_ops)';
		EXECUTE 'CREATE INDEX movies_title_trgm ON movies USING gin (title comradarr_ext.gin_trgm_ops)';
	END IF;
END $$;
