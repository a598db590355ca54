/*
 * mirror_merge.c - the merge half of the mirror writer: one statement per
 * table, each computing its events in SQL.
 *
 * Every statement has the same shape:
 *
 *	WITH src AS (the staged rows, deduplicated),
 *	     up  AS (INSERT ... ON CONFLICT DO UPDATE ... WHERE (old) IS
 *	             DISTINCT FROM (new) RETURNING ...),
 *	     ev  AS (INSERT INTO events SELECT ... FROM up JOIN <table> o ...)
 *	SELECT kind, payload FROM ev UNION ALL SELECT '_counts', {...}
 *
 * All parts of one statement see the same snapshot, so joining `up` with
 * the target table again reads the rows as they were before the statement:
 * that is how "file gained" (old has_file false, new true) is computed
 * without a second pass or a copy of the old rows.  `up` only holds rows
 * that really changed, so an unchanged library writes nothing and makes no
 * events.  The statement's rows are the events (handed to the caller for
 * its JSON lines) and one '_counts' row.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "db/mirror_int.h"
#include "db/registry.h"
#include "core/banned.h"

#define EVENT_COLS "INSERT INTO events (kind, connector_id, correlation_id, payload) "
#define NO_ROWS "SELECT NULL::integer AS arr_id WHERE false"

static const struct {
	const char *name;
	size_t off;
} count_fields[] = {
	{ "profiles", offsetof(struct mirror_counts, profiles) },
	{ "series_added", offsetof(struct mirror_counts, series_added) },
	{ "series_updated", offsetof(struct mirror_counts, series_updated) },
	{ "series_removed", offsetof(struct mirror_counts, series_removed) },
	{ "seasons_written", offsetof(struct mirror_counts, seasons_written) },
	{ "seasons_removed", offsetof(struct mirror_counts, seasons_removed) },
	{ "episodes_added", offsetof(struct mirror_counts, episodes_added) },
	{ "episodes_updated", offsetof(struct mirror_counts, episodes_updated) },
	{ "episodes_removed", offsetof(struct mirror_counts, episodes_removed) },
	{ "files_written", offsetof(struct mirror_counts, files_written) },
	{ "files_removed", offsetof(struct mirror_counts, files_removed) },
	{ "movies_added", offsetof(struct mirror_counts, movies_added) },
	{ "movies_updated", offsetof(struct mirror_counts, movies_updated) },
	{ "movies_removed", offsetof(struct mirror_counts, movies_removed) },
	{ "registry_cleared", offsetof(struct mirror_counts, registry_cleared) },
};

static void
add_counts(struct mirror_counts *c, const char *text)
{
	json_t *o = json_loads(text, 0, NULL);
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach(o, k, v) {
		for (i = 0; i < sizeof(count_fields) / sizeof(count_fields[0]); i++) {
			if (strcmp(k, count_fields[i].name) == 0)
				*(long *)(void *)((char *)c + count_fields[i].off) +=
					(long)json_integer_value(v);
		}
	}
	json_decref(o);
}

/* Run one merge statement; pass its events on and add its counts. */
static int
run(struct mirror *m, const char *what, const char *sql, mirror_event_fn fn, void *arg,
    struct mirror_counts *c, struct err *e)
{
	PGresult *r = NULL;
	int i, ret = -1;

	if (mirror_query(m, sql, &r, e) < 0) {
		err_prefix(e, "merging the %s", what);
		goto out;
	}
	for (i = 0; i < PQntuples(r); i++) {
		const char *kind = PQgetvalue(r, i, 0), *payload = PQgetvalue(r, i, 1);

		if (strcmp(kind, "_counts") == 0) {
			add_counts(c, payload);
		} else {
			c->events++;
			if (fn != NULL) {
				json_t *p = json_loads(payload, 0, NULL);

				fn(arg, kind, p);
				json_decref(p);
			}
		}
	}
	ret = 0;
out:
	PQclear(r);
	return ret;
}

static const char profiles_sql[] =
	"WITH src AS (SELECT DISTINCT ON (arr_id) * FROM stage_profiles ORDER BY arr_id), "
	"up AS (INSERT INTO quality_profiles AS t (connector_id, arr_id, name, upgrade_allowed, "
	"  cutoff_quality_id, cutoff_format_score, min_format_score, quality_ranks) "
	" SELECT $1, arr_id, name, upgrade_allowed, cutoff_quality_id, cutoff_format_score, "
	"  min_format_score, quality_ranks FROM src "
	" ON CONFLICT (connector_id, arr_id) DO UPDATE SET name = excluded.name, "
	"  upgrade_allowed = excluded.upgrade_allowed, cutoff_quality_id = excluded.cutoff_quality_id, "
	"  cutoff_format_score = excluded.cutoff_format_score, "
	"  min_format_score = excluded.min_format_score, quality_ranks = excluded.quality_ranks "
	" WHERE (t.name, t.upgrade_allowed, t.cutoff_quality_id, t.cutoff_format_score, "
	"  t.min_format_score, t.quality_ranks) IS DISTINCT FROM (excluded.name, "
	"  excluded.upgrade_allowed, excluded.cutoff_quality_id, excluded.cutoff_format_score, "
	"  excluded.min_format_score, excluded.quality_ranks) RETURNING 1), "
	"del AS (DELETE FROM quality_profiles d WHERE d.connector_id = $1 "
	" AND NOT EXISTS (SELECT 1 FROM src WHERE src.arr_id = d.arr_id) RETURNING 1) "
	"SELECT '_counts', json_build_object('profiles', "
	" (SELECT count(*) FROM up) + (SELECT count(*) FROM del))::text";

/* Only the series whose fingerprint changed (all of them in a full sync). */
static const char series_sql[] =
	"WITH src AS (SELECT DISTINCT ON (st.arr_id) st.* FROM stage_series st "
	"  JOIN refetch USING (arr_id) ORDER BY st.arr_id), "
	"up AS (INSERT INTO series AS t (connector_id, arr_id, title, sort_title, status, "
	"  series_type, tvdb_id, tmdb_id, imdb_id, year, monitored, quality_profile_id, added_at, "
	"  fingerprint, synced_at) "
	" SELECT $1, arr_id, title, sort_title, status, series_type, tvdb_id, tmdb_id, imdb_id, "
	"  year, monitored, quality_profile_id, added_at, fingerprint, now() FROM src "
	" ON CONFLICT (connector_id, arr_id) DO UPDATE SET title = excluded.title, "
	"  sort_title = excluded.sort_title, status = excluded.status, "
	"  series_type = excluded.series_type, tvdb_id = excluded.tvdb_id, "
	"  tmdb_id = excluded.tmdb_id, imdb_id = excluded.imdb_id, year = excluded.year, "
	"  monitored = excluded.monitored, quality_profile_id = excluded.quality_profile_id, "
	"  added_at = excluded.added_at, fingerprint = excluded.fingerprint, "
	"  synced_at = excluded.synced_at "
	" WHERE (t.title, t.sort_title, t.status, t.series_type, t.tvdb_id, t.tmdb_id, t.imdb_id, "
	"  t.year, t.monitored, t.quality_profile_id, t.added_at, t.fingerprint) "
	"  IS DISTINCT FROM (excluded.title, excluded.sort_title, excluded.status, "
	"  excluded.series_type, excluded.tvdb_id, excluded.tmdb_id, excluded.imdb_id, "
	"  excluded.year, excluded.monitored, excluded.quality_profile_id, excluded.added_at, "
	"  excluded.fingerprint) "
	" RETURNING t.id, t.arr_id, t.title, t.monitored, (t.xmax = 0) AS inserted), "
	"j AS (SELECT up.*, o.monitored AS o_mon FROM up "
	"  LEFT JOIN series o ON o.connector_id = $1 AND o.arr_id = up.arr_id), "
	"ns AS (INSERT INTO new_series SELECT id FROM up WHERE inserted RETURNING 1), "
	"ev AS (" EVENT_COLS
	" SELECT CASE WHEN j.inserted THEN 'item_added' ELSE 'monitored_changed' END, $1, $2, "
	"  jsonb_build_object('type', 'series', 'series_arr_id', j.arr_id, 'title', j.title, "
	"  'monitored', j.monitored) FROM j "
	" WHERE j.inserted OR j.o_mon IS DISTINCT FROM j.monitored RETURNING kind, payload) "
	"SELECT kind, payload::text FROM ev UNION ALL "
	"SELECT '_counts', json_build_object('series_added', count(*) FILTER (WHERE inserted), "
	" 'series_updated', count(*) FILTER (WHERE NOT inserted))::text FROM up";

static const char seasons_sql[] =
	"WITH src AS (SELECT s.id AS series_id, x.* FROM "
	"  (SELECT DISTINCT ON (arr_id) arr_id, seasons FROM stage_series JOIN refetch USING (arr_id) "
	"   ORDER BY arr_id) st "
	"  JOIN series s ON s.connector_id = $1 AND s.arr_id = st.arr_id "
	"  CROSS JOIN LATERAL (SELECT DISTINCT ON (n) * FROM jsonb_to_recordset(st.seasons) "
	"   AS r(n integer, m boolean, tot integer, cnt integer, fc integer, sz bigint, "
	"   pct double precision, na timestamptz, pa timestamptz) ORDER BY n) x), "
	"up AS (INSERT INTO seasons AS t (series_id, season_number, monitored, total_episode_count, "
	"  episode_count, episode_file_count, size_on_disk, percent_of_episodes, next_airing, "
	"  previous_airing) "
	" SELECT series_id, n, coalesce(m, false), coalesce(tot, 0), coalesce(cnt, 0), "
	"  coalesce(fc, 0), coalesce(sz, 0), coalesce(pct, 0), na, pa FROM src "
	" ON CONFLICT (series_id, season_number) DO UPDATE SET monitored = excluded.monitored, "
	"  total_episode_count = excluded.total_episode_count, "
	"  episode_count = excluded.episode_count, episode_file_count = excluded.episode_file_count, "
	"  size_on_disk = excluded.size_on_disk, percent_of_episodes = excluded.percent_of_episodes, "
	"  next_airing = excluded.next_airing, previous_airing = excluded.previous_airing "
	" WHERE (t.monitored, t.total_episode_count, t.episode_count, t.episode_file_count, "
	"  t.size_on_disk, t.percent_of_episodes, t.next_airing, t.previous_airing) "
	"  IS DISTINCT FROM (excluded.monitored, excluded.total_episode_count, "
	"  excluded.episode_count, excluded.episode_file_count, excluded.size_on_disk, "
	"  excluded.percent_of_episodes, excluded.next_airing, excluded.previous_airing) "
	" RETURNING 1), "
	"del AS (DELETE FROM seasons d USING refetch r, series s WHERE s.connector_id = $1 "
	" AND s.arr_id = r.arr_id AND d.series_id = s.id AND NOT EXISTS (SELECT 1 FROM src "
	" WHERE src.series_id = d.series_id AND src.n = d.season_number) RETURNING 1) "
	"SELECT '_counts', json_build_object('seasons_written', (SELECT count(*) FROM up), "
	" 'seasons_removed', (SELECT count(*) FROM del))::text";

/* %s: the delete of files gone from refetched series, or NO_ROWS. */
static const char files_sql[] =
	"WITH src AS (SELECT DISTINCT ON (se.f_arr_id) s.id AS series_id, se.* "
	"  FROM stage_episodes se JOIN series s ON s.connector_id = $1 "
	"  AND s.arr_id = se.series_arr_id WHERE se.f_arr_id IS NOT NULL ORDER BY se.f_arr_id), "
	"up AS (INSERT INTO episode_files AS t (connector_id, series_id, arr_id, season_number, "
	"  quality_id, quality_name, quality_source, quality_resolution, revision_version, "
	"  revision_real, revision_is_repack, custom_format_score, quality_cutoff_not_met, size, "
	"  date_added) "
	" SELECT $1, series_id, f_arr_id, f_season, coalesce(f_quality_id, 0), "
	"  coalesce(f_quality_name, 'Unknown'), f_quality_source, f_quality_resolution, "
	"  coalesce(f_rev_version, 1), coalesce(f_rev_real, 0), coalesce(f_rev_repack, false), "
	"  f_cf_score, coalesce(f_cutoff_not_met, false), f_size, f_date_added FROM src "
	" ON CONFLICT (connector_id, arr_id) DO UPDATE SET series_id = excluded.series_id, "
	"  season_number = excluded.season_number, quality_id = excluded.quality_id, "
	"  quality_name = excluded.quality_name, quality_source = excluded.quality_source, "
	"  quality_resolution = excluded.quality_resolution, "
	"  revision_version = excluded.revision_version, revision_real = excluded.revision_real, "
	"  revision_is_repack = excluded.revision_is_repack, "
	"  custom_format_score = excluded.custom_format_score, "
	"  quality_cutoff_not_met = excluded.quality_cutoff_not_met, size = excluded.size, "
	"  date_added = excluded.date_added "
	" WHERE (t.series_id, t.season_number, t.quality_id, t.quality_name, t.quality_source, "
	"  t.quality_resolution, t.revision_version, t.revision_real, t.revision_is_repack, "
	"  t.custom_format_score, t.quality_cutoff_not_met, t.size, t.date_added) "
	"  IS DISTINCT FROM (excluded.series_id, excluded.season_number, excluded.quality_id, "
	"  excluded.quality_name, excluded.quality_source, excluded.quality_resolution, "
	"  excluded.revision_version, excluded.revision_real, excluded.revision_is_repack, "
	"  excluded.custom_format_score, excluded.quality_cutoff_not_met, excluded.size, "
	"  excluded.date_added) "
	" RETURNING t.arr_id, t.series_id, t.season_number, t.quality_name, "
	"  t.quality_cutoff_not_met, t.custom_format_score), "
	"ev AS (" EVENT_COLS
	" SELECT 'cutoff_changed', $1, $2, jsonb_build_object('type', 'episode_file', "
	"  'file_arr_id', up.arr_id, 'series_arr_id', s.arr_id, 'season', up.season_number, "
	"  'quality', up.quality_name, 'cutoff_not_met', up.quality_cutoff_not_met, "
	"  'custom_format_score', up.custom_format_score) "
	" FROM up JOIN episode_files o ON o.connector_id = $1 AND o.arr_id = up.arr_id "
	" JOIN series s ON s.id = up.series_id "
	" WHERE o.quality_cutoff_not_met IS DISTINCT FROM up.quality_cutoff_not_met "
	" RETURNING kind, payload), "
	"del AS (%s) "
	"SELECT kind, payload::text FROM ev UNION ALL "
	"SELECT '_counts', json_build_object('files_written', (SELECT count(*) FROM up), "
	" 'files_removed', (SELECT count(*) FROM del))::text";

static const char files_del_sql[] =
	"DELETE FROM episode_files d USING refetch r, series s WHERE s.connector_id = $1 "
	"AND s.arr_id = r.arr_id AND d.series_id = s.id "
	"AND NOT EXISTS (SELECT 1 FROM src WHERE src.f_arr_id = d.arr_id) RETURNING d.arr_id";

/* %s: the delete of episodes gone from refetched series, or NO_ROWS-like. */
static const char episodes_sql[] =
	"WITH src AS (SELECT DISTINCT ON (se.arr_id) s.id AS series_id, se.* "
	"  FROM stage_episodes se JOIN series s ON s.connector_id = $1 "
	"  AND s.arr_id = se.series_arr_id ORDER BY se.arr_id), "
	"up AS (INSERT INTO episodes AS t (connector_id, series_id, arr_id, season_number, "
	"  episode_number, absolute_episode_number, title, air_date_utc, runtime, monitored, "
	"  has_file, episode_file_id, last_search_time) "
	" SELECT $1, series_id, arr_id, season_number, episode_number, absolute_episode_number, "
	"  title, air_date_utc, runtime, monitored, has_file, episode_file_id, last_search_time "
	" FROM src "
	" ON CONFLICT (connector_id, arr_id) DO UPDATE SET series_id = excluded.series_id, "
	"  season_number = excluded.season_number, episode_number = excluded.episode_number, "
	"  absolute_episode_number = excluded.absolute_episode_number, title = excluded.title, "
	"  air_date_utc = excluded.air_date_utc, runtime = excluded.runtime, "
	"  monitored = excluded.monitored, has_file = excluded.has_file, "
	"  episode_file_id = excluded.episode_file_id, last_search_time = excluded.last_search_time "
	" WHERE (t.series_id, t.season_number, t.episode_number, t.absolute_episode_number, "
	"  t.title, t.air_date_utc, t.runtime, t.monitored, t.has_file, t.episode_file_id, "
	"  t.last_search_time) IS DISTINCT FROM (excluded.series_id, excluded.season_number, "
	"  excluded.episode_number, excluded.absolute_episode_number, excluded.title, "
	"  excluded.air_date_utc, excluded.runtime, excluded.monitored, excluded.has_file, "
	"  excluded.episode_file_id, excluded.last_search_time) "
	" RETURNING t.id, t.arr_id, t.series_id, t.season_number, t.episode_number, t.title, "
	"  t.monitored, t.has_file, (t.xmax = 0) AS inserted), "
	"j AS (SELECT up.*, s.arr_id AS series_arr_id, o.id AS o_id, o.monitored AS o_mon, "
	"  o.has_file AS o_file, ns.id IS NOT NULL AS new_series FROM up "
	"  JOIN series s ON s.id = up.series_id "
	"  LEFT JOIN episodes o ON o.connector_id = $1 AND o.arr_id = up.arr_id "
	"  LEFT JOIN new_series ns ON ns.id = up.series_id), "
	"ev AS (" EVENT_COLS
	" SELECT k.kind, $1, $2, jsonb_build_object('type', 'episode', 'arr_id', j.arr_id, "
	"  'series_arr_id', j.series_arr_id, 'season', j.season_number, "
	"  'episode', j.episode_number, 'title', j.title, 'monitored', j.monitored, "
	"  'has_file', j.has_file) "
	" FROM j CROSS JOIN LATERAL (VALUES "
	"  ('item_added', j.o_id IS NULL AND NOT j.new_series), "
	"  ('file_gained', j.o_id IS NOT NULL AND j.has_file AND NOT j.o_file), "
	"  ('file_lost', j.o_id IS NOT NULL AND j.o_file AND NOT j.has_file), "
	"  ('monitored_changed', j.o_id IS NOT NULL AND j.o_mon <> j.monitored)) AS k(kind, hit) "
	" WHERE k.hit RETURNING kind, payload), "
	"del AS (%s), "
	"ev2 AS (" EVENT_COLS
	" SELECT 'item_removed', $1, $2, jsonb_build_object('type', 'episode', 'arr_id', arr_id, "
	"  'series_arr_id', series_arr_id, 'season', season_number, 'episode', episode_number, "
	"  'title', title) FROM del RETURNING kind, payload) "
	"SELECT kind, payload::text FROM ev UNION ALL SELECT kind, payload::text FROM ev2 "
	"UNION ALL SELECT '_counts', json_build_object("
	" 'episodes_added', count(*) FILTER (WHERE inserted), "
	" 'episodes_updated', count(*) FILTER (WHERE NOT inserted), "
	" 'episodes_removed', (SELECT count(*) FROM del))::text FROM up";

static const char episodes_del_sql[] =
	"DELETE FROM episodes d USING refetch r, series s WHERE s.connector_id = $1 "
	"AND s.arr_id = r.arr_id AND d.series_id = s.id "
	"AND NOT EXISTS (SELECT 1 FROM src WHERE src.arr_id = d.arr_id) "
	"RETURNING d.arr_id, s.arr_id AS series_arr_id, d.season_number, d.episode_number, d.title";

static const char episodes_nodel_sql[] =
	"SELECT NULL::integer AS arr_id, NULL::integer AS series_arr_id, "
	"NULL::integer AS season_number, NULL::integer AS episode_number, NULL::text AS title "
	"WHERE false";

/* Removing a series cascades to its seasons, episodes, files and search
 * state (Req 2.2, 11.4). */
static const char series_del_sql[] =
	"WITH del AS (DELETE FROM series d WHERE d.connector_id = $1 "
	" AND NOT EXISTS (SELECT 1 FROM stage_series st WHERE st.arr_id = d.arr_id) "
	" RETURNING d.arr_id, d.title), "
	"ev AS (" EVENT_COLS
	" SELECT 'item_removed', $1, $2, jsonb_build_object('type', 'series', "
	"  'series_arr_id', arr_id, 'title', title) FROM del RETURNING kind, payload) "
	"SELECT kind, payload::text FROM ev UNION ALL "
	"SELECT '_counts', json_build_object('series_removed', (SELECT count(*) FROM del))::text";

#define MOVIE_COLS MIRROR_MOVIE_COLS
#define MOVIE_T \
	"t.title, t.sort_title, t.year, t.tmdb_id, t.imdb_id, t.status, t.item_type, " \
	"t.minimum_availability, t.is_available, t.monitored, t.quality_profile_id, t.in_cinemas, " \
	"t.digital_release, t.physical_release, t.release_date, t.added_at, t.has_file, " \
	"t.movie_file_id, t.quality_id, t.quality_name, t.quality_source, t.quality_resolution, " \
	"t.revision_version, t.revision_real, t.revision_is_repack, t.quality_cutoff_not_met, " \
	"t.last_search_time"
#define MOVIE_X \
	"excluded.title, excluded.sort_title, excluded.year, excluded.tmdb_id, excluded.imdb_id, " \
	"excluded.status, excluded.item_type, excluded.minimum_availability, " \
	"excluded.is_available, excluded.monitored, excluded.quality_profile_id, " \
	"excluded.in_cinemas, excluded.digital_release, excluded.physical_release, " \
	"excluded.release_date, excluded.added_at, excluded.has_file, excluded.movie_file_id, " \
	"excluded.quality_id, excluded.quality_name, excluded.quality_source, " \
	"excluded.quality_resolution, excluded.revision_version, excluded.revision_real, " \
	"excluded.revision_is_repack, excluded.quality_cutoff_not_met, excluded.last_search_time"

/*
 * The /movie list leaves customFormatScore out: an absent score keeps the
 * stored one (learned elsewhere) while the file is the same.  %s: the
 * delete of movies gone, or an empty stand-in.
 */
static const char movies_sql[] =
	"WITH src AS (SELECT DISTINCT ON (arr_id) * FROM stage_movies ORDER BY arr_id), "
	"up AS (INSERT INTO movies AS t (connector_id, arr_id, " MOVIE_COLS ", "
	"  custom_format_score, synced_at) "
	" SELECT $1, arr_id, " MOVIE_COLS ", custom_format_score, now() FROM src "
	" ON CONFLICT (connector_id, arr_id) DO UPDATE SET (" MOVIE_COLS ", synced_at) = "
	"  (" MOVIE_X ", excluded.synced_at), "
	"  custom_format_score = CASE WHEN excluded.custom_format_score IS NULL "
	"   AND excluded.movie_file_id IS NOT DISTINCT FROM t.movie_file_id "
	"   THEN t.custom_format_score ELSE excluded.custom_format_score END "
	" WHERE (" MOVIE_T ") IS DISTINCT FROM (" MOVIE_X ") "
	"  OR (excluded.custom_format_score IS NOT NULL "
	"   AND excluded.custom_format_score IS DISTINCT FROM t.custom_format_score) "
	"  OR (excluded.custom_format_score IS NULL AND t.custom_format_score IS NOT NULL "
	"   AND excluded.movie_file_id IS DISTINCT FROM t.movie_file_id) "
	" RETURNING t.id, t.arr_id, t.title, t.year, t.monitored, t.has_file, t.quality_name, "
	"  t.quality_cutoff_not_met, (t.xmax = 0) AS inserted), "
	"j AS (SELECT up.*, o.id AS o_id, o.monitored AS o_mon, o.has_file AS o_file, "
	"  o.quality_cutoff_not_met AS o_cut FROM up "
	"  LEFT JOIN movies o ON o.connector_id = $1 AND o.arr_id = up.arr_id), "
	"ev AS (" EVENT_COLS
	" SELECT k.kind, $1, $2, jsonb_build_object('type', 'movie', 'arr_id', j.arr_id, "
	"  'title', j.title, 'year', j.year, 'monitored', j.monitored, 'has_file', j.has_file, "
	"  'quality', j.quality_name, 'cutoff_not_met', j.quality_cutoff_not_met) "
	" FROM j CROSS JOIN LATERAL (VALUES "
	"  ('item_added', j.o_id IS NULL), "
	"  ('file_gained', j.o_id IS NOT NULL AND j.has_file AND NOT j.o_file), "
	"  ('file_lost', j.o_id IS NOT NULL AND j.o_file AND NOT j.has_file), "
	"  ('monitored_changed', j.o_id IS NOT NULL AND j.o_mon <> j.monitored), "
	"  ('cutoff_changed', j.o_id IS NOT NULL AND j.has_file AND j.o_file "
	"   AND j.o_cut <> j.quality_cutoff_not_met)) AS k(kind, hit) "
	" WHERE k.hit RETURNING kind, payload), "
	"del AS (%s), "
	"ev2 AS (" EVENT_COLS
	" SELECT 'item_removed', $1, $2, jsonb_build_object('type', 'movie', 'arr_id', arr_id, "
	"  'title', title, 'year', year) FROM del RETURNING kind, payload) "
	"SELECT kind, payload::text FROM ev UNION ALL SELECT kind, payload::text FROM ev2 "
	"UNION ALL SELECT '_counts', json_build_object("
	" 'movies_added', count(*) FILTER (WHERE inserted), "
	" 'movies_updated', count(*) FILTER (WHERE NOT inserted), "
	" 'movies_removed', (SELECT count(*) FROM del))::text FROM up";

static const char movies_del_sql[] =
	"DELETE FROM movies d WHERE d.connector_id = $1 "
	"AND NOT EXISTS (SELECT 1 FROM src WHERE src.arr_id = d.arr_id) "
	"RETURNING d.arr_id, d.title, d.year";

static const char movies_nodel_sql[] =
	"SELECT NULL::integer AS arr_id, NULL::text AS title, NULL::integer AS year WHERE false";

static int
run_fmt(struct mirror *m, const char *what, const char *fmt, const char *del,
	mirror_event_fn fn, void *arg, struct mirror_counts *c, struct err *e)
{
	struct buf sql = BUF_INIT;
	int ret;

	if (buf_appendf(&sql, fmt, del) < 0)
		return err_set(e, ERR_NOMEM, "out of memory");
	ret = run(m, what, sql.data, fn, arg, c, e);
	buf_release(&sql);
	return ret;
}

/*
 * The merge sorts the staged rows to drop duplicates: in memory, not in
 * temporary files.  A fixed 64MB held 200,000 staged episodes but not
 * 1,000,000 (an external merge of 72MB per statement, measured with
 * EXPLAIN ANALYZE), so the setting grows with what was staged: about
 * MIRROR_SORT_ROW_BYTES per row, between 64MB and 256MB (1M rows fit; a
 * small machine is never asked for more).  For this
 * transaction only; one sort runs at a time.
 */
static int
merge_memory(struct mirror *m, struct err *e)
{
	long long kb = (long long)m->staged * MIRROR_SORT_ROW_BYTES / 1024;
	char sql[64];

	if (kb < 64 * 1024)
		kb = 64 * 1024;
	if (kb > 256 * 1024)
		kb = 256 * 1024;
	snprintf(sql, sizeof(sql), "SET LOCAL work_mem = '%lldkB'", kb);
	return db_exec(m->db, sql, e);
}

int
mirror_merge(struct mirror *m, const struct mirror_merge_opts *o, mirror_event_fn fn,
	     void *arg, struct mirror_counts *c, struct err *e)
{
	static const struct mirror_merge_opts none = { 0, 0 };
	int empty;

	if (o == NULL)
		o = &none;
	memset(c, 0, sizeof(*c));
	c->staged = m->staged;
	if (m->phase != MIRROR_IDLE)
		return err_set(e, ERR_INTERNAL, "mirror: merge with a COPY running or after the end");
	if (merge_memory(m, e) < 0)
		return -1;
	if (m->profiles_staged && run(m, "quality profiles", profiles_sql, fn, arg, c, e) < 0)
		return -1;
	if (mirror_is_empty(m, &empty, e) < 0)
		return -1;
	if (empty)
		return mirror_import(m, fn, arg, c, e);
	if (m->series_staged) {
		if (run(m, "series", series_sql, fn, arg, c, e) < 0 ||
		    run(m, "seasons", seasons_sql, fn, arg, c, e) < 0)
			return -1;
		if (m->episodes_staged &&
		    (run_fmt(m, "episode files", files_sql,
			     o->keep_missing_children ? NO_ROWS : files_del_sql, fn, arg, c, e) < 0 ||
		     run_fmt(m, "episodes", episodes_sql,
			     o->keep_missing_children ? episodes_nodel_sql : episodes_del_sql,
			     fn, arg, c, e) < 0))
			return -1;
		if (!o->keep_missing_items && run(m, "removed series", series_del_sql, fn, arg, c, e) < 0)
			return -1;
	}
	if (m->movies_staged &&
	    run_fmt(m, "movies", movies_sql, o->keep_missing_items ? movies_nodel_sql : movies_del_sql,
		    fn, arg, c, e) < 0)
		return -1;
	/* Search state the mirror now contradicts (Req 3.4, 4.4), by the one
	 * statement discover uses too */
	{
		long removed = 0;

		if (db_registry_remove_resolved(m->db, m->connector_id, 1, &removed, e) < 0) {
			err_prefix(e, "clearing resolved search entries");
			return -1;
		}
		c->registry_cleared += removed;
	}
	return 0;
}
