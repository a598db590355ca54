/*
 * mirror.c - the staging half of the mirror writer: the transaction, the
 * temporary staging tables, and rows streamed into them with COPY.
 * The merge statements are in mirror_merge.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

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

/* ------------------------------------------------------------ COPY rows */

int
mirror_copy_text(struct buf *b, const char *v)
{
	const char *p, *run;

	if (v == NULL)
		return buf_append(b, "\\N", 2);
	for (p = run = v; *p != '\0'; p++) {
		const char *esc = NULL;

		switch (*p) {
		case '\\': esc = "\\\\"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		default: continue;
		}
		if (buf_append(b, run, (size_t)(p - run)) < 0 || buf_append(b, esc, 2) < 0)
			return -1;
		run = p + 1;
	}
	return buf_append(b, run, (size_t)(p - run));
}

/* Column writers: each appends a separator first unless it is the first. */
static int
col_sep(struct buf *b)
{
	return b->len > 0 ? buf_putc(b, '\t') : 0;
}

static int
col_str(struct buf *b, const char *v)
{
	return col_sep(b) < 0 ? -1 : mirror_copy_text(b, v);
}

/* "" is stored as NULL: the model uses "" for absent. */
static int
col_opt(struct buf *b, const char *v)
{
	return col_str(b, v != NULL && *v != '\0' ? v : NULL);
}

static int
col_int(struct buf *b, long long v)
{
	return col_sep(b) < 0 ? -1 : buf_appendf(b, "%lld", v);
}

/* 0 means absent for ids and counts the model leaves at 0. */
static int
col_int0(struct buf *b, long long v)
{
	if (v == 0)
		return col_str(b, NULL);
	return col_int(b, v);
}

static int
col_bool(struct buf *b, int v)
{
	return col_str(b, v ? "t" : "f");
}

static int
col_time(struct buf *b, int64_t us)
{
	struct tm tm;
	time_t secs;
	long frac;

	if (us == ARR_NO_TIME)
		return col_str(b, NULL);
	secs = (time_t)(us / 1000000);
	frac = (long)(us % 1000000);
	if (frac < 0) {
		frac += 1000000;
		secs--;
	}
	if (gmtime_r(&secs, &tm) == NULL)
		return col_str(b, NULL);
	if (col_sep(b) < 0)
		return -1;
	return buf_appendf(b, "%04d-%02d-%02d %02d:%02d:%02d.%06ld+00", tm.tm_year + 1900,
			   tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

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

/* Send the row built in m->row (the newline is added here). */
static int
copy_row(struct mirror *m, struct err *e)
{
	int ret = -1;

	if (m->phase != MIRROR_COPY) {
		err_set(e, ERR_INTERNAL, "mirror: a row was put outside a COPY");
		goto out;
	}
	if (buf_putc(&m->row, '\n') < 0) {
		err_set(e, ERR_NOMEM, "a mirror row is too big or memory ran out");
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
	struct buf *b = &m->row;
	size_t i;
	int first = 1;

	if (col_int(b, p->id) < 0 || col_str(b, p->name) < 0 || col_bool(b, p->upgrade_allowed) < 0 ||
	    col_int(b, p->cutoff) < 0 || col_int(b, p->cutoff_format_score) < 0 ||
	    col_int(b, p->min_format_score) < 0 || col_sep(b) < 0 || buf_putc(b, '{') < 0)
		return row_fail(m, e);
	/* Allowed qualities in the profile's order, worst first. */
	for (i = 0; i < p->nitems; i++) {
		if (p->items[i].quality_id == 0 || !p->items[i].allowed)
			continue;
		if (buf_appendf(b, "%s%d", first ? "" : ",", p->items[i].quality_id) < 0)
			return row_fail(m, e);
		first = 0;
	}
	if (buf_putc(b, '}') < 0)
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

static void
fp_add(crypto_generichash_state *h, const void *p, size_t n)
{
	crypto_generichash_update(h, p, n);
}

static void
fp_str(crypto_generichash_state *h, const char *s)
{
	fp_add(h, s, strlen(s) + 1);
}

static void
fp_i64(crypto_generichash_state *h, int64_t v)
{
	fp_add(h, &v, sizeof(v));
}

void
mirror_series_fingerprint(const struct arr_series *s, char out[33])
{
	crypto_generichash_state h;
	unsigned char d[16];
	size_t i;

	crypto_generichash_init(&h, NULL, 0, sizeof(d));
	fp_str(&h, s->title);
	fp_str(&h, s->sort_title);
	fp_str(&h, s->status);
	fp_str(&h, s->series_type);
	fp_str(&h, s->imdb_id);
	fp_i64(&h, s->tvdb_id);
	fp_i64(&h, s->tmdb_id);
	fp_i64(&h, s->year);
	fp_i64(&h, s->quality_profile_id);
	fp_i64(&h, s->monitored);
	fp_i64(&h, s->added);
	fp_i64(&h, s->next_airing);
	fp_i64(&h, s->previous_airing);
	fp_i64(&h, s->episode_count);
	fp_i64(&h, s->episode_file_count);
	fp_i64(&h, s->total_episode_count);
	fp_i64(&h, s->size_on_disk);
	fp_i64(&h, (int64_t)s->nseasons);
	for (i = 0; i < s->nseasons; i++) {
		const struct arr_season *x = &s->seasons[i];

		fp_i64(&h, x->season_number);
		fp_i64(&h, x->monitored);
		fp_i64(&h, x->total_episode_count);
		fp_i64(&h, x->episode_count);
		fp_i64(&h, x->episode_file_count);
		fp_i64(&h, x->size_on_disk);
		fp_i64(&h, x->next_airing);
		fp_i64(&h, x->previous_airing);
	}
	crypto_generichash_final(&h, d, sizeof(d));
	sodium_bin2hex(out, 33, d, sizeof(d));
}

static int
time_json(json_t *o, const char *key, int64_t us)
{
	char t[40];
	struct tm tm;
	time_t secs = (time_t)(us / 1000000);

	if (us == ARR_NO_TIME)
		return 0;
	if (gmtime_r(&secs, &tm) == NULL)
		return 0;
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_object_set_new(o, key, json_string(t));
}

/* The seasons as compact JSON for the row's jsonb column. */
static char *
seasons_json(const struct arr_series *s)
{
	json_t *a = json_array();
	char *text = NULL;
	size_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < s->nseasons; i++) {
		const struct arr_season *x = &s->seasons[i];
		json_t *o = json_pack("{s:i, s:b, s:i, s:i, s:i, s:I, s:f}", "n", x->season_number,
				      "m", x->monitored, "tot", x->total_episode_count,
				      "cnt", x->episode_count, "fc", x->episode_file_count,
				      "sz", (json_int_t)x->size_on_disk, "pct", x->percent_of_episodes);

		if (o == NULL || time_json(o, "na", x->next_airing) < 0 ||
		    time_json(o, "pa", x->previous_airing) < 0 || json_array_append_new(a, o) < 0)
			goto out;
	}
	text = json_dumps(a, JSON_COMPACT);
out:
	json_decref(a);
	return text;
}

int
mirror_series_put(struct mirror *m, const struct arr_series *s, struct err *e)
{
	struct buf *b = &m->row;
	char fp[33];
	char *seasons = seasons_json(s);
	int ret = -1;

	if (seasons == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	mirror_series_fingerprint(s, fp);
	if (col_int(b, s->id) < 0 || col_str(b, s->title) < 0 || col_opt(b, s->sort_title) < 0 ||
	    col_opt(b, s->status) < 0 || col_opt(b, s->series_type) < 0 ||
	    col_int0(b, s->tvdb_id) < 0 || col_int0(b, s->tmdb_id) < 0 ||
	    col_opt(b, s->imdb_id) < 0 || col_int0(b, s->year) < 0 || col_bool(b, s->monitored) < 0 ||
	    col_int0(b, s->quality_profile_id) < 0 || col_time(b, s->added) < 0 ||
	    col_str(b, fp) < 0 || col_str(b, seasons) < 0) {
		row_fail(m, e);
		goto out;
	}
	ret = copy_row(m, e);
out:
	free(seasons);
	return ret;
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

/* The file columns of a row: an episode's file or a movie's. */
static int
file_cols(struct buf *b, const struct arr_episode_file *f, int with_id_season)
{
	const struct arr_quality *q = &f->quality;

	if (with_id_season && (col_int(b, f->id) < 0 || col_int(b, f->season_number) < 0))
		return -1;
	if (!f->has_quality)
		return (col_str(b, NULL) < 0 || col_str(b, NULL) < 0 || col_str(b, NULL) < 0 ||
			col_str(b, NULL) < 0 || col_str(b, NULL) < 0 || col_str(b, NULL) < 0 ||
			col_str(b, NULL) < 0) ? -1 : 0;
	return (col_int(b, q->id) < 0 || col_str(b, q->name) < 0 || col_opt(b, q->source) < 0 ||
		col_int0(b, q->resolution) < 0 || col_int(b, q->revision_version) < 0 ||
		col_int(b, q->revision_real) < 0 || col_bool(b, q->revision_is_repack) < 0) ? -1 : 0;
}

int
mirror_episode_put(struct mirror *m, const struct arr_episode *ep, int whisparr_v2,
		   struct err *e)
{
	struct buf *b = &m->row;
	int64_t when = ep->air_date_utc;
	const struct arr_episode_file *f = &ep->episode_file;
	int file = ep->has_episode_file && f->id != 0;

	if (whisparr_v2 && when == ARR_NO_TIME)
		when = ep->release_date;
	if (col_int(b, ep->series_id) < 0 || col_int(b, ep->id) < 0 ||
	    col_int(b, ep->season_number) < 0 ||
	    (ep->has_episode_number ? col_int(b, ep->episode_number) : col_str(b, NULL)) < 0 ||
	    col_int0(b, ep->absolute_episode_number) < 0 || col_opt(b, ep->title) < 0 ||
	    col_time(b, when) < 0 || col_int0(b, ep->runtime) < 0 || col_bool(b, ep->monitored) < 0 ||
	    col_bool(b, ep->has_file) < 0 || col_int0(b, ep->has_file ? ep->episode_file_id : 0) < 0 ||
	    col_time(b, ep->last_search_time) < 0)
		return row_fail(m, e);
	if (file) {
		if (file_cols(b, f, 1) < 0 ||
		    (f->has_custom_format_score ? col_int(b, f->custom_format_score)
						: col_str(b, NULL)) < 0 ||
		    col_bool(b, f->quality_cutoff_not_met) < 0 || col_int(b, f->size) < 0 ||
		    col_time(b, f->date_added) < 0)
			return row_fail(m, e);
	} else {
		int i;

		for (i = 0; i < 13; i++)
			if (col_str(b, NULL) < 0)
				return row_fail(m, e);
	}
	return copy_row(m, e);
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
	struct buf *b = &m->row;
	const struct arr_episode_file *f = &mv->movie_file;
	int file = mv->has_file && mv->has_movie_file;

	if (col_int(b, mv->id) < 0 || col_str(b, mv->title) < 0 || col_opt(b, mv->sort_title) < 0 ||
	    col_int0(b, mv->year) < 0 || col_int0(b, mv->tmdb_id) < 0 || col_opt(b, mv->imdb_id) < 0 ||
	    col_opt(b, mv->status) < 0 || col_opt(b, mv->item_type) < 0 ||
	    col_opt(b, mv->minimum_availability) < 0 || col_bool(b, mv->is_available) < 0 ||
	    col_bool(b, mv->monitored) < 0 || col_int0(b, mv->quality_profile_id) < 0 ||
	    col_time(b, mv->in_cinemas) < 0 || col_time(b, mv->digital_release) < 0 ||
	    col_time(b, mv->physical_release) < 0 || col_time(b, mv->release_date) < 0 ||
	    col_time(b, mv->added) < 0 || col_bool(b, mv->has_file) < 0 ||
	    col_int0(b, mv->has_file ? mv->movie_file_id : 0) < 0)
		return row_fail(m, e);
	if (file) {
		if (file_cols(b, f, 0) < 0 ||
		    (f->has_custom_format_score ? col_int(b, f->custom_format_score)
						: col_str(b, NULL)) < 0 ||
		    col_bool(b, f->quality_cutoff_not_met) < 0)
			return row_fail(m, e);
	} else {
		int i;

		/* quality (7), custom format score, cutoff flag */
		for (i = 0; i < 9; i++)
			if (col_str(b, i == 8 ? "f" : NULL) < 0)
				return row_fail(m, e);
	}
	if (col_time(b, mv->last_search_time) < 0)
		return row_fail(m, e);
	return copy_row(m, e);
}

int
mirror_movies_end(struct mirror *m, struct err *e)
{
	return copy_end(m, "stage_movies", e);
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
