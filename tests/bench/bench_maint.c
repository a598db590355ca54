/*
 * bench_maint.c - comradarr-maint on a busy year: two connectors, each day
 * PER_DAY searches, as many ledger rows, three events per search and a
 * health check every five minutes.  Prints each step's time, every table's
 * rows and bytes before and after, how long 'comradarr stats' takes over
 * the year before and after, and whether its answer stayed the same.
 * Usage: bench_maint [PER_DAY] (default 300).  Needs PostgreSQL (PGHOST...).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgtest.h"
#include "db/db.h"
#include "db/maint.h"
#include "db/stats.h"
#include "stage/maint.h"
#include "core/banned.h"

static long per_day = 300;

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#define MIDNIGHT "(date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"

static void
connectors(struct pgtest *t)
{
	pgtest_exec(t, "INSERT INTO connectors (name, type, url, api_key_enc) VALUES "
		    "('tv', 'sonarr', 'http://127.0.0.1:1', '\\x00'), "
		    "('films', 'radarr', 'http://127.0.0.1:2', '\\x00')");
}

/* History of the days d0..d1 before today (1: yesterday). */
static void
seed(struct pgtest *t, int d0, int d1)
{
	char sql[4096];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO search_history (connector_id, connector_name, command, search_type, "
		 "content_kind, indexer_queries, outcome, items_grabbed, started_at, ended_at) "
		 "SELECT c.id, c.name, 'EpisodeSearch', CASE WHEN i %% 3 = 0 THEN 'upgrade' ELSE 'gap' END, "
		 "'episode', 1 + i %% 5, CASE WHEN i %% 4 = 0 THEN 'grabbed' ELSE 'no_results' END, "
		 "CASE WHEN i %% 4 = 0 THEN 1 ELSE 0 END, "
		 MIDNIGHT " - d * interval '1 day' + i * interval '1 day' / %ld, "
		 MIDNIGHT " - d * interval '1 day' + i * interval '1 day' / %ld + interval '2 s' "
		 "FROM connectors c, generate_series(%d, %d) d, generate_series(0, %ld) i",
		 per_day, per_day, d0, d1, per_day - 1);
	pgtest_exec(t, sql);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO throttle_ledger (connector_id, at, cost) SELECT c.id, "
		 MIDNIGHT " - d * interval '1 day' + i * interval '1 day' / %ld, 1 + i %% 5 "
		 "FROM connectors c, generate_series(%d, %d) d, generate_series(0, %ld) i",
		 per_day, d0, d1, per_day - 1);
	pgtest_exec(t, sql);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO events (created_at, kind, connector_id, payload) SELECT "
		 MIDNIGHT " - d * interval '1 day' + i * interval '1 day' / %ld, "
		 "(ARRAY['search_dispatched', 'search_outcome', 'item_added'])[1 + i %% 3], c.id, "
		 "jsonb_build_object('queue_id', i, 'arr_ids', jsonb_build_array(i, i + 1)) "
		 "FROM connectors c, generate_series(%d, %d) d, generate_series(0, %ld) i",
		 3 * per_day, d0, d1, 3 * per_day - 1);
	pgtest_exec(t, sql);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO events (created_at, kind, connector_id, payload) SELECT "
		 MIDNIGHT " - d * interval '1 day' + h * interval '1 hour', 'discover_done', c.id, "
		 "jsonb_build_object('connector', c.name, 'gaps', 1000 - d, 'upgrades', 50, "
		 "'added', d %% 7, 'removed', 0) "
		 "FROM connectors c, generate_series(%d, %d) d, generate_series(0, 23) h", d0, d1);
	pgtest_exec(t, sql);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO connector_health_history (connector_id, checked_at, status) "
		 "SELECT c.id, " MIDNIGHT " - d * interval '1 day' + m * interval '5 min', "
		 "CASE WHEN m %% 97 = 0 THEN 'offline' ELSE 'healthy' END "
		 "FROM connectors c, generate_series(%d, %d) d, generate_series(0, 287) m", d0, d1);
	pgtest_exec(t, sql);
}

static void
sizes(struct pgtest *t, const char *label, int64_t *total)
{
	static const char *const tables[] = {
		"search_history", "events", "connector_health_history", "throttle_ledger",
		"stats_daily", NULL
	};
	struct db_table_size *list = NULL;
	struct err e = ERR_INIT;
	size_t n = 0;

	if (db_maint_sizes(t->conn, &list, &n, &e) < 0)
		ck_abort_msg("sizes: %s", e.msg);
	*total = 0;
	for (size_t i = 0; i < n; i++)
		*total += list[i].bytes;
	printf("%s (all tables %.1f MiB):\n", label, (double)*total / 1048576.0);
	for (int k = 0; tables[k] != NULL; k++) {
		char q[128];

		snprintf(q, sizeof(q), "SELECT count(*) FROM %s", tables[k]);
		for (size_t i = 0; i < n; i++)
			if (strcmp(list[i].name, tables[k]) == 0)
				printf("  %-26s %9lld rows %8.1f MiB\n", tables[k], pgtest_count(t, q),
				       (double)list[i].bytes / 1048576.0);
	}
	free(list);
}

/* The whole year's statistics by day (calloc'd rows: comparable with
 * memcmp), and how long they took. */
static struct db_stats_row *
stats_rows(struct pgtest *t, size_t *n)
{
	struct db_stats_filter f = { NULL, 0, -1, 0 };
	struct db_stats_row *rows = NULL;
	struct err e = ERR_INIT;
	double t0 = now_s();

	if (db_stats_query(t->conn, &f, &rows, n, &e) < 0)
		ck_abort_msg("stats: %s", e.msg);
	printf("stats over the year: %zu rows in %.3f s\n", *n, now_s() - t0);
	/* every field but the live queue sample is history */
	for (size_t i = 0; i < *n; i++)
		rows[i].queue_depth = 0;
	return rows;
}

static void
line(void *arg, const char *event, json_t *o)
{
	(void)arg;
	if (strcmp(event, "maint_rollup") == 0 || strcmp(event, "maint_prune") == 0 ||
	    strcmp(event, "maint_vacuum") == 0 || strcmp(event, "maint_done") == 0) {
		char *s = json_dumps(o, JSON_COMPACT);

		printf("  %s %s\n", event, s);
		free(s);
	}
}

START_TEST(a_busy_year)
{
	struct pgtest t;
	struct maint_opts o;
	struct maint_report r;
	struct err e = ERR_INIT;
	int64_t before, after;
	double t0;
	struct db_stats_row *a, *b;
	size_t na, nb;
	long nrows;

	pgtest_create(&t, "bench_maint");
	t0 = now_s();
	connectors(&t);
	seed(&t, 1, 365);
	pgtest_exec(&t, "VACUUM ANALYZE");
	printf("seeded a year at %ld searches a day per connector in %.1f s\n", per_day, now_s() - t0);
	sizes(&t, "before", &before);
	a = stats_rows(&t, &na);
	nrows = pgtest_count(&t, "SELECT count(*) FROM search_history");
	memset(&o, 0, sizeof(o));
	o.line = line;
	t0 = now_s();
	if (maint_run(t.conn, &o, &r, &e) < 0)
		ck_abort_msg("maint: %s", e.msg);
	printf("maint: %.2f s for %ld rows pruned (%lld search history of %ld)\n", now_s() - t0,
	       r.pruned, nrows - pgtest_count(&t, "SELECT count(*) FROM search_history"), nrows);
	sizes(&t, "after", &after);
	b = stats_rows(&t, &nb);
	printf("statistics after pruning: %s\n",
	       na == nb && memcmp(a, b, na * sizeof(*a)) == 0 ? "identical" : "DIFFERENT");
	ck_assert_msg(na == nb && memcmp(a, b, na * sizeof(*a)) == 0, "statistics changed");
	free(a);
	free(b);
	pgtest_drop(&t);
}
END_TEST

/*
 * Maint every day from the start: day by day, a day's history arrives and
 * maint runs the morning after (its clock injected), for a third of a year.
 * Once the retention periods are full the tables stop growing: the space
 * each prune frees is what the next days reuse.
 */
START_TEST(daily_maint_keeps_the_tables_bounded)
{
	const int days = 120;
	struct pgtest t;
	struct maint_opts o;
	struct maint_report r;
	struct err e = ERR_INIT;
	int64_t total, midnight;
	double t0 = now_s(), tmaint = 0;

	pgtest_create(&t, "bench_maint_daily");
	connectors(&t);
	midnight = pgtest_count(&t, "SELECT " DB_SQL_US(MIDNIGHT));
	memset(&o, 0, sizeof(o));
	printf("\nmaint every day, %ld searches a day per connector:\n", per_day);
	for (int d = days; d >= 1; d--) {
		double t1;

		seed(&t, d, d);
		/* the morning after day d */
		o.now_us = midnight - (int64_t)(d - 1) * 86400 * 1000000 + 3600LL * 1000000;
		t1 = now_s();
		if (maint_run(t.conn, &o, &r, &e) < 0)
			ck_abort_msg("maint: %s", e.msg);
		tmaint += now_s() - t1;
		if ((days - d + 1) % 30 == 0) {
			char label[64];

			snprintf(label, sizeof(label), "after day %d (maint %.2f s on average)",
				 days - d + 1, tmaint / (days - d + 1));
			sizes(&t, label, &total);
		}
	}
	printf("%d days in %.0f s\n", days, now_s() - t0);
	pgtest_drop(&t);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("bench_maint");
	TCase *tc = tcase_create("maint");
	SRunner *sr;
	int failed;

	if (argc > 1)
		per_day = strtol(argv[1], NULL, 10);
	if (per_day < 1)
		per_day = 300;
	if (!pgtest_available()) {
		printf("SKIPPED: no PostgreSQL\n");
		return 0;
	}
	tcase_set_timeout(tc, 1200);
	tcase_add_test(tc, a_busy_year);
	tcase_add_test(tc, daily_maint_keeps_the_tables_bounded);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
