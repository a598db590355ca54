-- 0008_queue_recheck: the gap and upgrade rules stated once, and the
-- dispatcher's re-check of a batch right before it is sent.
--
-- 1. The rules.
--
-- Whether a file is still worth an upgrade search was written out in
-- discover's candidate queries, in the clean-up of resolved entries and in
-- explain.  These functions are that rule; every statement uses them.  They
-- are plain SQL, IMMUTABLE and use each argument as a simple expression, so
-- the planner inlines them: the statements plan exactly as if the
-- expression were written in place (the partial indexes of 0001 and 0007
-- still match; checked with EXPLAIN in tests/bench/bench_discover.c).

-- A custom-format score below its profile's cutoffFormatScore.  An unknown
-- score (NULL: the app did not say) is never below; a profile that is not
-- mirrored has cutoff 0.
CREATE FUNCTION cf_below_cutoff(score integer, cutoff integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT score IS NOT NULL AND score < coalesce(cutoff, 0) $$;

-- An item with a file is an upgrade candidate when its profile takes
-- upgrades (unknown profile: yes) and the file is below the quality cutoff
-- or below the custom-format score cutoff.
CREATE FUNCTION upgrade_wanted(has_file boolean, quality_cutoff_not_met boolean,
			       score integer, cutoff integer, upgrade_allowed boolean)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT coalesce(has_file, false) AND coalesce(upgrade_allowed, true)
	  AND (coalesce(quality_cutoff_not_met, false) OR cf_below_cutoff(score, cutoff)) $$;

-- 2. The re-check.
--
-- A batch is queued minutes to days before it is sent.  In between, an
-- item can get its file, enter the app's download queue, lose monitoring or
-- be deleted; searching it anyway is an indexer query that cannot find
-- anything wanted.  The dispatcher reads this view inside the claim's
-- transaction, right before the throttle is asked, and drops what it
-- names (lib/db/queue.c, db_queue_claim).  One row per item of a batch;
-- resolved is NULL while the item still needs its search, else why not:
--   deleted       the episode or movie is gone from the mirror
--   downloading   it is in the app's download queue (as the last sync saw it)
--   unmonitored   the episode, its season or series, or the movie
--   has_file      a gap that now has its file
--   cutoff_met    an upgrade whose file is gone, meets its cutoffs, or
--                 whose profile takes no upgrades any more
--   resolved      the entry is gone but the item is not: a sync's clean-up
--                 removed it as resolved (mirror_merge.c)
-- The second part lists the ids of an EpisodeSearch or MoviesSearch that no
-- entry of the batch covers any more (registry_id NULL): the sync that saw
-- the item deleted or resolved removed its entry, and the entry's queue
-- item went with it, but the batch's arr_ids still name it.
-- Reading one batch (WHERE queue_id = ...) is an index scan of
-- request_queue_items_queue and primary-key lookups, a few rows.
CREATE VIEW queue_item_recheck AS
SELECT i.queue_id, i.registry_id, r.search_type,
	coalesce(e.arr_id, m.arr_id) AS arr_id,
	e.series_id,
	CASE
	WHEN e.id IS NULL AND m.id IS NULL THEN 'deleted'
	WHEN d.arr_id IS NOT NULL THEN 'downloading'
	WHEN e.id IS NOT NULL
	     AND NOT (e.monitored AND s.monitored AND coalesce(ss.monitored, true))
		THEN 'unmonitored'
	WHEN m.id IS NOT NULL AND NOT m.monitored THEN 'unmonitored'
	WHEN r.search_type = 'gap' AND coalesce(e.has_file, m.has_file) THEN 'has_file'
	WHEN r.search_type = 'upgrade' AND e.id IS NOT NULL
	     AND NOT upgrade_wanted(e.has_file AND f.arr_id IS NOT NULL, f.quality_cutoff_not_met,
				    f.custom_format_score, p.cutoff_format_score, p.upgrade_allowed)
		THEN 'cutoff_met'
	WHEN r.search_type = 'upgrade' AND m.id IS NOT NULL
	     AND NOT upgrade_wanted(m.has_file, m.quality_cutoff_not_met, m.custom_format_score,
				    pm.cutoff_format_score, pm.upgrade_allowed)
		THEN 'cutoff_met'
	END AS resolved
FROM request_queue_items i
JOIN search_registry r ON r.id = i.registry_id
LEFT JOIN episodes e ON e.id = r.episode_id
LEFT JOIN series s ON s.id = e.series_id
LEFT JOIN seasons ss ON ss.series_id = e.series_id AND ss.season_number = e.season_number
LEFT JOIN episode_files f ON f.connector_id = e.connector_id AND f.arr_id = e.episode_file_id
LEFT JOIN quality_profiles p ON p.connector_id = s.connector_id AND p.arr_id = s.quality_profile_id
LEFT JOIN movies m ON m.id = r.movie_id
LEFT JOIN quality_profiles pm ON pm.connector_id = m.connector_id
	AND pm.arr_id = m.quality_profile_id
LEFT JOIN download_queue d ON d.connector_id = r.connector_id
	AND d.kind = CASE WHEN r.episode_id IS NOT NULL THEN 'episode' ELSE 'movie' END
	AND d.arr_id = coalesce(e.arr_id, m.arr_id)
UNION ALL
SELECT q.id, NULL, NULL, u.arr_id, e.series_id,
	CASE WHEN e.id IS NULL AND m.id IS NULL THEN 'deleted' ELSE 'resolved' END
FROM request_queue q
CROSS JOIN LATERAL unnest(q.arr_ids) AS u(arr_id)
LEFT JOIN episodes e ON q.command = 'EpisodeSearch' AND e.connector_id = q.connector_id
	AND e.arr_id = u.arr_id
LEFT JOIN movies m ON q.command = 'MoviesSearch' AND m.connector_id = q.connector_id
	AND m.arr_id = u.arr_id
WHERE NOT EXISTS (SELECT 1 FROM request_queue_items i JOIN search_registry r ON r.id = i.registry_id
		  WHERE i.queue_id = q.id AND (r.episode_id = e.id OR r.movie_id = m.id));
