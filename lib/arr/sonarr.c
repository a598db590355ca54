#include <stdio.h>

#include "arr/page.h"
#include "arr/parse.h"
#include "arr/sonarr.h"
#include "core/log.h"
#include "core/banned.h"

struct each {
	struct arr_client *c;
	void (*fn)(void);
	void *arg;
	unsigned long skipped;
};

static int
series_el(json_t *j, void *arg, struct err *e)
{
	struct each *a = arg;
	struct arr_series s;
	int rc = arr_series_parse(j, &s, e);

	if (rc == ARR_PARSED)
		rc = ((arr_series_fn)a->fn)(&s, a->arg, e);
	else
		a->skipped += rc == ARR_SKIPPED;
	arr_series_release(&s);
	return rc < 0 ? -1 : 0;
}

static int
episode_el(json_t *j, void *arg, struct err *e)
{
	struct each *a = arg;
	struct arr_episode ep;
	int rc = arr_episode_parse(j, arr_client_dialect(a->c), &ep, e);

	if (rc != ARR_PARSED) {
		a->skipped += rc == ARR_SKIPPED;
		return rc < 0 ? -1 : 0;
	}
	return ((arr_episode_fn)a->fn)(&ep, a->arg, e);
}

static int
file_el(json_t *j, void *arg, struct err *e)
{
	struct each *a = arg;
	struct arr_episode_file f;
	int rc = arr_episode_file_parse(j, &f, e);

	if (rc != ARR_PARSED) {
		a->skipped += rc == ARR_SKIPPED;
		return rc < 0 ? -1 : 0;
	}
	return ((arr_episode_file_fn)a->fn)(&f, a->arg, e);
}

static int
done(const char *what, const struct each *a, int rc)
{
	if (a->skipped > 0)
		log_warn("arr", "%s: %lu malformed records skipped", what, a->skipped);
	return rc;
}

int
arr_series_each(struct arr_client *c, arr_series_fn fn, void *arg, struct err *e)
{
	struct each a = { c, (void (*)(void))fn, arg, 0 };
	char path[64];

	snprintf(path, sizeof(path), "%s/series", arr_client_api(c));
	return done(path, &a, arr_client_get_each(c, path, series_el, &a, e));
}

int
arr_episode_each(struct arr_client *c, int series_id, int include_file,
		 arr_episode_fn fn, void *arg, struct err *e)
{
	struct each a = { c, (void (*)(void))fn, arg, 0 };
	char path[128];

	snprintf(path, sizeof(path), "%s/episode?seriesId=%d%s", arr_client_api(c),
		 series_id, include_file ? "&includeEpisodeFile=true" : "");
	return done(path, &a, arr_client_get_each(c, path, episode_el, &a, e));
}

int
arr_episode_file_each(struct arr_client *c, int series_id,
		      arr_episode_file_fn fn, void *arg, struct err *e)
{
	struct each a = { c, (void (*)(void))fn, arg, 0 };
	char path[128];

	snprintf(path, sizeof(path), "%s/episodefile?seriesId=%d",
		 arr_client_api(c), series_id);
	return done(path, &a, arr_client_get_each(c, path, file_el, &a, e));
}

int
arr_wanted_episode_each(struct arr_client *c, enum arr_wanted which,
			int monitored, arr_episode_fn fn, void *arg,
			struct err *e)
{
	struct each a = { c, (void (*)(void))fn, arg, 0 };
	char path[64];
	struct arr_page_query q = {
		path, monitored ? "monitored=true" : "monitored=false",
		/* Whisparr v2 scenes have releaseDate, not airDateUtc */
		arr_client_dialect(c) == ARR_DIALECT_WHISPARR_V2 ?
			"episodes.releaseDate" : "episodes.airDateUtc",
		"ascending", ARR_PAGE_SIZE
	};

	snprintf(path, sizeof(path), "%s/wanted/%s", arr_client_api(c),
		 which == ARR_WANTED_CUTOFF ? "cutoff" : "missing");
	return done(path, &a, arr_page_each(c, &q, episode_el, &a, e));
}
