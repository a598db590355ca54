-- 0007_queue_writes: cheaper bulk writes for discover and enqueue, and the
-- index the upgrade query was redesigned with.  Measured on the 1M-episode
-- mirror of tests/bench/bench_discover.c (128,700 entries, 20,800 batches).
--
-- Two kinds of foreign key are replaced by statement-level triggers below.
-- A foreign key checks each new row with a query of its own and locks the
-- row it finds, which writes that row (and WAL) again: on these bulk
-- writes that was most of their cost.  A trigger per statement checks
-- every new row with one join and cascades deletes with one join.

-- The cascades, shared by every trigger below: delete the rows of
-- TG_ARGV[0] whose column TG_ARGV[1] names a deleted row (the statement's
-- transition table "gone"), or, after a TRUNCATE, every row of TG_ARGV[0]
-- where that column is set.  DELETE, not TRUNCATE: a TRUNCATE statement may
-- name the target table too, and is still running.
CREATE FUNCTION cascade_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('DELETE FROM %I t USING gone g WHERE t.%I = g.id',
		       TG_ARGV[0], TG_ARGV[1]);
	RETURN NULL;
END $$;

CREATE FUNCTION cascade_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('DELETE FROM %I WHERE %I IS NOT NULL', TG_ARGV[0], TG_ARGV[1]);
	RETURN NULL;
END $$;

-- The checks: every new row (the statement's transition table "added")
-- names an existing row.  TG_ARGV is pairs of (column, table whose id it
-- names); a leading 'share' first locks those tables in SHARE mode for the
-- rest of the transaction (section 2 says why).  A NULL names nothing.
CREATE FUNCTION check_references() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	i int := 0;
	bad bigint;
BEGIN
	IF TG_ARGV[0] = 'share' THEN
		i := 1;
		FOR j IN 2 .. TG_NARGS - 1 BY 2 LOOP
			EXECUTE format('LOCK TABLE %I IN SHARE MODE', TG_ARGV[j]);
		END LOOP;
	END IF;
	WHILE i < TG_NARGS LOOP
		EXECUTE format('SELECT a.%1$I FROM added a WHERE a.%1$I IS NOT NULL '
			       'AND NOT EXISTS (SELECT 1 FROM %2$I x WHERE x.id = a.%1$I) LIMIT 1',
			       TG_ARGV[i], TG_ARGV[i + 1]) INTO bad;
		IF bad IS NOT NULL THEN
			RAISE EXCEPTION '%.% = % names no row of %', TG_TABLE_NAME,
				TG_ARGV[i], bad, TG_ARGV[i + 1]
				USING ERRCODE = 'foreign_key_violation';
		END IF;
		i := i + 2;
	END LOOP;
	RETURN NULL;
END $$;

-- 1. Queue membership without per-row foreign keys.
--
-- enqueue writes one request_queue_items row per queued entry.  Its two
-- foreign keys checked every row with a query of its own and locked the
-- entry and the batch it names: 0.8 s of the 1.1 s it took to queue the
-- benchmark's entries.  Statement-level triggers keep the same rules with
-- one join per statement:
--   * an item names an existing entry and an existing batch, checked after
--     every INSERT or UPDATE statement (SQLSTATE 23503, as a foreign key);
--   * deleting entries or batches deletes their items (ON DELETE CASCADE);
--   * truncating either table empties the items.
-- Unlike a foreign key the check does not lock what it finds.  It need not:
-- enqueue, the only writer of items, holds FOR UPDATE on every entry it
-- queues (db_registry_eligible) and creates the batches in the same
-- transaction, so a concurrent delete of either waits for its commit; the
-- deleting statement's trigger then runs on a snapshot taken after the wait
-- and removes the new items with the rest.
ALTER TABLE request_queue_items
	DROP CONSTRAINT request_queue_items_registry_id_fkey,
	DROP CONSTRAINT request_queue_items_queue_id_fkey;

CREATE TRIGGER request_queue_items_check_insert AFTER INSERT ON request_queue_items
	REFERENCING NEW TABLE AS added FOR EACH STATEMENT
	EXECUTE FUNCTION check_references('registry_id', 'search_registry', 'queue_id', 'request_queue');
CREATE TRIGGER request_queue_items_check_update AFTER UPDATE ON request_queue_items
	REFERENCING NEW TABLE AS added FOR EACH STATEMENT
	EXECUTE FUNCTION check_references('registry_id', 'search_registry', 'queue_id', 'request_queue');

CREATE TRIGGER search_registry_items_cascade AFTER DELETE ON search_registry
	REFERENCING OLD TABLE AS gone
	FOR EACH STATEMENT EXECUTE FUNCTION cascade_deleted('request_queue_items', 'registry_id');
CREATE TRIGGER request_queue_items_cascade AFTER DELETE ON request_queue
	REFERENCING OLD TABLE AS gone
	FOR EACH STATEMENT EXECUTE FUNCTION cascade_deleted('request_queue_items', 'queue_id');
CREATE TRIGGER search_registry_items_truncate AFTER TRUNCATE ON search_registry
	FOR EACH STATEMENT EXECUTE FUNCTION cascade_truncated('request_queue_items', 'registry_id');
CREATE TRIGGER request_queue_items_truncate AFTER TRUNCATE ON request_queue
	FOR EACH STATEMENT EXECUTE FUNCTION cascade_truncated('request_queue_items', 'queue_id');

-- 2. Search entries and their episode or movie.
--
-- discover creates 108,900 entries on the benchmark's first run; their
-- foreign keys to episodes and movies took 0.6 s of the 1.5 s insert.  The
-- same rules, kept by triggers:
--   * an entry names an existing episode or movie, checked after every
--     INSERT statement (SQLSTATE 23503), and never changes its item (an
--     UPDATE that tries is refused);
--   * deleting episodes or movies deletes their entries (ON DELETE CASCADE,
--     Req 11.4); truncating them does too.
-- The check locks episodes and movies in SHARE mode for the rest of the
-- transaction instead of locking each row it finds: a sync deleting an
-- episode waits until the entry is committed, and its cascade, on a
-- snapshot taken after the wait, then removes it.  Only sync writes the
-- mirror, and discover takes the same lock before it touches the registry
-- (so it never waits for it holding entries a sync's cascade would need).
ALTER TABLE search_registry
	DROP CONSTRAINT search_registry_episode_id_fkey,
	DROP CONSTRAINT search_registry_movie_id_fkey;

CREATE TRIGGER search_registry_check AFTER INSERT ON search_registry
	REFERENCING NEW TABLE AS added FOR EACH STATEMENT
	EXECUTE FUNCTION check_references('share', 'episode_id', 'episodes', 'movie_id', 'movies');

CREATE FUNCTION search_registry_keep_item() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'a search entry never changes its item (entry %)', OLD.id
		USING ERRCODE = 'foreign_key_violation';
END $$;
-- a row trigger, but its WHEN is evaluated without calling the function:
-- the 128,700 updates of an enqueue cost nothing here
CREATE TRIGGER search_registry_keep_item BEFORE UPDATE ON search_registry
	FOR EACH ROW WHEN (OLD.episode_id IS DISTINCT FROM NEW.episode_id
			   OR OLD.movie_id IS DISTINCT FROM NEW.movie_id)
	EXECUTE FUNCTION search_registry_keep_item();

CREATE TRIGGER episodes_registry_cascade AFTER DELETE ON episodes
	REFERENCING OLD TABLE AS gone
	FOR EACH STATEMENT EXECUTE FUNCTION cascade_deleted('search_registry', 'episode_id');
CREATE TRIGGER movies_registry_cascade AFTER DELETE ON movies
	REFERENCING OLD TABLE AS gone
	FOR EACH STATEMENT EXECUTE FUNCTION cascade_deleted('search_registry', 'movie_id');
CREATE TRIGGER episodes_registry_truncate AFTER TRUNCATE ON episodes
	FOR EACH STATEMENT EXECUTE FUNCTION cascade_truncated('search_registry', 'episode_id');
CREATE TRIGGER movies_registry_truncate AFTER TRUNCATE ON movies
	FOR EACH STATEMENT EXECUTE FUNCTION cascade_truncated('search_registry', 'movie_id');

-- 3. One index fewer on every registry write.
--
-- search_registry_state (0003) served only `comradarr queue status` (counts
-- by state) and `comradarr queue clear` (state = 'queued'), both of which
-- now read the table once; it cost an index entry on each of the 128,700
-- inserts of discover and again on each update of enqueue.
DROP INDEX search_registry_state;

-- 4. Upgrade candidates without reading every file.
--
-- A file is an upgrade candidate when its quality is below the cutoff
-- (episode_files_cutoff, 0001) or its custom-format score is below its
-- profile's cutoffFormatScore.  Below the highest such cutoff of the
-- connector's profiles is a range on this index, so the planner ORs the two
-- bitmaps instead of reading 891,000 files: 1.5 s -> 0.2 s for the
-- benchmark's 19,800 upgrades.
CREATE INDEX episode_files_score ON episode_files (connector_id, custom_format_score);
