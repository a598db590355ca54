/*
 * bench_ui - the web UI's pages on a 1M-episode mirror (issue 15's target:
 * dashboard, queue and content pages at most 50 ms at p99, reads and HTML
 * together), each page's database reads and its rendering timed as the
 * handlers do them, without HTTP (the server's own cost is issue 14's bench).
 *
 *   pg_virtualenv -o fsync=off build/tests/bench/bench_ui [SERIES]
 * SERIES (default 10000) series of 10 seasons x 10 episodes, 20,000 movies,
 * a registry filled by discover, a queue filled by enqueue, 30 days of
 * search history (3,000 searches a day).  RUNS (environment, default 100)
 * requests per page; prints p50, p99 and the HTML size per page, and
 * "over target" when a p99 passes 50 ms.  Each p99 is also put against a
 * limit measured in the same run: one round trip to the same database
 * ("SELECT 1"), the least any page can cost; and each page's bytes (HTML +
 * the CSS and JS it loads) against the 100 KB budget.  Not a test: it
 * asserts nothing.
 * KEEP_DB=1 keeps the database (its name is printed) to EXPLAIN against.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sodium.h>

#include "core/clock.h"
#include "crypto/secretbox.h"
#include "db/connectors.h"
#include "db/db.h"
#include "db/throttle.h"
#include "db/uiqueue.h"
#include "db/uistats.h"
#include "stage/discover.h"
#include "stage/enqueue.h"
#include "web/ui_assets.h"
#include "web/ui_pages.h"
#include "pgtest.h"

#define RUNS_MAX	1000
#define TARGET_MS	50.0

static struct pgtest T;

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
setup(long series, struct connector *c)
{
	char sql[4096];
	struct secret_key k;
	struct err e = ERR_INIT;
	struct connector m;
	struct discover_opts d;
	struct discover_report dr;
	struct enqueue_opts eo;
	struct enqueue_report er;

	if (secret_key_parse(getenv("SECRET_KEY"), &k, &e) < 0 || db_throttle_seed_presets(T.conn, &e) < 0)
		goto fail;
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "tv");
	snprintf(c->type, sizeof(c->type), "sonarr");
	c->url = strdup("http://127.0.0.1:1");
	c->enabled = c->tls_verify = 1;
	c->timeout_ms = 5000;
	memset(&m, 0, sizeof(m));
	snprintf(m.name, sizeof(m.name), "films");
	snprintf(m.type, sizeof(m.type), "radarr");
	m.url = strdup("http://127.0.0.1:2");
	m.enabled = m.tls_verify = 1;
	m.timeout_ms = 5000;
	if (db_connector_add(T.conn, &k, c, "0123456789abcdef0123456789abcdef", &e) < 0 ||
	    db_connector_add(T.conn, &k, &m, "0123456789abcdef0123456789abcdef", &e) < 0)
		goto fail;
	printf("mirror: %ld series x 100 episodes = %ld episodes, 20000 movies\n", series, series * 100);
	fflush(stdout);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO quality_profiles (connector_id, arr_id, name, upgrade_allowed, cutoff_quality_id,"
		 " cutoff_format_score) VALUES (%lld, 1, 'HD', true, 7, 100), (%lld, 1, 'HD', true, 7, 100);"
		 "INSERT INTO series (connector_id, arr_id, title, monitored, quality_profile_id)"
		 " SELECT %lld, s, 'Series ' || s, true, 1 FROM generate_series(1, %ld) s;"
		 "INSERT INTO seasons (series_id, season_number, monitored, total_episode_count, episode_count,"
		 " episode_file_count) SELECT id, n, true, 10, 10, CASE WHEN arr_id %% 100 = 0 THEN 0 ELSE 9 END"
		 " FROM series, generate_series(1, 10) n;"
		 "INSERT INTO episode_files (connector_id, series_id, arr_id, season_number, quality_id,"
		 " quality_name, custom_format_score, quality_cutoff_not_met)"
		 " SELECT %lld, s.id, s.arr_id * 100 + n, (n - 1) / 10 + 1, CASE WHEN n %% 50 = 7 THEN 4 ELSE 7 END,"
		 " 'Q', 100, n %% 50 = 7 FROM series s, generate_series(1, 100) n"
		 " WHERE n %% 10 <> 3 AND s.arr_id %% 100 <> 0;"
		 "INSERT INTO episodes (connector_id, series_id, arr_id, season_number, episode_number, title,"
		 " air_date_utc, runtime, monitored, has_file, episode_file_id)"
		 " SELECT %lld, s.id, s.arr_id * 100 + n, (n - 1) / 10 + 1, (n - 1) %% 10 + 1, 'Episode ' || n,"
		 " now() - (100 - n) * interval '7 days' - interval '1 day', 45, true,"
		 " n %% 10 <> 3 AND s.arr_id %% 100 <> 0,"
		 " CASE WHEN n %% 10 <> 3 AND s.arr_id %% 100 <> 0 THEN s.arr_id * 100 + n END"
		 " FROM series s, generate_series(1, 100) n;"
		 "INSERT INTO movies (connector_id, arr_id, title, year, monitored, has_file, quality_name,"
		 " quality_profile_id, release_date)"
		 " SELECT %lld, n, 'Movie ' || n, 1950 + n %% 75, true, n %% 8 <> 0, 'Bluray-1080p', 1,"
		 " now() - interval '400 days' FROM generate_series(1, 20000) n;"
		 "INSERT INTO search_history (connector_id, connector_name, command, content_kind, arr_ids,"
		 " indexer_queries, outcome, items_grabbed, started_at, ended_at)"
		 " SELECT %lld, 'tv', 'EpisodeSearch', 'episode', '{1,2,3}', 3,"
		 " (ARRAY['grabbed','no_results','no_results','timeout'])[1 + n %% 4], n %% 2,"
		 " now() - n * interval '864 seconds', now() - n * interval '864 seconds' + interval '2 s'"
		 " FROM generate_series(1, 90000) n;"
		 "INSERT INTO events (kind, connector_id, payload) SELECT 'search_outcome', %lld,"
		 " '{\"command\":\"EpisodeSearch\",\"outcome\":\"grabbed\",\"items\":3,\"items_grabbed\":1}'"
		 " FROM generate_series(1, 50000);",
		 (long long)c->id, (long long)m.id, (long long)c->id, series, (long long)c->id, (long long)c->id,
		 (long long)m.id, (long long)c->id, (long long)c->id);
	pgtest_exec(&T, sql);
	memset(&d, 0, sizeof(d));
	if (discover_connector(T.conn, c, &d, &dr, &e) < 0 || discover_connector(T.conn, &m, &d, &dr, &e) < 0)
		goto fail;
	memset(&eo, 0, sizeof(eo));
	if (enqueue_run(T.conn, &eo, &er, &e) < 0)
		goto fail;
	printf("registry and queue: %ld batches, %ld items\n", er.batches, er.items);
	fflush(stdout);
	pgtest_exec(&T, "VACUUM ANALYZE");
	pgtest_exec(&T, "CHECKPOINT");
	connector_release(&m);
	secret_key_wipe(&k);
	return;
fail:
	fprintf(stderr, "bench_ui: setup: %s\n", e.msg);
	exit(1);
}

enum page { P_DASHBOARD, P_QUEUE, P_CONTENT, P_CONTENT_DEEP, P_CONTENT_MISSING, P_CONTENT_SEARCH, P_MAX };
static const char *const page_names[] = {
	"dashboard", "queue", "content, page 1", "content, page 100 (keyset)",
	"content, missing series", "content, title search"
};

/* one request's work: the handler's reads, then its HTML; the HTML size */
static size_t
one(enum page pg, const char *deep_key, struct err *e)
{
	struct ui_page p = { "Bench", "dashboard", "admin", "token", NULL, NULL, 1, "/", 0 };
	json_t *a = NULL, *b = NULL, *c = NULL, *d = NULL, *f = NULL, *g = NULL;
	struct ui_content_filter cf;
	struct html h;
	size_t n = 0;

	html_init(&h);
	memset(&cf, 0, sizeof(cf));
	cf.limit = 50;
	switch (pg) {
	case P_DASHBOARD: {
		struct ui_dashboard v;
		int64_t ev = 0;

		if (db_ui_connectors(T.conn, &a, e) < 0 || db_ui_totals(T.conn, &b, e) < 0 ||
		    db_ui_activity(T.conn, 12, 0, &c, e) < 0 ||
		    db_ui_daily(T.conn, "2026-11-24", "2026-12-07", 0, &d, e) < 0 ||
		    db_ui_completion(T.conn, 14, a, &f, e) < 0 || db_ui_queue(T.conn, 5, &g, e) < 0 ||
		    db_ui_last_event(T.conn, &ev, e) < 0)
			goto out;
		ui_totals_add_registry(b, a);
		v.connectors = a, v.totals = b, v.activity = c, v.daily = d, v.completion = f, v.queue = g;
		ui_render_dashboard(&h, &p, &v, 1765000000);
		break;
	}
	case P_QUEUE: {
		struct ui_queue_view v;
		int64_t ev = 0;

		if (db_ui_queue(T.conn, 50, &a, e) < 0 || db_ui_throttle(T.conn, &b, e) < 0 ||
		    db_ui_outcomes(T.conn, 20, &c, e) < 0 || db_ui_totals(T.conn, &d, e) < 0 ||
		    db_ui_last_event(T.conn, &ev, e) < 0)
			goto out;
		v.queue = a, v.throttle = b, v.outcomes = c, v.totals = d;
		ui_render_queue(&h, &p, &v, 1765000000);
		break;
	}
	default: {
		struct ui_content_view v;

		if (pg == P_CONTENT_DEEP)
			cf.after = deep_key;
		if (pg == P_CONTENT_MISSING) {
			cf.type = "series";
			cf.state = "missing";
		}
		if (pg == P_CONTENT_SEARCH)
			cf.q = "Series 77";
		if (db_ui_content(T.conn, &cf, &a, e) < 0 || db_ui_connector_names(T.conn, &b, e) < 0)
			goto out;
		memset(&v, 0, sizeof(v));
		v.page = a;
		v.connectors = b;
		v.after = cf.after;
		ui_render_content(&h, &p, &v);
		break;
	}
	}
	n = html_failed(&h) ? 0 : h.b.len;
out:
	json_decref(a);
	json_decref(b);
	json_decref(c);
	json_decref(d);
	json_decref(f);
	json_decref(g);
	html_release(&h);
	return n;
}

/* the key of page 100's first row: 99 pages of 50 in */
static char *
deep_key(void)
{
	return pgtest_scalar(&T, "SELECT k FROM (SELECT 's' || id AS k, lower(title) AS t, 's' AS kind, id FROM series"
			    " UNION ALL SELECT 'm' || id, lower(title), 'm', id FROM movies) u"
			    " ORDER BY t, kind, id OFFSET 4949 LIMIT 1");
}

int
main(int argc, char **argv)
{
	static double ms[P_MAX][RUNS_MAX];
	long series = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
	int runs = getenv("RUNS") ? atoi(getenv("RUNS")) : 100;
	struct connector c;
	struct err e = ERR_INIT;
	size_t bytes[P_MAX] = { 0 };
	char *key;

	if (!pgtest_available()) {
		printf("SKIPPED: bench_ui needs PostgreSQL (run inside pg_virtualenv)\n");
		return 0;
	}
	if (sodium_init() < 0 || series < 1 || series > 100000 || runs < 10 || runs > RUNS_MAX)
		return 1;
	pgtest_create(&T, "bench_ui");
	setup(series, &c);
	key = deep_key();
	/* the floor: one round trip that reads nothing, runs interleaved
	 * with the pages so both see the same machine */
	static double floor_ms[RUNS_MAX];
	size_t assets = 0;

	for (size_t i = 0; i < ui_assets_count; i++)
		if (strcmp(ui_assets[i].name, "app.css") == 0 || strcmp(ui_assets[i].name, "app.js") == 0 ||
		    strcmp(ui_assets[i].name, "theme.js") == 0)
			assets += ui_assets[i].len;
	/* one warm-up pass, then the runs, pages interleaved as users would */
	for (int i = -1; i < runs; i++) {
		int64_t f0 = clock_mono_us();
		PGresult *fr = PQexec(T.conn, "SELECT 1");

		if (PQresultStatus(fr) != PGRES_TUPLES_OK) {
			fprintf(stderr, "bench_ui: SELECT 1: %s", PQerrorMessage(T.conn));
			return 1;
		}
		PQclear(fr);
		if (i >= 0)
			floor_ms[i] = (double)(clock_mono_us() - f0) / 1000.0;
		for (int pg = 0; pg < P_MAX; pg++) {
			int64_t t0 = clock_mono_us();
			size_t n = one((enum page)pg, key, &e);

			if (n == 0) {
				fprintf(stderr, "bench_ui: %s: %s\n", page_names[pg], e.msg);
				return 1;
			}
			if (i >= 0) {
				ms[pg][i] = (double)(clock_mono_us() - t0) / 1000.0;
				bytes[pg] = n;
			}
		}
	}
	qsort(floor_ms, (size_t)runs, sizeof(double), dbl_cmp);
	printf("\nlimit: one round trip (SELECT 1) p50 %.2f ms, p99 %.2f ms; the CSS and JS every page"
	       " loads: %.1f KB\n", floor_ms[runs / 2], floor_ms[(runs * 99 + 99) / 100 - 1],
	       (double)assets / 1024.0);
	printf("%-30s %9s %9s %11s %9s %10s\n", "page (reads + HTML)", "p50 ms", "p99 ms", "p99/trip",
	       "HTML KB", "+CSS+JS KB");
	for (int pg = 0; pg < P_MAX; pg++) {
		double p50, p99, trip = floor_ms[(runs * 99 + 99) / 100 - 1];
		size_t total = bytes[pg] + assets;

		qsort(ms[pg], (size_t)runs, sizeof(double), dbl_cmp);
		p50 = ms[pg][runs / 2];
		p99 = ms[pg][(runs * 99 + 99) / 100 - 1];
		printf("%-30s %9.1f %9.1f %11.1f %9.1f %10.1f %s%s\n", page_names[pg], p50, p99,
		       trip > 0 ? p99 / trip : 0.0, (double)bytes[pg] / 1024.0, (double)total / 1024.0,
		       p99 <= TARGET_MS ? "" : "over target (50 ms) ",
		       total <= 100 * 1024 ? "" : "over 100 KB");
	}
	free(key);
	connector_release(&c);
	if (getenv("KEEP_DB") != NULL && strcmp(getenv("KEEP_DB"), "1") == 0) {
		printf("database kept: %s\n", T.dbname);
		PQfinish(T.conn);
		return 0;
	}
	pgtest_drop(&T);
	return 0;
}
