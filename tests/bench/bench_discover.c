/*
 * bench_discover - discover + enqueue on a 1M-episode mirror (issue 5's
 * targets: both together <= 3 s for ~100,000 gaps; "top 500 eligible"
 * <= 5 ms), with the EXPLAIN of the queries they were designed with.
 *
 * Needs a PostgreSQL to create a database in (PGHOST etc., as inside
 * pg_virtualenv):
 *   pg_virtualenv -o fsync=off build/tests/bench/bench_discover [SERIES]
 * SERIES (default 10000) series of 10 seasons x 10 episodes each; ROUNDS
 * (environment, default 5, at most 20) rounds of discover + enqueue on that
 * mirror, medians reported.  Prints one line per measurement and the plans;
 * not a test (it asserts nothing but prints "over target" when a number
 * misses).
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
#include "db/registry.h"
#include "db/throttle.h"
#include "stage/discover.h"
#include "stage/enqueue.h"
#include "pgtest.h"

#define NOW_S 1767225600LL	/* 2026-01-01 */

#define ROUNDS_MAX 20

static struct pgtest T;

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(const double *v, int n)
{
	double s[ROUNDS_MAX];

	memcpy(s, v, (size_t)n * sizeof(*s));
	qsort(s, (size_t)n, sizeof(*s), dbl_cmp);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static double
minimum(const double *v, int n)
{
	double m = v[0];

	for (int i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

static double
secs_since(int64_t t0)
{
	return (double)(clock_mono_us() - t0) / 1e6;
}

static void
exec_timed(const char *label, const char *sql)
{
	int64_t t0 = clock_mono_us();

	pgtest_exec(&T, sql);
	printf("%-34s %8.2f s\n", label, secs_since(t0));
	fflush(stdout);
}

static void
explain(const char *label, const char *sql, int n, const char *const *p)
{
	struct err e = ERR_INIT;
	char *q = malloc(strlen(sql) + 64);
	PGresult *r = NULL;

	snprintf(q, strlen(sql) + 64, "EXPLAIN (ANALYZE, BUFFERS) %s", sql);
	printf("\n-- %s\n", label);
	if (db_query(T.conn, q, n, p, &r, &e) < 0) {
		printf("explain failed: %s\n", e.msg);
	} else {
		for (int i = 0; i < PQntuples(r); i++)
			printf("%s\n", PQgetvalue(r, i, 0));
	}
	PQclear(r);
	free(q);
}

/* The "top 500 eligible" query, best of 20 runs, in ms. */
static double
top_eligible_ms(int64_t connector_id)
{
	char cid[24], now[24];
	const char *p[3] = { db_fmt_int64(cid, sizeof(cid), connector_id),
			     db_fmt_int64(now, sizeof(now), NOW_S * 1000000LL), "500" };
	double best = 1e9;

	for (int i = 0; i < 20; i++) {
		struct err e = ERR_INIT;
		PGresult *r = NULL;
		int64_t t0 = clock_mono_us();

		if (db_query(T.conn, db_registry_top_eligible_sql, 3, p, &r, &e) < 0) {
			printf("top eligible failed: %s\n", e.msg);
			return -1;
		}
		if ((double)(clock_mono_us() - t0) / 1000.0 < best)
			best = (double)(clock_mono_us() - t0) / 1000.0;
		if (i == 0)
			printf("%-34s %8d rows\n", "top 500 eligible returns", PQntuples(r));
		PQclear(r);
	}
	return best;
}

int
main(int argc, char **argv)
{
	struct secret_key k;
	struct connector c;
	struct err e = ERR_INIT;
	struct discover_opts dopts;
	struct discover_report dr;
	struct enqueue_opts eo;
	struct enqueue_report er;
	long series = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
	char sql[4096], cid[24], now[24], grace[8] = "0";
	const char *p[4];
	double d_s[ROUNDS_MAX], q_s[ROUNDS_MAX], sum_s[ROUNDS_MAX], top = 0;
	int rounds = getenv("ROUNDS") ? atoi(getenv("ROUNDS")) : 5;
	int64_t t0;

	if (!pgtest_available()) {
		printf("SKIPPED: bench_discover needs PostgreSQL (run inside pg_virtualenv)\n");
		return 0;
	}
	if (sodium_init() < 0 || series < 1 || series > 1000000 || rounds < 1 ||
	    rounds > ROUNDS_MAX)
		return 1;
	pgtest_create(&T, "bench_discover");
	if (secret_key_parse(getenv("SECRET_KEY"), &k, &e) < 0 ||
	    db_throttle_seed_presets(T.conn, &e) < 0) {
		fprintf(stderr, "bench_discover: %s\n", e.msg);
		return 1;
	}
	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "tv");
	snprintf(c.type, sizeof(c.type), "sonarr");
	c.url = strdup("http://127.0.0.1:1");
	c.enabled = 1;
	c.tls_verify = 1;
	c.timeout_ms = 5000;
	if (db_connector_add(T.conn, &k, &c, "0123456789abcdef0123456789abcdef", &e) < 0 ||
	    db_throttle_assign(T.conn, "tv", "aggressive", &e) < 0) {
		fprintf(stderr, "bench_discover: %s\n", e.msg);
		return 1;
	}
	printf("mirror: %ld series x 100 episodes = %ld episodes\n", series, series * 100);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO quality_profiles (connector_id, arr_id, name, upgrade_allowed, "
		 " cutoff_quality_id, cutoff_format_score) VALUES (%lld, 1, 'HD', true, 7, 100); "
		 "INSERT INTO series (connector_id, arr_id, title, monitored, quality_profile_id) "
		 " SELECT %lld, s, 'Series ' || s, true, 1 FROM generate_series(1, %ld) s; "
		 "INSERT INTO seasons (series_id, season_number, monitored, total_episode_count) "
		 " SELECT id, n, true, 10 FROM series, generate_series(1, 10) n",
		 (long long)c.id, (long long)c.id, series);
	exec_timed("series, seasons", sql);
	/* ~10% missing (episode 3 of each season, and every 100th series
	 * entirely: its seasons become packs), 2% below the cutoff, the last
	 * episode of every 50th series not aired yet */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO episode_files (connector_id, series_id, arr_id, season_number, "
		 " quality_id, quality_name, custom_format_score, quality_cutoff_not_met) "
		 "SELECT %lld, s.id, s.arr_id * 100 + n, (n - 1) / 10 + 1, "
		 " CASE WHEN n %% 50 = 7 THEN 4 ELSE 7 END, 'Q', 100, n %% 50 = 7 "
		 "FROM series s, generate_series(1, 100) n "
		 "WHERE n %% 10 <> 3 AND s.arr_id %% 100 <> 0",
		 (long long)c.id);
	exec_timed("episode files", sql);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO episodes (connector_id, series_id, arr_id, season_number, "
		 " episode_number, title, air_date_utc, runtime, monitored, has_file, episode_file_id) "
		 "SELECT %lld, s.id, s.arr_id * 100 + n, (n - 1) / 10 + 1, (n - 1) %% 10 + 1, "
		 " 'Episode ' || n, to_timestamp(%lld) - (100 - n) * interval '7 days' "
		 "  + CASE WHEN n = 100 AND s.arr_id %% 50 = 0 THEN interval '30 days' ELSE '0' END, "
		 " 45, true, n %% 10 <> 3 AND s.arr_id %% 100 <> 0, "
		 " CASE WHEN n %% 10 <> 3 AND s.arr_id %% 100 <> 0 THEN s.arr_id * 100 + n END "
		 "FROM series s, generate_series(1, 100) n",
		 (long long)c.id, NOW_S);
	exec_timed("episodes", sql);
	exec_timed("analyze", "ANALYZE");
	/* the setup wrote ~300 MB: its checkpoint must not land in a measurement */
	exec_timed("checkpoint", "CHECKPOINT");

	p[0] = db_fmt_int64(cid, sizeof(cid), c.id);
	p[1] = db_fmt_int64(now, sizeof(now), NOW_S * 1000000LL);
	p[2] = "false";
	p[3] = grace;
	explain("discover: the episode gap query (partial covering index episodes_gaps)",
		db_registry_gap_select_sql, 4, p);

	memset(&dopts, 0, sizeof(dopts));
	dopts.now_us = NOW_S * 1000000LL;
	memset(&eo, 0, sizeof(eo));
	eo.now_us = NOW_S * 1000000LL;
	/*
	 * ROUNDS rounds on the same mirror, each from an empty registry and
	 * queue, medians reported: a single run on a shared 2-core machine
	 * varies by a third.  Nothing runs between discover and enqueue (no
	 * ANALYZE): the pipeline does not wait for statistics either.
	 */
	for (int i = 0; i < rounds; i++) {
		pgtest_exec(&T, "TRUNCATE request_queue, request_queue_items, search_registry");
		pgtest_exec(&T, "VACUUM ANALYZE search_registry, request_queue, request_queue_items");
		pgtest_exec(&T, "CHECKPOINT");
		t0 = clock_mono_us();
		if (discover_connector(T.conn, &c, &dopts, &dr, &e) < 0) {
			fprintf(stderr, "bench_discover: discover: %s\n", e.msg);
			return 1;
		}
		d_s[i] = secs_since(t0);
		if (i == rounds - 1) {
			/* the last round, before enqueue: as enqueue --limit 500
			 * would find it right after discover */
			p[2] = "500";
			explain("enqueue: top 500 eligible (search_registry_ready)",
				db_registry_top_eligible_sql, 3, p);
			top = top_eligible_ms(c.id);
		}
		t0 = clock_mono_us();
		if (enqueue_run(T.conn, &eo, &er, &e) < 0) {
			fprintf(stderr, "bench_discover: enqueue: %s\n", e.msg);
			return 1;
		}
		q_s[i] = secs_since(t0);
		sum_s[i] = d_s[i] + q_s[i];
		printf("round %d: discover %.2f s, enqueue %.2f s, together %.2f s\n", i + 1, d_s[i],
		       q_s[i], sum_s[i]);
		fflush(stdout);
	}
	printf("\n%-34s %8.2f s  (%ld gaps, %ld upgrades, %ld entries created)\n",
	       "discover (first run), median", median(d_s, rounds), dr.gaps, dr.upgrades, dr.added);
	printf("%-34s %8.2f s  (%ld batches, %ld season packs, %ld items, %ld indexer queries)\n",
	       "enqueue (from the registry), median", median(q_s, rounds), er.batches,
	       er.season_packs, er.items, er.indexer_queries);
	printf("%-34s %8.2f s %s (best %.2f s)\n", "discover + enqueue, median",
	       median(sum_s, rounds), median(sum_s, rounds) <= 3.0 ? "" : "over target (3 s)",
	       minimum(sum_s, rounds));
	printf("%-34s %8.2f ms %s\n", "top 500 eligible (best of 20)", top,
	       top <= 5.0 ? "" : "over target (5 ms)");
	pgtest_exec(&T, "ANALYZE search_registry");
	explain("enqueue: top 500 eligible once all are queued (dead index entries skipped)",
		db_registry_top_eligible_sql, 3, p);
	t0 = clock_mono_us();
	if (discover_connector(T.conn, &c, &dopts, &dr, &e) < 0) {
		fprintf(stderr, "bench_discover: discover: %s\n", e.msg);
		return 1;
	}
	printf("%-34s %8.2f s  (%ld entries created)\n", "discover (again, nothing new)",
	       secs_since(t0), dr.added);
	connector_release(&c);
	secret_key_wipe(&k);
	pgtest_drop(&T);
	return 0;
}
