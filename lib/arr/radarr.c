#include <stdio.h>

#include "arr/page.h"
#include "core/buf.h"
#include "arr/parse.h"
#include "arr/radarr.h"
#include "core/log.h"
#include "core/banned.h"

struct each {
	arr_movie_fn fn;
	void *arg;
	unsigned long skipped;
};

static int
movie_el(json_t *j, void *arg, struct err *e)
{
	struct each *a = arg;
	struct arr_movie m;
	int rc = arr_movie_parse(j, &m, e);

	if (rc != ARR_PARSED) {
		a->skipped += rc == ARR_SKIPPED;
		return rc < 0 ? -1 : 0;
	}
	return a->fn(&m, a->arg, e);
}

static int
done(const char *what, const struct each *a, int rc)
{
	if (a->skipped > 0)
		log_warn("arr", "%s: %lu malformed records skipped", what, a->skipped);
	return rc;
}

int
arr_movie_each(struct arr_client *c, arr_movie_fn fn, void *arg, struct err *e)
{
	struct each a = { fn, arg, 0 };
	char path[64];

	snprintf(path, sizeof(path), "%s/movie", arr_client_api(c));
	return done(path, &a, arr_client_get_each(c, path, movie_el, &a, e));
}

struct file_each {
	arr_movie_file_fn fn;
	void *arg;
	unsigned long skipped;
};

static int
movie_file_el(json_t *j, void *arg, struct err *e)
{
	struct file_each *a = arg;
	struct arr_episode_file f;
	int rc = arr_episode_file_parse(j, &f, e);

	if (rc != ARR_PARSED) {
		a->skipped += rc == ARR_SKIPPED;
		return rc < 0 ? -1 : 0;
	}
	return a->fn(&f, a->arg, e);
}

int
arr_movie_file_each(struct arr_client *c, const int *file_ids, size_t n, arr_movie_file_fn fn,
		    void *arg, struct err *e)
{
	struct file_each a = { fn, arg, 0 };
	struct buf path = BUF_INIT;
	int ret = 0;

	for (size_t at = 0; at < n && ret == 0; at += ARR_MOVIE_FILE_PAGE) {
		buf_reset(&path);
		if (buf_appendf(&path, "%s/moviefile", arr_client_api(c)) < 0)
			goto nomem;
		for (size_t i = at; i < n && i < at + ARR_MOVIE_FILE_PAGE; i++)
			if (buf_appendf(&path, "%smovieFileIds=%d", i == at ? "?" : "&",
					file_ids[i]) < 0)
				goto nomem;
		ret = arr_client_get_each(c, path.data, movie_file_el, &a, e);
	}
	if (a.skipped > 0)
		log_warn("arr", "%s/moviefile: %lu malformed records skipped", arr_client_api(c),
			 a.skipped);
	buf_release(&path);
	return ret;
nomem:
	buf_release(&path);
	return err_set(e, ERR_NOMEM, "out of memory building a /moviefile request");
}

int
arr_radarr_has_wanted(enum arr_dialect d, const int version[4])
{
	static const int since[4] = ARR_RADARR_WANTED_SINCE;

	if (d != ARR_DIALECT_RADARR)
		return 0;
	for (int i = 0; i < 4; i++)
		if (version[i] != since[i])
			return version[i] > since[i];
	return 1;
}

int
arr_wanted_movie_each(struct arr_client *c, enum arr_wanted which,
		      int monitored, arr_movie_fn fn, void *arg, struct err *e)
{
	struct each a = { fn, arg, 0 };
	char path[64];
	struct arr_page_query q = {
		path, monitored ? "monitored=true" : "monitored=false",
		"movieMetadata.sortTitle", "ascending", ARR_PAGE_SIZE
	};

	if (arr_client_dialect(c) == ARR_DIALECT_WHISPARR_V3)
		return err_set(e, ERR_USAGE, "Whisparr v3 has no wanted lists; "
			       "compute gaps from the movie list instead");
	snprintf(path, sizeof(path), "%s/wanted/%s", arr_client_api(c),
		 which == ARR_WANTED_CUTOFF ? "cutoff" : "missing");
	return done(path, &a, arr_page_each(c, &q, movie_el, &a, e));
}
