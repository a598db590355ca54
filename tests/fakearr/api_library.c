/*
 * api_library.c - the library lists: series, episodes and episode files
 * (Sonarr, Whisparr v2), movies (Radarr, Whisparr v3).  Lists are
 * streamed; single items are rendered in one go.
 */
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "fakearr.h"
#include "core/banned.h"

/* "/123" -> 123; -1 when p is not exactly that. */
static long
path_id(const char *p)
{
	char *end;
	long id;

	if (*p != '/' || p[1] < '0' || p[1] > '9')
		return -1;
	id = strtol(p + 1, &end, 10);
	return *end == '\0' ? id : -1;
}

static void
not_found(struct fa_reply *rp)
{
	fa_reply_error(rp, MHD_HTTP_NOT_FOUND, "NotFound");
}

static void
list_reply(struct fa_state *st, struct fa_reply *rp, enum fa_rec kind, int *ids, size_t n,
	   unsigned flags)
{
	rp->stream = fa_stream_new(st, kind, ids, n, flags, "[", "", 1);
	if (rp->stream == NULL)
		fa_reply_error(rp, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
}

static void
one_reply(struct fa_state *st, struct fa_reply *rp, enum fa_rec kind, int id, unsigned flags)
{
	struct jw w;

	fa_reply_jw(rp, &w, MHD_HTTP_OK);
	if (fa_render(st, &w, kind, id, flags) != 0)
		not_found(rp);
}

/* Episodes (or their files) of one series. */
static void
series_items(struct fa_state *st, struct fa_reply *rp, long sid, int files, unsigned flags)
{
	struct fa_series *s = fa_series_get(st, (int)sid);
	int *ids;
	size_t n = 0;
	int i;

	ids = malloc(((s ? (size_t)s->n_eps : 0) + 1) * sizeof(int));
	if (ids == NULL) {
		fa_reply_error(rp, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
		return;
	}
	for (i = 0; s != NULL && i < s->n_eps; i++) {
		struct fa_episode *e = FA_EP(st, s->first_ep + i);

		if (e->removed)
			continue;
		if (!files)
			ids[n++] = e->id;
		else if (e->file_id != 0)
			ids[n++] = e->file_id;
	}
	list_reply(st, rp, files ? FA_REC_EPFILE : FA_REC_EPISODE, ids, n, flags);
}

/* All non-removed ids of a table (series or movies). */
static int *
all_ids(size_t total, const uint8_t *removed, size_t stride, size_t *n)
{
	int *ids = malloc((total + 1) * sizeof(int));
	size_t i;

	*n = 0;
	if (ids == NULL)
		return NULL;
	for (i = 0; i < total; i++)
		if (!removed[i * stride])
			ids[(*n)++] = (int)i + 1;
	return ids;
}

int
fa_api_tv(struct fa_state *st, struct fa_req *r, struct fa_reply *rp)
{
	const char *p = r->path;
	unsigned flags = r->fault_flags & FA_ADD_UNKNOWN;
	long id;

	if (strcmp(r->method, "GET") != 0 || strncmp(p, "/api/v3/", 8) != 0)
		return 0;
	p += 7;
	if (strcmp(p, "/series") == 0) {
		size_t n;
		int *ids = all_ids(st->series.n, st->series.n ? &FA_SERIES(st, 0)->removed : NULL,
				   sizeof(struct fa_series), &n);

		if (ids == NULL && st->series.n > 0) {
			fa_reply_error(rp, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
			return 1;
		}
		list_reply(st, rp, FA_REC_SERIES, ids, n, flags);
		return 1;
	}
	if (strncmp(p, "/series/", 8) == 0) {
		id = path_id(p + 7);
		if (id < 0)
			return 0;
		one_reply(st, rp, FA_REC_SERIES, (int)id, flags);
		return 1;
	}
	if (strcmp(p, "/episode") == 0 || strcmp(p, "/episodefile") == 0) {
		int files = p[8] == 'f';

		id = fa_req_long(r, "seriesId", -1, NULL);
		if (id < 0) {
			/* The apps refuse an unfiltered list. */
			fa_reply_json(rp, MHD_HTTP_BAD_REQUEST, json_pack("[{s:s, s:s}]",
				      "propertyName", "SeriesId", "errorMessage",
				      "seriesId is missing"));
			return 1;
		}
		if (!files && fa_req_bool(r, "includeEpisodeFile", 0))
			flags |= FA_WITH_FILE;
		if (!files && fa_req_bool(r, "includeSeries", 0))
			flags |= FA_WITH_SERIES;
		series_items(st, rp, id, files, flags);
		return 1;
	}
	if (strncmp(p, "/episode/", 9) == 0 || strncmp(p, "/episodefile/", 13) == 0) {
		int files = p[8] == 'f';

		id = path_id(p + (files ? 12 : 8));
		if (id < 0)
			return 0;
		one_reply(st, rp, files ? FA_REC_EPFILE : FA_REC_EPISODE, (int)id,
			  flags | (files ? 0 : FA_WITH_FILE));
		return 1;
	}
	return 0;
}

/* The values of the repeated query arguments movieFileIds and movieId. */
struct file_query {
	struct fa_state *st;
	int *ids;
	size_t n, cap;
	int bad, asked;
};

static enum MHD_Result
file_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct file_query *q = cls;
	int by_movie = strcmp(key, "movieId") == 0;
	char *end;
	long v;

	(void)kind;
	if (!by_movie && strcmp(key, "movieFileIds") != 0)
		return MHD_YES;
	q->asked = 1;
	v = value != NULL ? strtol(value, &end, 10) : -1;
	if (value == NULL || *value == '\0' || *end != '\0' || v < 0) {
		q->bad = 1;
		return MHD_YES;
	}
	if (by_movie) {
		struct fa_movie *m = fa_movie_get(q->st, (int)v);

		v = m != NULL ? m->file_id : 0;
	}
	if (v <= 0 || fa_file_get(q->st, (int)v) == NULL)
		return MHD_YES;
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		int *ids = realloc(q->ids, cap * sizeof(*ids));

		if (ids == NULL) {
			q->bad = 1;
			return MHD_NO;
		}
		q->ids = ids;
		q->cap = cap;
	}
	q->ids[q->n++] = (int)v;
	return MHD_YES;
}

/* GET /api/v3/moviefile?movieFileIds=N&...|movieId=N&...: the files with
 * their custom-format scores (Radarr, Whisparr v3). */
static void
movie_files(struct fa_state *st, struct fa_req *r, struct fa_reply *rp, unsigned flags)
{
	struct file_query q;

	memset(&q, 0, sizeof(q));
	q.st = st;
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, file_arg, &q);
	if (q.bad || !q.asked) {
		free(q.ids);
		/* the app answers an unfiltered or malformed request with 400 */
		fa_reply_json(rp, MHD_HTTP_BAD_REQUEST, json_pack("[{s:s, s:s}]", "propertyName",
			      "MovieFileIds", "errorMessage", "movieId or movieFileIds is required"));
		return;
	}
	list_reply(st, rp, FA_REC_MOVIEFILE, q.ids, q.n, flags);
}

int
fa_api_movie(struct fa_state *st, struct fa_req *r, struct fa_reply *rp)
{
	const char *p = r->path;
	unsigned flags = r->fault_flags & FA_ADD_UNKNOWN;
	long id;

	if (strcmp(r->method, "GET") != 0)
		return 0;
	if (strcmp(p, "/api/v3/movie") == 0) {
		size_t n;
		int *ids = all_ids(st->movies.n, st->movies.n ? &FA_MOVIE(st, 0)->removed : NULL,
				   sizeof(struct fa_movie), &n);

		if (ids == NULL && st->movies.n > 0) {
			fa_reply_error(rp, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
			return 1;
		}
		/* The list leaves customFormats/customFormatScore out of movieFile. */
		list_reply(st, rp, FA_REC_MOVIE, ids, n, flags);
		return 1;
	}
	if (strcmp(p, "/api/v3/moviefile") == 0) {
		movie_files(st, r, rp, flags);
		return 1;
	}
	if (strncmp(p, "/api/v3/movie/", 14) == 0) {
		id = path_id(p + 13);
		if (id < 0)
			return 0;
		one_reply(st, rp, FA_REC_MOVIE, (int)id, flags | FA_FULL_FILE);
		return 1;
	}
	return 0;
}
