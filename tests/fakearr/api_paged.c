/*
 * api_paged.c - the paged endpoints: /wanted/missing, /wanted/cutoff,
 * /history, /queue, plus /history/since.
 *
 * Paging is the apps': page is 1-based, pageSize defaults to 10 and has no
 * maximum, sortDirection ascending|descending|default, and an omitted
 * sortDirection means descending.  An unknown sortKey is replaced by the
 * default.  The apps have no tie-breaker; this fake breaks ties by id so
 * its answers are reproducible (clients must not rely on either).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "fakearr.h"
#include "core/clock.h"
#include "core/banned.h"

struct sort_item {
	int64_t k1, k2;
	int id;
};

static int
cmp_asc(const void *a, const void *b)
{
	const struct sort_item *x = a, *y = b;

	if (x->k1 != y->k1)
		return x->k1 < y->k1 ? -1 : 1;
	if (x->k2 != y->k2)
		return x->k2 < y->k2 ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

static int
cmp_desc(const void *a, const void *b)
{
	return cmp_asc(b, a);
}

/* A number that orders like the decimal string of n ("10" < "9"), so
 * "Series 10" sorts before "Series 9" as the apps' title sort does. */
static int64_t
title_key(int n)
{
	char d[16];
	int len = snprintf(d, sizeof(d), "%d", n), i;
	int64_t k = 0;

	for (i = 0; i < 12; i++)
		k = k * 11 + (i < len ? d[i] - '0' + 1 : 0);
	return k;
}

struct paging {
	long page, page_size;
	const char *sort_key;
	const char *direction;	/* as echoed */
	int descending;
};

static int
paging_parse(struct fa_req *r, struct paging *p, const char *const keys[],
	     struct fa_reply *rp)
{
	const char *k = fa_req_arg(r, "sortKey"), *d = fa_req_arg(r, "sortDirection");
	int bad = 0, i;

	p->page = fa_req_long(r, "page", 1, &bad);
	p->page_size = fa_req_long(r, "pageSize", 10, &bad);
	if (bad) {
		fa_reply_json(rp, MHD_HTTP_BAD_REQUEST, json_pack("[{s:s, s:s}]",
			      "propertyName", "page", "errorMessage", "page and pageSize must be numbers"));
		return -1;
	}
	if (p->page < 1)
		p->page = 1;
	if (p->page_size < 1)
		p->page_size = 10;
	p->sort_key = keys[0];
	for (i = 0; k != NULL && keys[i] != NULL; i++)
		if (strcasecmp(k, keys[i]) == 0)
			p->sort_key = keys[i];
	if (d != NULL && strcasecmp(d, "ascending") == 0) {
		p->direction = "ascending";
		p->descending = 0;
	} else if (d != NULL && strcasecmp(d, "default") == 0) {
		p->direction = "default";
		p->descending = 1;
	} else {
		p->direction = "descending";
		p->descending = 1;
	}
	return 0;
}

/* Sort items, cut the page, and stream {page,...,records}. */
static void
page_reply(struct fa_state *st, struct fa_reply *rp, struct paging *p, struct sort_item *items,
	   size_t n, enum fa_rec kind, unsigned flags)
{
	char prefix[512];
	size_t start, count, i;
	int *ids;

	qsort(items, n, sizeof(*items), p->descending ? cmp_desc : cmp_asc);
	start = (size_t)(p->page - 1) * (size_t)p->page_size;
	if ((p->page - 1) > 0 && (size_t)(p->page - 1) > n / (size_t)p->page_size + 1)
		start = n;	/* far past the end (and no overflow) */
	if (start > n)
		start = n;
	count = n - start < (size_t)p->page_size ? n - start : (size_t)p->page_size;
	ids = malloc((count + 1) * sizeof(int));
	if (ids == NULL) {
		free(items);
		fa_reply_error(rp, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
		return;
	}
	for (i = 0; i < count; i++)
		ids[i] = items[start + i].id;
	free(items);
	snprintf(prefix, sizeof(prefix),
		 "{\n  \"page\": %ld,\n  \"pageSize\": %ld,\n  \"sortKey\": \"%s\",\n"
		 "  \"sortDirection\": \"%s\",\n  \"totalRecords\": %zu,\n  \"records\": [",
		 p->page, p->page_size, p->sort_key, p->direction, n);
	rp->stream = fa_stream_new(st, kind, ids, count, flags, prefix, "\n}", 2);
	if (rp->stream == NULL)
		fa_reply_error(rp, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
}

static int
radarr_has_wanted(struct fa_state *st)
{
	long v[4] = { 0, 0, 0, 0 };
	const char *s = st->o.version;
	int i;

	for (i = 0; i < 4 && *s; i++) {
		char *end;

		v[i] = strtol(s, &end, 10);
		s = *end == '.' ? end + 1 : end;
	}
	/* Radarr's wanted endpoints arrived in 5.6.0.8846. */
	if (v[0] != 5)
		return v[0] > 5;
	if (v[1] != 6)
		return v[1] > 6;
	if (v[2] != 0)
		return v[2] > 0;
	return v[3] >= 8846;
}

static void
wanted_tv(struct fa_state *st, struct fa_req *r, struct fa_reply *rp, int cutoff)
{
	static const char *const keys[] = { "episodes.airDateUtc", "airDateUtc",
		"episodes.lastSearchTime", "series.sortTitle", NULL };
	struct paging p;
	struct sort_item *items;
	size_t i, n = 0;
	int monitored = fa_req_bool(r, "monitored", 1);
	unsigned flags = r->fault_flags & FA_ADD_UNKNOWN;

	if (paging_parse(r, &p, keys, rp) < 0)
		return;
	if (fa_req_bool(r, "includeSeries", 0))
		flags |= FA_WITH_SERIES;
	if (fa_req_bool(r, "includeEpisodeFile", 0))
		flags |= FA_WITH_FILE;
	items = malloc((st->episodes.n + 1) * sizeof(*items));
	if (items == NULL) {
		fa_reply_error(rp, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
		return;
	}
	for (i = 0; i < st->episodes.n; i++) {
		struct fa_episode *e = FA_EP(st, i);
		struct sort_item *it;

		if (!(cutoff ? fa_ep_is_cutoff(st, e, monitored) : fa_ep_is_missing(st, e, monitored)))
			continue;
		it = &items[n++];
		it->id = e->id;
		it->k2 = e->air_us;
		if (strcmp(p.sort_key, "episodes.lastSearchTime") == 0)
			it->k1 = e->last_search_us;
		else if (strcmp(p.sort_key, "series.sortTitle") == 0)
			it->k1 = title_key(e->series_id);
		else
			it->k1 = e->air_us;
	}
	page_reply(st, rp, &p, items, n, FA_REC_EPISODE, flags);
}

static void
wanted_movie(struct fa_state *st, struct fa_req *r, struct fa_reply *rp, int cutoff)
{
	static const char *const keys[] = { "movieMetadata.sortTitle", "movieMetadata.year",
		"movieMetadata.inCinemas", "movieMetadata.digitalRelease",
		"movieMetadata.physicalRelease", "movies.lastSearchTime", NULL };
	struct paging p;
	struct sort_item *items;
	size_t i, n = 0;
	int monitored = fa_req_bool(r, "monitored", 1);

	if (paging_parse(r, &p, keys, rp) < 0)
		return;
	items = malloc((st->movies.n + 1) * sizeof(*items));
	if (items == NULL) {
		fa_reply_error(rp, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
		return;
	}
	for (i = 0; i < st->movies.n; i++) {
		struct fa_movie *m = FA_MOVIE(st, i);
		struct sort_item *it;

		if (!(cutoff ? fa_movie_is_cutoff(st, m, monitored) : fa_movie_is_missing(st, m, monitored)))
			continue;
		it = &items[n++];
		it->id = m->id;
		it->k2 = 0;
		if (strcmp(p.sort_key, "movieMetadata.year") == 0)
			it->k1 = m->year;
		else if (strcmp(p.sort_key, "movies.lastSearchTime") == 0)
			it->k1 = m->last_search_us;
		else if (strncmp(p.sort_key, "movieMetadata.sortTitle", 23) == 0)
			it->k1 = title_key(m->id);
		else
			it->k1 = m->release_us;
	}
	page_reply(st, rp, &p, items, n, FA_REC_MOVIE,
		   FA_FULL_FILE | (r->fault_flags & FA_ADD_UNKNOWN));
}

/* eventType as a number (1 grabbed) or a name ("grabbed"); 0 = any. */
static int
event_arg(struct fa_req *r)
{
	const char *v = fa_req_arg(r, "eventType");
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return 0;
	n = strtol(v, &end, 10);
	if (*end == '\0')
		return (int)n;
	if (strcasecmp(v, "grabbed") == 0)
		return FA_EV_GRABBED;
	if (strcasecmp(v, "downloadFolderImported") == 0)
		return FA_EV_IMPORTED;
	if (strcasecmp(v, "downloadFailed") == 0)
		return FA_EV_FAILED;
	return -1;
}

static unsigned
include_flags(struct fa_req *r)
{
	unsigned f = r->fault_flags & FA_ADD_UNKNOWN;

	if (fa_req_bool(r, "includeSeries", 0))
		f |= FA_WITH_SERIES;
	if (fa_req_bool(r, "includeEpisode", 0))
		f |= FA_WITH_EPISODE;
	if (fa_req_bool(r, "includeMovie", 0))
		f |= FA_WITH_MOVIE;
	return f;
}

static void
history(struct fa_state *st, struct fa_req *r, struct fa_reply *rp)
{
	static const char *const keys[] = { "date", NULL };
	struct paging p;
	struct sort_item *items;
	size_t i, n = 0;
	int ev = event_arg(r);
	long item = fa_req_long(r, fa_app_is_movie(st) ? "movieIds" : "episodeId", 0, NULL);

	if (item == 0 && fa_app_is_movie(st))
		item = fa_req_long(r, "movieId", 0, NULL);
	if (paging_parse(r, &p, keys, rp) < 0)
		return;
	items = malloc((st->hist.n + 1) * sizeof(*items));
	if (items == NULL) {
		fa_reply_error(rp, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
		return;
	}
	for (i = 0; i < st->hist.n; i++) {
		struct fa_hist *h = FA_HIST(st, i);

		if ((ev != 0 && h->event != ev) || (item > 0 && h->item_id != item))
			continue;
		items[n].id = h->id;
		items[n].k1 = h->date_us;
		items[n++].k2 = 0;
	}
	page_reply(st, rp, &p, items, n, FA_REC_HISTORY, include_flags(r));
}

static void
history_since(struct fa_state *st, struct fa_req *r, struct fa_reply *rp)
{
	const char *d = fa_req_arg(r, "date");
	int64_t since;
	int ev = event_arg(r);
	int *ids;
	size_t i, n = 0;

	if (d == NULL || clock_parse_iso8601(d, &since) < 0) {
		fa_reply_json(rp, MHD_HTTP_BAD_REQUEST, json_pack("[{s:s, s:s}]",
			      "propertyName", "date", "errorMessage", "date must be an ISO 8601 time"));
		return;
	}
	ids = malloc((st->hist.n + 1) * sizeof(int));
	if (ids == NULL) {
		fa_reply_error(rp, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
		return;
	}
	for (i = 0; i < st->hist.n; i++) {
		struct fa_hist *h = FA_HIST(st, i);

		if (h->date_us >= since && (ev == 0 || h->event == ev))
			ids[n++] = h->id;
	}
	rp->stream = fa_stream_new(st, FA_REC_HISTORY, ids, n, include_flags(r), "[", "", 1);
}

static void
queue(struct fa_state *st, struct fa_req *r, struct fa_reply *rp)
{
	static const char *const keys[] = { "timeleft", "added", NULL };
	struct paging p;
	struct sort_item *items;
	size_t i, n = 0;

	if (paging_parse(r, &p, keys, rp) < 0)
		return;
	items = malloc((st->queue.n + 1) * sizeof(*items));
	if (items == NULL) {
		fa_reply_error(rp, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
		return;
	}
	for (i = 0; i < st->queue.n; i++) {
		struct fa_queue *q = FA_QUEUE(st, i);

		if (!q->active)
			continue;
		items[n].id = q->id;
		items[n].k1 = strcmp(p.sort_key, "added") == 0 ? q->added_us : q->import_at_us;
		items[n++].k2 = 0;
	}
	page_reply(st, rp, &p, items, n, FA_REC_QUEUE, include_flags(r));
}

int
fa_api_paged(struct fa_state *st, struct fa_req *r, struct fa_reply *rp)
{
	const char *p = r->path;
	int cutoff;

	if (st->o.app == FA_PROWLARR || strcmp(r->method, "GET") != 0)
		return 0;
	if (strcmp(p, "/api/v3/history") == 0) {
		history(st, r, rp);
		return 1;
	}
	if (strcmp(p, "/api/v3/history/since") == 0) {
		history_since(st, r, rp);
		return 1;
	}
	if (strcmp(p, "/api/v3/queue") == 0) {
		queue(st, r, rp);
		return 1;
	}
	if (strcmp(p, "/api/v3/wanted/missing") == 0)
		cutoff = 0;
	else if (strcmp(p, "/api/v3/wanted/cutoff") == 0)
		cutoff = 1;
	else
		return 0;
	/* Whisparr v3 has no wanted endpoints; Radarr only from 5.6. */
	if (st->o.app == FA_WHISPARR3 || (st->o.app == FA_RADARR && !radarr_has_wanted(st)))
		return 0;
	if (fa_app_is_tv(st))
		wanted_tv(st, r, rp, cutoff);
	else
		wanted_movie(st, r, rp, cutoff);
	return 1;
}
