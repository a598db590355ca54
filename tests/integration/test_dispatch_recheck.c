/*
 * test_dispatch_recheck.c - the claim's re-check against a fake Sonarr, end
 * to end: sync, discover and enqueue queue searches; then, before dispatch,
 * some items get their file, some enter the app's download queue, one
 * loses monitoring and a whole series is deleted; a sync sees it, and the
 * dispatcher sends none of them.  Checked in the fake's ledger of commands
 * received and in the throttle ledger (only what was sent is charged).
 * And a season pack whose season no longer qualifies falls back to
 * episode searches without being sent.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dispatch_fixture.h"
#include "core/jsonl.h"
#include "stage/discover.h"
#include "stage/dispatch.h"
#include "stage/enqueue.h"
#include "stage/sync.h"
#include "core/banned.h"

static struct fx x;

static int64_t
now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
teardown(void)
{
	fx_stop(&x);
}

static void
mutate(const char *json)
{
	struct err e = ERR_INIT;

	ck_assert_msg(fakearr_call(&x.fa, "POST", "/__fake/mutate", json, NULL, &e) == 0,
		      "mutate %s: %s", json, e.msg);
}

static void
sync_tv(void)
{
	struct connector c;
	struct sync_opts o;
	struct sync_report r;
	struct err e = ERR_INIT;

	memset(&o, 0, sizeof(o));
	o.full = 1;
	o.force = 1;
	o.key = &x.k;
	ck_assert_msg(db_connector_get(x.t.conn, "tv", &c, &e) == 0, "%s", e.msg);
	ck_assert_msg(sync_connector(x.t.conn, &c, &o, &r, &e) == 0, "sync: %s", e.msg);
	connector_release(&c);
}

/* discover then enqueue, the way the timers run them (from the database) */
static void
discover_enqueue(void)
{
	struct connector c;
	struct discover_opts d;
	struct discover_report dr;
	struct enqueue_opts q;
	struct enqueue_report qr;
	struct err e = ERR_INIT;

	ck_assert_msg(db_connector_get(x.t.conn, "tv", &c, &e) == 0, "%s", e.msg);
	memset(&d, 0, sizeof(d));
	ck_assert_msg(discover_connector(x.t.conn, &c, &d, &dr, &e) == 0, "discover: %s", e.msg);
	connector_release(&c);
	memset(&q, 0, sizeof(q));
	ck_assert_msg(enqueue_run(x.t.conn, &q, &qr, &e) == 0, "enqueue: %s", e.msg);
}

static struct dispatch_report
dispatch(void)
{
	struct dispatch_opts o;
	struct dispatch_report r;
	struct err e = ERR_INIT;
	struct jsonl out;

	jsonl_init(&out, stderr);
	memset(&o, 0, sizeof(o));
	o.out = &out;
	o.key = &x.k;
	o.worker = "test:1";
	o.poll_ms = 1000;
	o.command_timeout_s = 60;
	o.retry.attempts = 1;
	ck_assert_msg(dispatch_run(x.t.conn, &o, &r, &e) == 0, "dispatch_run: %s", e.msg);
	return r;
}

/* Is *arr episode id `id` named by any command the fake received? */
static int
ledger_has(json_t *ledger, long long id)
{
	size_t i, j;
	json_t *c, *v;

	json_array_foreach(ledger, i, c) {
		json_array_foreach(json_object_get(json_object_get(c, "body"), "episodeIds"), j, v)
			if (json_integer_value(v) == id)
				return 1;
	}
	return 0;
}

/* The *arr ids of the n-th series' (by arr id, from 0) episodes, ascending. */
static void
series_episodes(int nth, long long *ids, int n)
{
	char sql[512];

	for (int k = 0; k < n; k++) {
		snprintf(sql, sizeof(sql), "SELECT e.arr_id FROM episodes e JOIN series s ON "
			 "s.id = e.series_id WHERE s.arr_id = (SELECT arr_id FROM series ORDER BY "
			 "arr_id OFFSET %d LIMIT 1) ORDER BY e.arr_id OFFSET %d LIMIT 1", nth, k);
		ids[k] = pgtest_count(&x.t, sql);
	}
}

static long long
reasons(const char *reason)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM events, jsonb_array_elements(payload->"
		 "'dropped') d WHERE kind = 'search_dropped' AND d->>'reason' = '%s'", reason);
	return pgtest_count(&x.t, sql);
}

START_TEST(resolved_items_are_never_searched_nor_charged)
{
	static const char *const args[] = {
		"--app", "sonarr", "--series", "3", "--seasons", "1", "--episodes", "6",
		"--missing", "1", "--unaired", "0", "--unmonitored", "0", "--grab", "0",
		"--command-ms", "0", NULL
	};
	long long a[6], b[6], c[6], series_b;
	struct dispatch_report r;
	json_t *ledger;
	char js[128];

	fx_start(&x, "drecheck", args);
	clock_set_fake(now_real());
	fx_profile(&x, 60, 10, 0, 3, 6);
	pgtest_exec(&x.t, "UPDATE connectors SET season_pack_enabled = false");
	sync_tv();
	discover_enqueue();
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM request_queue WHERE command = "
				      "'EpisodeSearch' AND cardinality(arr_ids) = 6"), 3);
	series_episodes(0, a, 6);
	series_episodes(1, b, 6);
	series_episodes(2, c, 6);
	series_b = pgtest_count(&x.t, "SELECT arr_id FROM series ORDER BY arr_id OFFSET 1 LIMIT 1");
	/* between enqueue and dispatch, in the app: */
	for (int k = 0; k < 2; k++) {		/* two get their file */
		snprintf(js, sizeof(js), "{\"op\":\"add_episode_file\",\"id\":%lld,\"quality\":7}", a[k]);
		mutate(js);
	}
	for (int k = 2; k < 4; k++) {		/* two are downloading, for an hour */
		snprintf(js, sizeof(js), "{\"op\":\"grab\",\"id\":%lld,\"hold_ms\":3600000}", a[k]);
		mutate(js);
	}
	snprintf(js, sizeof(js), "{\"op\":\"set_monitored\",\"type\":\"episode\",\"id\":%lld,"
		 "\"monitored\":false}", a[4]);
	mutate(js);
	snprintf(js, sizeof(js), "{\"op\":\"remove_series\",\"id\":%lld}", series_b);
	mutate(js);
	sync_tv();
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM download_queue"), 2);
	r = dispatch();

	ledger = fx_ledger(&x);
	ck_assert_msg(json_array_size(ledger) == 2, "expected 2 commands (the rest of series A, "
		      "series C), got %zu", json_array_size(ledger));
	for (int k = 0; k < 5; k++)
		ck_assert_msg(!ledger_has(ledger, a[k]), "episode %lld was searched", a[k]);
	for (int k = 0; k < 6; k++)
		ck_assert_msg(!ledger_has(ledger, b[k]), "deleted episode %lld was searched", b[k]);
	ck_assert(ledger_has(ledger, a[5]));
	for (int k = 0; k < 6; k++)
		ck_assert(ledger_has(ledger, c[k]));
	json_decref(ledger);
	/* only what was sent was charged: 1 + 6 queries */
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT coalesce(sum(cost), 0) FROM throttle_ledger"), 7);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT coalesce(sum(indexer_queries), 0) FROM "
				      "search_history"), 7);
	ck_assert_msg(r.sent == 2 && r.queries == 7 && r.dropped == 11 && r.resolved == 1,
		      "report: sent %ld, queries %ld, dropped %ld, resolved %ld", r.sent, r.queries,
		      r.dropped, r.resolved);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM request_queue"), 0);
	/* why each was dropped, in the outbox */
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM events WHERE kind = "
				      "'search_dropped'"), 2);
	ck_assert_int_eq(reasons("downloading"), 2);
	ck_assert_int_eq(reasons("unmonitored"), 1);
	ck_assert_int_eq(reasons("deleted"), 6);
	/* the two with files: the sync's clean-up removed their entries */
	ck_assert_int_eq(reasons("resolved") + reasons("has_file"), 2);
	/* and no entry of a dropped item is left behind */
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM search_registry"), 7);
}
END_TEST

START_TEST(a_season_pack_that_no_longer_qualifies_falls_back_unsent)
{
	static const char *const args[] = {
		"--app", "sonarr", "--series", "1", "--seasons", "1", "--episodes", "6",
		"--missing", "1", "--unaired", "0", "--unmonitored", "0", "--grab", "0",
		"--command-ms", "0", NULL
	};
	long long a[6];
	struct dispatch_report r;
	json_t *ledger;
	char js[128];

	fx_start(&x, "drecheck", args);
	clock_set_fake(now_real());
	fx_profile(&x, 60, 10, 0, 3, 6);
	sync_tv();
	discover_enqueue();
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM request_queue WHERE command = "
				      "'SeasonSearch'"), 1);
	series_episodes(0, a, 6);
	/* four get their file: two missing of six is no pack (min 3) */
	for (int k = 0; k < 4; k++) {
		snprintf(js, sizeof(js), "{\"op\":\"add_episode_file\",\"id\":%lld,\"quality\":7}", a[k]);
		mutate(js);
	}
	sync_tv();
	r = dispatch();
	ledger = fx_ledger(&x);
	ck_assert_msg(json_array_size(ledger) == 0, "the pack was sent");
	json_decref(ledger);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT coalesce(sum(cost), 0) FROM throttle_ledger"), 0);
	ck_assert_int_eq(r.resolved, 1);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM request_queue"), 0);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM search_registry WHERE state = "
				      "'pending' AND pack_failed"), 2);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM events WHERE kind = "
				      "'search_dropped' AND payload->>'batch' = 'season_fallback'"), 1);
	/* the next enqueue searches the two episodes instead */
	discover_enqueue();
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM request_queue WHERE command = "
				      "'EpisodeSearch' AND cardinality(arr_ids) = 2"), 1);
	dispatch();
	ledger = fx_ledger(&x);
	ck_assert_int_eq(json_array_size(ledger), 1);
	ck_assert(ledger_has(ledger, a[4]) && ledger_has(ledger, a[5]));
	json_decref(ledger);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dispatch_recheck");
	TCase *tc = tcase_create("recheck");
	SRunner *sr;
	int failed;

	if (!pgtest_available()) {
		printf("SKIPPED: no PostgreSQL (run inside tests/run.sh)\n");
		return 0;
	}
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, resolved_items_are_never_searched_nor_charged);
	tcase_add_test(tc, a_season_pack_that_no_longer_qualifies_falls_back_unsent);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
