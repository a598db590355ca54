/*
 * mirror_import.c - the merge when the connector's mirror is empty: its
 * first sync, which for a big library writes a million rows.
 *
 * There is nothing to compare with, to update or to delete, so each table
 * gets one plain INSERT ... SELECT from the staging tables: no ON CONFLICT
 * (a speculative insertion per row), no join back to old rows for events,
 * no delete pass, no search registry to clear (it can only point at rows
 * of this mirror).  Duplicates in an *arr list are still dropped
 * (DISTINCT ON), as the merge does.
 *
 * Events: one "library_imported" event with the counts, instead of an
 * "item_added" per series, episode or movie.  A first import is not news
 * about items: a notification per item of a 20,000-series library would be
 * noise, and every later sync reports item by item again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/events.h"
#include "db/mirror_int.h"
#include "core/banned.h"

static const char import_series_sql[] =
	"INSERT INTO series (connector_id, arr_id, title, sort_title, status, series_type, "
	" tvdb_id, tmdb_id, imdb_id, year, monitored, quality_profile_id, added_at, fingerprint, "
	" synced_at) "
	"SELECT DISTINCT ON (arr_id) $1::bigint, arr_id, title, sort_title, status, series_type, "
	" tvdb_id, tmdb_id, imdb_id, year, monitored, quality_profile_id, added_at, fingerprint, "
	" now() FROM stage_series ORDER BY arr_id";

static const char import_seasons_sql[] =
	"INSERT INTO seasons (series_id, season_number, monitored, total_episode_count, "
	" episode_count, episode_file_count, size_on_disk, percent_of_episodes, next_airing, "
	" previous_airing) "
	"SELECT s.id, x.n, coalesce(x.m, false), coalesce(x.tot, 0), coalesce(x.cnt, 0), "
	" coalesce(x.fc, 0), coalesce(x.sz, 0), coalesce(x.pct, 0), x.na, x.pa "
	"FROM (SELECT DISTINCT ON (arr_id) arr_id, seasons FROM stage_series ORDER BY arr_id) st "
	"JOIN series s ON s.connector_id = $1 AND s.arr_id = st.arr_id "
	"CROSS JOIN LATERAL (SELECT DISTINCT ON (n) * FROM jsonb_to_recordset(st.seasons) "
	" AS r(n integer, m boolean, tot integer, cnt integer, fc integer, sz bigint, "
	" pct double precision, na timestamptz, pa timestamptz) ORDER BY n) x";

static const char import_files_sql[] =
	"INSERT INTO episode_files (connector_id, series_id, arr_id, season_number, quality_id, "
	" quality_name, quality_source, quality_resolution, revision_version, revision_real, "
	" revision_is_repack, custom_format_score, quality_cutoff_not_met, size, date_added) "
	"SELECT DISTINCT ON (se.f_arr_id) $1::bigint, s.id, se.f_arr_id, se.f_season, "
	" coalesce(se.f_quality_id, 0), coalesce(se.f_quality_name, 'Unknown'), "
	" se.f_quality_source, se.f_quality_resolution, coalesce(se.f_rev_version, 1), "
	" coalesce(se.f_rev_real, 0), coalesce(se.f_rev_repack, false), se.f_cf_score, "
	" coalesce(se.f_cutoff_not_met, false), se.f_size, se.f_date_added "
	"FROM stage_episodes se JOIN series s ON s.connector_id = $1 "
	" AND s.arr_id = se.series_arr_id WHERE se.f_arr_id IS NOT NULL ORDER BY se.f_arr_id";

static const char import_episodes_sql[] =
	"INSERT INTO episodes (connector_id, series_id, arr_id, season_number, episode_number, "
	" absolute_episode_number, title, air_date_utc, runtime, monitored, has_file, "
	" episode_file_id, last_search_time) "
	"SELECT DISTINCT ON (se.arr_id) $1::bigint, s.id, se.arr_id, se.season_number, "
	" se.episode_number, se.absolute_episode_number, se.title, se.air_date_utc, se.runtime, "
	" se.monitored, se.has_file, se.episode_file_id, se.last_search_time "
	"FROM stage_episodes se JOIN series s ON s.connector_id = $1 "
	" AND s.arr_id = se.series_arr_id ORDER BY se.arr_id";

static const char import_movies_sql[] =
	"INSERT INTO movies (connector_id, arr_id, " MIRROR_MOVIE_COLS ", custom_format_score, "
	" synced_at) "
	"SELECT DISTINCT ON (arr_id) $1::bigint, arr_id, " MIRROR_MOVIE_COLS ", "
	" custom_format_score, now() FROM stage_movies ORDER BY arr_id";

/* Run one INSERT; add the rows it wrote to *n. */
static int
insert(struct mirror *m, const char *what, const char *sql, long *n, struct err *e)
{
	PGresult *r = NULL;
	char *end;
	long k;

	if (mirror_query(m, sql, &r, e) < 0)
		return err_prefix(e, "importing the %s", what);
	k = strtol(PQcmdTuples(r), &end, 10);
	if (end != PQcmdTuples(r))
		*n += k;
	PQclear(r);
	return 0;
}

int
mirror_is_empty(struct mirror *m, int *empty, struct err *e)
{
	PGresult *r = NULL;

	if (mirror_query(m, "SELECT NOT EXISTS (SELECT 1 FROM series WHERE connector_id = $1) "
			 "AND NOT EXISTS (SELECT 1 FROM movies WHERE connector_id = $1)", &r, e) < 0)
		return -1;
	*empty = db_bool(r, 0, 0);
	PQclear(r);
	return 0;
}

int
mirror_import(struct mirror *m, mirror_event_fn fn, void *arg, struct mirror_counts *c,
	      struct err *e)
{
	json_t *payload = NULL;
	int ret = -1;

	if (m->series_staged) {
		if (insert(m, "series", import_series_sql, &c->series_added, e) < 0 ||
		    insert(m, "seasons", import_seasons_sql, &c->seasons_written, e) < 0)
			goto out;
		if (m->episodes_staged &&
		    (insert(m, "episode files", import_files_sql, &c->files_written, e) < 0 ||
		     insert(m, "episodes", import_episodes_sql, &c->episodes_added, e) < 0))
			goto out;
	}
	if (m->movies_staged && insert(m, "movies", import_movies_sql, &c->movies_added, e) < 0)
		goto out;
	if (c->series_added + c->seasons_written + c->episodes_added + c->files_written +
	    c->movies_added == 0) {
		/* An empty library stays empty: nothing to announce. */
		ret = 0;
		goto out;
	}
	payload = json_pack("{s:I, s:I, s:I, s:I, s:I}", "series", (json_int_t)c->series_added,
			    "seasons", (json_int_t)c->seasons_written,
			    "episodes", (json_int_t)c->episodes_added,
			    "files", (json_int_t)c->files_written,
			    "movies", (json_int_t)c->movies_added);
	if (payload == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	/* the event steals a reference; the caller's function reads it after */
	if (db_event_insert(m->db, "library_imported", m->connector_id, m->corr,
			    json_incref(payload), e) < 0)
		goto out;
	c->events++;
	if (fn != NULL)
		fn(arg, "library_imported", payload);
	ret = 0;
out:
	json_decref(payload);
	return ret;
}
