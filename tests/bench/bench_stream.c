/*
 * bench_stream: a big GET /api/v3/movie answer from the fake Radarr, over
 * loopback HTTP, through the real client, streamed and parsed one movie at
 * a time (Req 37.1).  Prints the bytes, movies, time and this process's
 * peak RSS before and after, as one JSON line.
 *
 *   bench_stream [MOVIES]      (default 125000: about 250 MB of JSON)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <jansson.h>
#include <sodium.h>

#include "arr/client.h"
#include "arr/radarr.h"
#include "core/clock.h"
#include "fakearr_ctl.h"

static long
peak_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

struct count {
	long movies;
	long with_file;
};

static int
on_movie(const struct arr_movie *m, void *arg, struct err *e)
{
	struct count *c = arg;

	(void)e;
	c->movies++;
	c->with_file += m->has_file;
	return 0;
}

int
main(int argc, char **argv)
{
	const char *movies = argc > 1 ? argv[1] : "125000";
	const char *const args[] = { "--app", "radarr", "--movies", movies, NULL };
	struct fakearr f;
	struct arr_client_opts o;
	struct arr_client *c = NULL;
	struct count n = { 0, 0 };
	struct err e = ERR_INIT;
	json_t *stats = NULL;
	long rss0, rss1;
	int64_t t0, t1;
	int ret = 1;

	if (sodium_init() < 0)
		return 1;
	memset(&f, 0, sizeof(f));
	if (fakearr_start(&f, NULL, args, &e) < 0) {
		fprintf(stderr, "bench_stream: %s\n", e.msg);
		return 1;
	}
	memset(&o, 0, sizeof(o));
	o.app = ARR_APP_RADARR;
	o.base_url = f.url;
	o.api_key = f.api_key;
	o.tls_verify = 1;
	if (arr_client_new(&o, &c, &e) < 0)
		goto out;
	rss0 = peak_rss_kb();
	t0 = clock_mono_us();
	if (arr_movie_each(c, on_movie, &n, &e) < 0)
		goto out;
	t1 = clock_mono_us();
	rss1 = peak_rss_kb();
	if (fakearr_call(&f, "GET", "/__fake/stats", NULL, &stats, &e) < 0)
		goto out;
	printf("{\"bench\":\"stream_movies\",\"movies\":%ld,\"with_file\":%ld,\"bytes\":%lld,"
	       "\"seconds\":%.2f,\"mb_per_s\":%.1f,\"peak_rss_kb_before\":%ld,\"peak_rss_kb_after\":%ld,"
	       "\"rss_growth_kb\":%ld}\n",
	       n.movies, n.with_file, (long long)json_integer_value(json_object_get(stats, "bytes_sent")),
	       (double)(t1 - t0) / 1e6,
	       (double)json_integer_value(json_object_get(stats, "bytes_sent")) / 1048576.0 /
		       ((double)(t1 - t0) / 1e6),
	       rss0, rss1, rss1 - rss0);
	ret = n.movies == strtol(movies, NULL, 10) ? 0 : 1;
out:
	if (e.kind != ERR_NONE)
		fprintf(stderr, "bench_stream: %s\n", e.msg);
	json_decref(stats);
	arr_client_free(c);
	fakearr_stop(&f);
	return ret;
}
