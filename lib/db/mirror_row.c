/*
 * mirror_row.c - one *arr record -> one line of COPY text for a staging
 * table, and the series fingerprint.  Pure: no database, so the fetch
 * threads of comradarr-sync format rows in parallel (mirror.h).
 *
 * A full sync formats a few million columns: integers and times are
 * written by hand rather than through printf, which took a tenth of the
 * client's time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "db/mirror_int.h"
#include "core/banned.h"

/* A row being built: columns are tab-separated. */
struct row {
	struct buf *b;
	int cols;
};

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

static int
col_sep(struct row *r)
{
	return r->cols++ > 0 ? buf_putc(r->b, '\t') : 0;
}

static int
col_str(struct row *r, const char *v)
{
	return col_sep(r) < 0 ? -1 : mirror_copy_text(r->b, v);
}

/* "" is stored as NULL: the model uses "" for absent. */
static int
col_opt(struct row *r, const char *v)
{
	return col_str(r, v != NULL && *v != '\0' ? v : NULL);
}

static int
col_null(struct row *r)
{
	return col_str(r, NULL);
}

static int
col_int(struct row *r, long long v)
{
	char t[24];
	size_t i = sizeof(t);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		t[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		t[--i] = '-';
	return col_sep(r) < 0 ? -1 : buf_append(r->b, t + i, sizeof(t) - i);
}

/* 0 means absent for ids and counts the model leaves at 0. */
static int
col_int0(struct row *r, long long v)
{
	return v == 0 ? col_null(r) : col_int(r, v);
}

static int
col_bool(struct row *r, int v)
{
	return col_sep(r) < 0 ? -1 : buf_putc(r->b, v ? 't' : 'f');
}

static void
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

/* Days since 1970-01-01 -> civil date (the proleptic Gregorian calendar). */
static void
civil(long long days, long long *y, int *m, int *d)
{
	long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* "YYYY-MM-DD hh:mm:ss.uuuuuu+00", what timestamptz reads back exactly. */
static int
col_time(struct row *r, int64_t us)
{
	char t[32];
	long long secs, days, y;
	long frac, sod;
	int m, d, i;

	if (us == ARR_NO_TIME)
		return col_null(r);
	secs = us / 1000000;
	frac = (long)(us % 1000000);
	if (frac < 0) {
		frac += 1000000;
		secs--;
	}
	days = secs / 86400;
	sod = (long)(secs % 86400);
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	civil(days, &y, &m, &d);
	if (y < 1 || y > 9999)
		return col_null(r);
	t[0] = (char)('0' + y / 1000);
	t[1] = (char)('0' + y / 100 % 10);
	put2(t + 2, (int)(y % 100));
	t[4] = '-';
	put2(t + 5, m);
	t[7] = '-';
	put2(t + 8, d);
	t[10] = ' ';
	put2(t + 11, (int)(sod / 3600));
	t[13] = ':';
	put2(t + 14, (int)(sod / 60 % 60));
	t[16] = ':';
	put2(t + 17, (int)(sod % 60));
	t[19] = '.';
	for (i = 25; i >= 20; i--) {
		t[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	memcpy(t + 26, "+00", 3);
	return col_sep(r) < 0 ? -1 : buf_append(r->b, t, 29);
}

static int
row_end(struct row *r)
{
	return buf_putc(r->b, '\n');
}

/* ------------------------------------------------------------ profiles */

int
mirror_row_profile(struct buf *b, const struct arr_quality_profile *p)
{
	struct row r = { b, 0 };
	size_t i;
	int first = 1;

	if (col_int(&r, p->id) < 0 || col_str(&r, p->name) < 0 ||
	    col_bool(&r, p->upgrade_allowed) < 0 || col_int(&r, p->cutoff) < 0 ||
	    col_int(&r, p->cutoff_format_score) < 0 || col_int(&r, p->min_format_score) < 0 ||
	    col_sep(&r) < 0 || buf_putc(b, '{') < 0)
		return -1;
	/* Allowed qualities in the profile's order, worst first. */
	for (i = 0; i < p->nitems; i++) {
		if (p->items[i].quality_id == 0 || !p->items[i].allowed)
			continue;
		if (buf_appendf(b, "%s%d", first ? "" : ",", p->items[i].quality_id) < 0)
			return -1;
		first = 0;
	}
	return buf_putc(b, '}') < 0 ? -1 : row_end(&r);
}

/* ------------------------------------------------------------ series */

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
mirror_row_series(struct buf *b, const struct arr_series *s)
{
	struct row r = { b, 0 };
	char fp[33];
	char *seasons = seasons_json(s);
	int ret = -1;

	if (seasons == NULL)
		goto out;
	mirror_series_fingerprint(s, fp);
	if (col_int(&r, s->id) < 0 || col_str(&r, s->title) < 0 || col_opt(&r, s->sort_title) < 0 ||
	    col_opt(&r, s->status) < 0 || col_opt(&r, s->series_type) < 0 ||
	    col_int0(&r, s->tvdb_id) < 0 || col_int0(&r, s->tmdb_id) < 0 ||
	    col_opt(&r, s->imdb_id) < 0 || col_int0(&r, s->year) < 0 ||
	    col_bool(&r, s->monitored) < 0 || col_int0(&r, s->quality_profile_id) < 0 ||
	    col_time(&r, s->added) < 0 || col_str(&r, fp) < 0 || col_str(&r, seasons) < 0 ||
	    row_end(&r) < 0)
		goto out;
	ret = 0;
out:
	free(seasons);
	return ret;
}

/* ------------------------------------------------------------ episodes */

/* The quality columns of a file: an episode's or a movie's. */
static int
quality_cols(struct row *r, const struct arr_episode_file *f)
{
	const struct arr_quality *q = &f->quality;
	int i;

	if (!f->has_quality) {
		for (i = 0; i < 7; i++)
			if (col_null(r) < 0)
				return -1;
		return 0;
	}
	return (col_int(r, q->id) < 0 || col_str(r, q->name) < 0 || col_opt(r, q->source) < 0 ||
		col_int0(r, q->resolution) < 0 || col_int(r, q->revision_version) < 0 ||
		col_int(r, q->revision_real) < 0 || col_bool(r, q->revision_is_repack) < 0) ? -1 : 0;
}

int
mirror_row_episode(struct buf *b, const struct arr_episode *ep, int whisparr_v2)
{
	struct row r = { b, 0 };
	int64_t when = ep->air_date_utc;
	const struct arr_episode_file *f = &ep->episode_file;
	int i;

	if (whisparr_v2 && when == ARR_NO_TIME)
		when = ep->release_date;
	if (col_int(&r, ep->series_id) < 0 || col_int(&r, ep->id) < 0 ||
	    col_int(&r, ep->season_number) < 0 ||
	    (ep->has_episode_number ? col_int(&r, ep->episode_number) : col_null(&r)) < 0 ||
	    col_int0(&r, ep->absolute_episode_number) < 0 || col_opt(&r, ep->title) < 0 ||
	    col_time(&r, when) < 0 || col_int0(&r, ep->runtime) < 0 ||
	    col_bool(&r, ep->monitored) < 0 || col_bool(&r, ep->has_file) < 0 ||
	    col_int0(&r, ep->has_file ? ep->episode_file_id : 0) < 0 ||
	    col_time(&r, ep->last_search_time) < 0)
		return -1;
	if (ep->has_episode_file && f->id != 0) {
		if (col_int(&r, f->id) < 0 || col_int(&r, f->season_number) < 0 ||
		    quality_cols(&r, f) < 0 ||
		    (f->has_custom_format_score ? col_int(&r, f->custom_format_score)
						: col_null(&r)) < 0 ||
		    col_bool(&r, f->quality_cutoff_not_met) < 0 || col_int(&r, f->size) < 0 ||
		    col_time(&r, f->date_added) < 0)
			return -1;
	} else {
		for (i = 0; i < 13; i++)
			if (col_null(&r) < 0)
				return -1;
	}
	return row_end(&r);
}

/* ------------------------------------------------------------ movies */

int
mirror_row_movie(struct buf *b, const struct arr_movie *mv)
{
	struct row r = { b, 0 };
	const struct arr_episode_file *f = &mv->movie_file;
	int i;

	if (col_int(&r, mv->id) < 0 || col_str(&r, mv->title) < 0 ||
	    col_opt(&r, mv->sort_title) < 0 || col_int0(&r, mv->year) < 0 ||
	    col_int0(&r, mv->tmdb_id) < 0 || col_opt(&r, mv->imdb_id) < 0 ||
	    col_opt(&r, mv->status) < 0 || col_opt(&r, mv->item_type) < 0 ||
	    col_opt(&r, mv->minimum_availability) < 0 || col_bool(&r, mv->is_available) < 0 ||
	    col_bool(&r, mv->monitored) < 0 || col_int0(&r, mv->quality_profile_id) < 0 ||
	    col_time(&r, mv->in_cinemas) < 0 || col_time(&r, mv->digital_release) < 0 ||
	    col_time(&r, mv->physical_release) < 0 || col_time(&r, mv->release_date) < 0 ||
	    col_time(&r, mv->added) < 0 || col_bool(&r, mv->has_file) < 0 ||
	    col_int0(&r, mv->has_file ? mv->movie_file_id : 0) < 0)
		return -1;
	if (mv->has_file && mv->has_movie_file) {
		if (quality_cols(&r, f) < 0 ||
		    (f->has_custom_format_score ? col_int(&r, f->custom_format_score)
						: col_null(&r)) < 0 ||
		    col_bool(&r, f->quality_cutoff_not_met) < 0)
			return -1;
	} else {
		/* quality (7), custom format score, cutoff flag */
		for (i = 0; i < 9; i++)
			if ((i == 8 ? col_bool(&r, 0) : col_null(&r)) < 0)
				return -1;
	}
	if (col_time(&r, mv->last_search_time) < 0)
		return -1;
	return row_end(&r);
}
