/*
 * mirror.c - the staging half of the mirror writer: the transaction, the
 * temporary staging tables, and rows streamed into them with COPY.
 * The merge statements are in mirror_merge.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/mirror_int.h"
#include "core/banned.h"

/*
 * The staging tables live for one transaction (ON COMMIT DROP): nothing
 * to clean up after a crash, and no other sync can see them.  Seasons
 * travel inside their series row as JSON because only one COPY can run at
 * a time on a connection; an episode row carries its file's columns for
 * the same reason.
 */
static const char stage_sql[] =
	"CREATE TEMP TABLE stage_profiles (arr_id integer, name text, upgrade_allowed boolean, "
	" cutoff_quality_id integer, cutoff_format_score integer, min_format_score integer, "
	" quality_ranks integer[]) ON COMMIT DROP;"
	"CREATE TEMP TABLE stage_series (arr_id integer, title text, sort_title text, status text, "
	" series_type text, tvdb_id integer, tmdb_id integer, imdb_id text, year integer, "
	" monitored boolean, quality_profile_id integer, added_at timestamptz, fingerprint text, "
	" seasons jsonb) ON COMMIT DROP;"
	"CREATE TEMP TABLE stage_episodes (series_arr_id integer, arr_id integer, "
	" season_number integer, episode_number integer, absolute_episode_number integer, "
	" title text, air_date_utc timestamptz, runtime integer, monitored boolean, "
	" has_file boolean, episode_file_id integer, last_search_time timestamptz, "
	" f_arr_id integer, f_season integer, f_quality_id integer, f_quality_name text, "
	" f_quality_source text, f_quality_resolution integer, f_rev_version integer, "
	" f_rev_real integer, f_rev_repack boolean, f_cf_score integer, f_cutoff_not_met boolean, "
	" f_size bigint, f_date_added timestamptz) ON COMMIT DROP;"
	"CREATE TEMP TABLE stage_movies (arr_id integer, title text, sort_title text, year integer, "
	" tmdb_id integer, imdb_id text, status text, item_type text, minimum_availability text, "
	" is_available boolean, monitored boolean, quality_profile_id integer, "
	" in_cinemas timestamptz, digital_release timestamptz, physical_release timestamptz, "
	" release_date timestamptz, added_at timestamptz, has_file boolean, movie_file_id integer, "
	" quality_id integer, quality_name text, quality_source text, quality_resolution integer, "
	" revision_version integer, revision_real integer, revision_is_repack boolean, "
	" custom_format_score integer, quality_cutoff_not_met boolean, "
	" last_search_time timestamptz) ON COMMIT DROP;"
	"CREATE TEMP TABLE refetch (arr_id integer PRIMARY KEY) ON COMMIT DROP;"
	"CREATE TEMP TABLE new_series (id bigint PRIMARY KEY) ON COMMIT DROP";

int
mirror_query(struct mirror *m, const char *sql, PGresult **res, struct err *e)
{
	const char *params[2] = { m->cid, m->corr };
	int n = strstr(sql, "$2") != NULL ? 2 : strstr(sql, "$1") != NULL ? 1 : 0;

	return db_query(m->db, sql, n, params, res, e);
}

int
mirror_open(PGconn *db, int64_t connector_id, const char *corr, struct mirror **out,
	    struct err *e)
{
	struct mirror *m = calloc(1, sizeof(*m));
	int ret = -1;

	*out = NULL;
	if (m == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	m->db = db;
	m->connector_id = connector_id;
	db_fmt_int64(m->cid, sizeof(m->cid), connector_id);
	if (corr != NULL && (m->corr = strdup(corr)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	/* A COPY row never needs more; a bigger one is a broken record. */
	buf_init(&m->row, (size_t)1 << 20);
	if (db_begin(db, e) < 0)
		goto out;
	m->phase = MIRROR_IDLE;
	if (db_exec(db, stage_sql, e) < 0) {
		db_rollback(db);
		goto out;
	}
	*out = m;
	m = NULL;
	ret = 0;
out:
	if (m != NULL) {
		free(m->corr);
		buf_release(&m->row);
		free(m);
	}
	return ret;
}

/* ------------------------------------------------------------ COPY */

static int
copy_begin(struct mirror *m, const char *table, struct err *e)
{
	char sql[128];
	PGresult *r;
	int ok;

	if (m->phase != MIRROR_IDLE)
		return err_set(e, ERR_INTERNAL, "mirror: a COPY is already running or the "
			       "transaction is over");
	snprintf(sql, sizeof(sql), "COPY %s FROM STDIN", table);
	r = PQexec(m->db, sql);
	ok = PQresultStatus(r) == PGRES_COPY_IN;
	PQclear(r);
	if (!ok)
		return err_set(e, ERR_DB, "cannot start the COPY into '%s': %s", table,
			       PQerrorMessage(m->db));
	m->phase = MIRROR_COPY;
	return 0;
}

/* Send the row built in m->row. */
static int
copy_row(struct mirror *m, struct err *e)
{
	int ret = -1;

	if (m->phase != MIRROR_COPY) {
		err_set(e, ERR_INTERNAL, "mirror: a row was put outside a COPY");
		goto out;
	}
	if (PQputCopyData(m->db, m->row.data, (int)m->row.len) != 1) {
		err_set(e, ERR_DB, "COPY to the database failed: %s", PQerrorMessage(m->db));
		goto out;
	}
	m->staged++;
	ret = 0;
out:
	buf_reset(&m->row);
	return ret;
}

static int
copy_end(struct mirror *m, const char *table, struct err *e)
{
	PGresult *r;
	int ret = -1;

	if (m->phase != MIRROR_COPY)
		return err_set(e, ERR_INTERNAL, "mirror: no COPY to end");
	m->phase = MIRROR_IDLE;
	if (PQputCopyEnd(m->db, NULL) != 1)
		return err_set(e, ERR_DB, "cannot end the COPY into '%s': %s", table,
			       PQerrorMessage(m->db));
	ret = 0;
	while ((r = PQgetResult(m->db)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && ret == 0)
			ret = err_set(e, ERR_DB, "the COPY into '%s' failed: %s", table,
				      PQresultErrorMessage(r));
		PQclear(r);
	}
	if (ret == 0) {
		/* Temporary tables are never analysed automatically: without
		 * row counts the merge plans would be guesses. */
		char sql[64];

		snprintf(sql, sizeof(sql), "ANALYZE %s", table);
		ret = db_exec(m->db, sql, e);
	}
	return ret;
}

static int
row_fail(struct mirror *m, struct err *e)
{
	buf_reset(&m->row);
	return err_set(e, ERR_NOMEM, "a mirror row is too big or memory ran out");
}

/* ------------------------------------------------------------ profiles */

int
mirror_profiles_begin(struct mirror *m, struct err *e)
{
	m->profiles_staged = 1;
	return copy_begin(m, "stage_profiles", e);
}

int
mirror_profile_put(struct mirror *m, const struct arr_quality_profile *p, struct err *e)
{
	if (mirror_row_profile(&m->row, p) < 0)
		return row_fail(m, e);
	return copy_row(m, e);
}

int
mirror_profiles_end(struct mirror *m, struct err *e)
{
	return copy_end(m, "stage_profiles", e);
}

/* ------------------------------------------------------------ series */

int
mirror_series_begin(struct mirror *m, struct err *e)
{
	m->series_staged = 1;
	return copy_begin(m, "stage_series", e);
}

int
mirror_series_put(struct mirror *m, const struct arr_series *s, struct err *e)
{
	if (mirror_row_series(&m->row, s) < 0)
		return row_fail(m, e);
	return copy_row(m, e);
}

int
mirror_series_end(struct mirror *m, int full, int **ids, size_t *n, struct err *e)
{
	PGresult *r = NULL;
	int ret = -1, i, rows;

	*ids = NULL;
	*n = 0;
	if (copy_end(m, "stage_series", e) < 0)
		goto out;
	if (mirror_query(m, full ?
			 "INSERT INTO refetch SELECT DISTINCT arr_id FROM stage_series" :
			 "INSERT INTO refetch SELECT DISTINCT st.arr_id FROM stage_series st "
			 "LEFT JOIN series s ON s.connector_id = $1 AND s.arr_id = st.arr_id "
			 "WHERE s.fingerprint IS DISTINCT FROM st.fingerprint", NULL, e) < 0)
		goto out;
	if (mirror_query(m, "SELECT arr_id FROM refetch ORDER BY arr_id", &r, e) < 0)
		goto out;
	rows = PQntuples(r);
	*ids = malloc(((size_t)rows + 1) * sizeof(int));
	if (*ids == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < rows; i++)
		(*ids)[i] = (int)db_int64(r, i, 0, 0);
	*n = (size_t)rows;
	ret = 0;
out:
	PQclear(r);
	return ret;
}

/* ------------------------------------------------------------ episodes */

int
mirror_episodes_begin(struct mirror *m, struct err *e)
{
	m->episodes_staged = 1;
	return copy_begin(m, "stage_episodes", e);
}

int
mirror_episode_put(struct mirror *m, const struct arr_episode *ep, int whisparr_v2,
		   struct err *e)
{
	if (mirror_row_episode(&m->row, ep, whisparr_v2) < 0)
		return row_fail(m, e);
	return copy_row(m, e);
}

int
mirror_copy_rows(struct mirror *m, const char *data, size_t len, long rows, struct err *e)
{
	if (m->phase != MIRROR_COPY)
		return err_set(e, ERR_INTERNAL, "mirror: rows were put outside a COPY");
	if (len > 0 && PQputCopyData(m->db, data, (int)len) != 1)
		return err_set(e, ERR_DB, "COPY to the database failed: %s", PQerrorMessage(m->db));
	m->staged += rows;
	return 0;
}

int
mirror_episodes_end(struct mirror *m, struct err *e)
{
	return copy_end(m, "stage_episodes", e);
}

/* ------------------------------------------------------------ movies */

int
mirror_movies_begin(struct mirror *m, struct err *e)
{
	m->movies_staged = 1;
	return copy_begin(m, "stage_movies", e);
}

int
mirror_movie_put(struct mirror *m, const struct arr_movie *mv, struct err *e)
{
	if (mirror_row_movie(&m->row, mv) < 0)
		return row_fail(m, e);
	return copy_row(m, e);
}

int
mirror_movies_end(struct mirror *m, struct err *e)
{
	return copy_end(m, "stage_movies", e);
}

/* ---------------------------------------------------- movie file scores */

int
mirror_movie_files_to_score(struct mirror *m, int full, int **ids, size_t *n, struct err *e)
{
	const char *p[2] = { m->cid, full ? "true" : "false" };
	PGresult *r = NULL;
	int ret = -1;

	*ids = NULL;
	*n = 0;
	if (db_query(m->db, "SELECT m.movie_file_id FROM movies m JOIN quality_profiles p "
		     "ON p.connector_id = m.connector_id AND p.arr_id = m.quality_profile_id "
		     "WHERE m.connector_id = $1 AND m.has_file AND m.movie_file_id > 0 "
		     "AND p.upgrade_allowed AND p.cutoff_format_score > 0 "
		     "AND ($2::boolean OR m.custom_format_score IS NULL) "
		     "ORDER BY m.movie_file_id", 2, p, &r, e) < 0)
		goto out;
	*ids = calloc((size_t)PQntuples(r) + 1, sizeof(**ids));
	if (*ids == NULL) {
		err_set(e, ERR_NOMEM, "out of memory listing movie files");
		goto out;
	}
	for (int i = 0; i < PQntuples(r); i++)
		(*ids)[i] = (int)db_int64(r, i, 0, 0);
	*n = (size_t)PQntuples(r);
	ret = 0;
out:
	PQclear(r);
	return ret;
}

int
mirror_movie_scores_put(struct mirror *m, const int *file_ids, const int *scores, size_t n,
			long *changed, struct err *e)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	const char *p[3];
	PGresult *r = NULL;
	int ret = -1;

	*changed = 0;
	if (n == 0)
		return 0;
	if (db_array_int(&a, file_ids, n) < 0 || db_array_int(&b, scores, n) < 0) {
		err_set(e, ERR_NOMEM, "out of memory storing movie file scores");
		goto out;
	}
	p[0] = m->cid;
	p[1] = a.data;
	p[2] = b.data;
	if (db_query(m->db, "UPDATE movies m SET custom_format_score = v.score "
		     "FROM unnest($2::integer[], $3::integer[]) AS v(file_id, score) "
		     "WHERE m.connector_id = $1 AND m.movie_file_id = v.file_id "
		     "AND m.custom_format_score IS DISTINCT FROM v.score", 3, p, &r, e) < 0)
		goto out;
	*changed = strtol(PQcmdTuples(r), NULL, 10);
	ret = 0;
out:
	PQclear(r);
	buf_release(&a);
	buf_release(&b);
	return ret;
}

/* ------------------------------------------------------------ the end */

int
mirror_commit(struct mirror *m, struct err *e)
{
	if (m->phase != MIRROR_IDLE)
		return err_set(e, ERR_INTERNAL, "mirror: commit with a COPY running");
	m->phase = MIRROR_DONE;
	return db_commit(m->db, e);
}

void
mirror_abort(struct mirror *m)
{
	PGresult *r;

	if (m == NULL || m->phase == MIRROR_DONE)
		return;
	if (m->phase == MIRROR_COPY) {
		/* An error message makes the server fail the COPY. */
		PQputCopyEnd(m->db, "sync aborted");
		while ((r = PQgetResult(m->db)) != NULL)
			PQclear(r);
	}
	m->phase = MIRROR_DONE;
	db_rollback(m->db);
}

void
mirror_free(struct mirror *m)
{
	if (m == NULL)
		return;
	mirror_abort(m);
	buf_release(&m->row);
	free(m->corr);
	free(m);
}
