/*
 * test_dispatch.c - the dispatch cycle against a real PostgreSQL and the
 * fake Sonarr: outcomes, throttle counters (Properties 6, 8, 11, 12),
 * pauses and fault paths (401, 404, 429 in both Retry-After forms, 503,
 * timeouts), season pack fallback (Req 6.5) and Prowlarr (Req 38).
 * The dispatcher runs in-process on an injected clock: nothing waits for
 * real minutes.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dispatch_fixture.h"
#include "db/queue.h"
#include "stage/dispatch.h"
#include "core/banned.h"

static struct fx x;

static const char *const sonarr_grab[] = {
	"--app", "sonarr", "--series", "1", "--seasons", "1", "--episodes", "60",
	"--missing", "1", "--unaired", "0", "--grab", "0.5", "--command-ms", "0", NULL
};
static const char *const sonarr_nograb[] = {
	"--app", "sonarr", "--series", "1", "--seasons", "1", "--episodes", "60",
	"--missing", "1", "--unaired", "0", "--grab", "0", "--command-ms", "0", NULL
};
static const char *const sonarr_slow[] = {
	"--app", "sonarr", "--series", "1", "--seasons", "1", "--episodes", "60",
	"--missing", "1", "--unaired", "0", "--grab", "0", "--command-ms", "3600000", NULL
};

static int64_t
now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One cycle on the fake clock; returns the report. */
static struct dispatch_report
run(long max_wait_ms)
{
	struct dispatch_opts o;
	struct dispatch_report r;
	struct err e = ERR_INIT;
	struct jsonl out;

	/* the report lines go to the test's log, for a failure's story */
	jsonl_init(&out, stderr);
	memset(&o, 0, sizeof(o));
	o.out = &out;
	o.key = &x.k;
	o.worker = "test:1";
	o.poll_ms = 1000;
	o.command_timeout_s = 60;
	o.max_wait_ms = max_wait_ms;
	o.retry.attempts = 1;
	ck_assert_msg(dispatch_run(x.t.conn, &o, &r, &e) == 0, "dispatch_run: %s", e.msg);
	return r;
}

static void
fault(const char *json)
{
	struct err e = ERR_INIT;

	ck_assert_msg(fakearr_call(&x.fa, "POST", "/__fake/fault", json, NULL, &e) == 0,
		      "fault %s: %s", json, e.msg);
}

static void
teardown(void)
{
	fx_stop(&x);
}

START_TEST(each_batch_is_sent_once_and_outcomes_come_from_history)
{
	struct dispatch_report r;
	json_t *ledger;
	long long grabbed_hist;

	fx_start(&x, "dispatch", sonarr_grab);
	clock_set_fake(now_real());
	fx_profile(&x, 60, 10, 0, 3, 6);
	fx_queue(&x, 30, 5);
	r = run(0);
	ledger = fx_ledger(&x);
	ck_assert_msg(json_array_size(ledger) == 6, "expected 6 commands in the fake's ledger, got %zu",
		      json_array_size(ledger));
	ck_assert_msg(fx_ledger_repeats(ledger) == 0, "a batch was sent twice");
	json_decref(ledger);
	ck_assert_msg(r.batches == 6 && r.sent == 6 && r.queries == 30,
		      "report: expected 6 batches, 6 sent, 30 queries; got %ld, %ld, %ld",
		      r.batches, r.sent, r.queries);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM request_queue"), 0);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM search_history"), 6);
	ck_assert_msg(pgtest_count(&x.t, "SELECT count(*) FROM search_registry WHERE state NOT IN "
				   "('awaiting_import', 'cooldown')") == 0,
		      "every entry should be awaiting_import or cooldown");
	grabbed_hist = pgtest_count(&x.t, "SELECT coalesce(sum(items_grabbed), 0) FROM search_history");
	ck_assert_msg(grabbed_hist == r.grabbed && grabbed_hist == pgtest_count(&x.t,
		      "SELECT count(*) FROM search_registry WHERE state = 'awaiting_import'"),
		      "grabs: history %lld, report %ld disagree with registry", grabbed_hist, r.grabbed);
	ck_assert_msg(r.grabbed > 0 && r.grabbed < 30, "with --grab 0.5 expected some grabs, got %ld",
		      r.grabbed);
	/* no-results entries counted an attempt and cool down (Req 5.5) */
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM search_registry WHERE state = "
				      "'cooldown' AND (attempts <> 1 OR failure_category <> 'no_results' "
				      "OR next_eligible_at IS NULL)"), 0);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM events WHERE kind = 'search_outcome'"), 6);
}
END_TEST

/* Property 6: batches go out in priority order. */
START_TEST(batches_are_sent_in_priority_order)
{
	json_t *ledger;
	int prev = 0;

	fx_start(&x, "dispatch", sonarr_nograb);
	clock_set_fake(now_real());
	fx_profile(&x, 60, 10, 0, 3, 6);
	fx_queue(&x, 40, 4);
	/* shuffle priorities: higher priority for higher ids */
	pgtest_exec(&x.t, "UPDATE request_queue SET priority = arr_ids[1]");
	run(0);
	ledger = fx_ledger(&x);
	ck_assert_int_eq(json_array_size(ledger), 10);
	for (size_t i = 0; i < json_array_size(ledger); i++) {
		json_t *ids = json_object_get(json_object_get(json_array_get(ledger, i), "body"),
					      "episodeIds");
		int first = (int)json_integer_value(json_array_get(ids, 0));

		ck_assert_msg(i == 0 || first < prev, "command %zu starts at episode %d after %d: "
			      "expected descending priority", i, first, prev);
		prev = first;
	}
	json_decref(ledger);
}
END_TEST

/* Property 11: never more than rpm queries in any sliding minute. */
START_TEST(rpm_is_never_exceeded_in_any_sliding_minute)
{
	struct dispatch_report r;
	int64_t t0 = now_real();

	fx_start(&x, "dispatch", sonarr_nograb);
	clock_set_fake(t0);
	fx_profile(&x, 10, 5, 0, 3, 6);
	fx_queue(&x, 60, 5);
	r = run(3600 * 1000L);
	ck_assert_msg(r.batches == 12, "expected 12 batches, got %ld", r.batches);
	ck_assert_msg(fx_max_window(&x) <= 10, "a 60 s window held %lld queries, limit 10",
		      fx_max_window(&x));
	/* 60 queries at 10 a minute: at least 5 minutes of (fake) time */
	ck_assert_msg(clock_now_us() - t0 >= 5LL * 60 * 1000000, "took only %lld s of fake time",
		      (long long)((clock_now_us() - t0) / 1000000));
	ck_assert_msg(r.throttled_waits > 0, "expected the cycle to wait for the window");
}
END_TEST

/* Req 7.2: the daily budget stops dispatch until local midnight. */
START_TEST(daily_budget_stops_dispatch_until_midnight)
{
	struct dispatch_report r;
	int64_t day = 86400LL * 1000000;
	int64_t t0 = (now_real() / day) * day + 20LL * 3600 * 1000000;	/* 20:00 UTC today */

	/*
	 * The queue's rows are due from the database's real now(): a fake
	 * 20:00 earlier than that (a run after 20:00 UTC) would find nothing
	 * due.  So the next 20:00, tomorrow's when today's has passed.
	 */
	if (t0 < now_real())
		t0 += day;

	fx_start(&x, "dispatch", sonarr_nograb);
	clock_set_fake(t0);
	fx_profile(&x, 60, 5, 15, 3, 6);
	fx_queue(&x, 40, 5);
	r = run(3600 * 1000L);
	ck_assert_msg(r.queries == 15, "budget 15: expected 15 queries spent, got %ld", r.queries);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM events WHERE kind = 'budget_exhausted'"), 1);
	r = run(3600 * 1000L);
	ck_assert_msg(r.queries == 0, "budget spent: expected nothing sent, got %ld", r.queries);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM events WHERE kind = 'budget_exhausted'"), 1);
	clock_set_fake((t0 / day + 1) * day + 1000000);	/* just after midnight */
	r = run(3600 * 1000L);
	ck_assert_msg(r.queries == 15, "next day: expected 15 more queries, got %ld", r.queries);
}
END_TEST

/* Properties 11 and 12 at the database level: random arrivals, refused
 * attempts consume nothing, windows and days reset. */
START_TEST(db_counters_hold_for_random_arrivals_and_refusals_cost_nothing)
{
	struct throttle_profile p;
	struct policy_tz utc;
	static const int32_t zero = 0;
	struct err e = ERR_INIT;
	int64_t now = 1767225600LL * 1000000 - 3600LL * 1000000;	/* 23:00 UTC */
	unsigned seed = 12345;
	long allowed = 0, spent = 0;

	fx_start(&x, "dispatch", sonarr_nograb);
	policy_tz_fixed(&utc, &zero);
	throttle_preset_get(THROTTLE_MODERATE, &p);
	p.requests_per_minute = 7;
	p.batch_size = 5;
	p.daily_budget = 200;
	for (int i = 0; i < 600; i++) {
		struct db_throttle_decision d;
		int cost = 1 + (int)(rand_r(&seed) % 5);
		int64_t id = 0;

		now += (int64_t)(rand_r(&seed) % 20000) * 1000;
		ck_assert_msg(db_throttle_admit(x.t.conn, x.connector_id, &p, &utc, now, cost, &d, &id,
						&e) == 0, "admit: %s", e.msg);
		if (d.v.allowed) {
			allowed++;
			spent += cost;
			ck_assert_msg(id > 0, "an admitted command must have a ledger row");
		} else {
			ck_assert_msg(id == 0 && d.v.earliest_us > now, "a refusal must say when, "
				      "and spend nothing");
		}
	}
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM throttle_ledger"), allowed);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT sum(cost) FROM throttle_ledger"), spent);
	ck_assert_msg(fx_max_window(&x) <= 7, "window held %lld > 7", fx_max_window(&x));
	ck_assert_msg(pgtest_count(&x.t, "SELECT coalesce(max(s), 0) FROM (SELECT sum(cost) s FROM "
				   "throttle_ledger GROUP BY date_trunc('day', at AT TIME ZONE 'UTC')) d") <= 200,
		      "a day spent more than its budget of 200");
	/* the run crosses midnight: the budget reset let the second day spend too */
	ck_assert_msg(pgtest_count(&x.t, "SELECT count(DISTINCT date_trunc('day', at AT TIME ZONE 'UTC')) "
				   "FROM throttle_ledger") == 2, "expected spending on both days");
}
END_TEST

/* Req 5.6 / Property 8: exhausted at max attempts. */
START_TEST(no_results_at_max_attempts_exhausts)
{
	fx_start(&x, "dispatch", sonarr_nograb);
	clock_set_fake(now_real());
	fx_profile(&x, 60, 10, 0, 3, 3);
	fx_queue(&x, 10, 5);
	pgtest_exec(&x.t, "UPDATE search_registry SET attempts = 2 WHERE id IN (SELECT registry_id "
		    "FROM request_queue_items i JOIN request_queue q ON q.id = i.queue_id "
		    "WHERE q.priority = 100000)");
	run(0);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM search_registry WHERE state = "
				      "'exhausted' AND attempts = 3 AND next_eligible_at IS NULL"), 5);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM search_registry WHERE state = "
				      "'cooldown' AND attempts = 1"), 5);
}
END_TEST

/* Req 7.3, 28.3: 429 pauses the connector; both Retry-After forms. */
static void
check_429(const char *fault_json, int64_t min_s, int64_t max_s)
{
	struct dispatch_report r;
	long long until_s;

	fx_start(&x, "dispatch", sonarr_nograb);
	clock_set_fake(now_real());
	fx_profile(&x, 60, 10, 0, 3, 6);
	fx_queue(&x, 10, 5);
	fault(fault_json);
	r = run(0);
	ck_assert_msg(r.sent == 0, "expected nothing accepted, got %ld", r.sent);
	until_s = pgtest_count(&x.t, "SELECT extract(epoch FROM paused_until)::bigint FROM throttle_state");
	ck_assert_msg(until_s - clock_now() >= min_s && until_s - clock_now() <= max_s,
		      "pause: expected %lld..%lld s, got %lld s", (long long)min_s, (long long)max_s,
		      until_s - (long long)clock_now());
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM search_registry WHERE "
				      "failure_category = 'rate_limited' AND state = 'cooldown'"), 5);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM events WHERE kind = 'connector_paused'"), 1);
	pgtest_exec(&x.t, "SELECT 1");
	{
		struct err e = ERR_INIT;

		fakearr_call(&x.fa, "DELETE", "/__fake/fault", NULL, NULL, &e);
	}
	r = run(0);
	ck_assert_msg(r.sent == 0, "paused connector: expected nothing sent, got %ld", r.sent);
	clock_set_fake((until_s + 1) * 1000000);
	r = run(0);
	ck_assert_msg(r.sent == 1, "after the pause: expected the other batch sent, got %ld", r.sent);
}

START_TEST(rate_limit_with_retry_after_seconds_pauses_connector)
{
	check_429("{\"kind\":\"ratelimit\",\"path\":\"/api/v3/command\",\"retry_after\":\"900\"}",
		  890, 905);
}
END_TEST

START_TEST(rate_limit_with_http_date_pauses_connector)
{
	char f[256], date[64];
	time_t t = time(NULL) + 1800;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	snprintf(f, sizeof(f), "{\"kind\":\"ratelimit\",\"path\":\"/api/v3/command\",\"retry_after\":\"%s\"}",
		 date);
	check_429(f, 1700, 1810);
}
END_TEST

/* Req 28.1: a 401 marks the connector, gives the batch back, refunds. */
START_TEST(auth_failure_marks_connector_and_releases_batch)
{
	struct dispatch_report r;

	fx_start(&x, "dispatch", sonarr_nograb);
	clock_set_fake(now_real());
	fx_profile(&x, 60, 10, 0, 3, 6);
	fx_queue(&x, 10, 5);
	fault("{\"kind\":\"auth\",\"path\":\"/api/v3/command\"}");
	r = run(0);
	ck_assert_msg(r.sent == 0 && r.released == 1, "expected 0 sent, 1 released; got %ld, %ld",
		      r.sent, r.released);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM connectors WHERE auth_failed"), 1);
	/* the state, its history row and its event, written together */
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM connectors WHERE health = "
				      "'unhealthy' AND health_checked_at IS NOT NULL"), 1);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM connector_health_history WHERE "
				      "status = 'unhealthy' AND detail LIKE '%401%'"), 1);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM events WHERE kind = "
				      "'connector_auth_failed'"), 1);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM request_queue WHERE claimed_by IS NULL"), 2);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM search_registry WHERE state = 'queued'"), 10);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM throttle_ledger"), 0);
	r = run(0);
	ck_assert_msg(r.sent == 0, "auth-failed connector must be skipped");
}
END_TEST

/* An app starting (503) cannot have acted: the batch goes back. */
START_TEST(app_starting_releases_batch_for_later)
{
	struct dispatch_report r;

	fx_start(&x, "dispatch", sonarr_nograb);
	clock_set_fake(now_real());
	fx_profile(&x, 60, 10, 0, 3, 6);
	fx_queue(&x, 10, 5);
	fault("{\"kind\":\"startup\",\"path\":\"/api/v3/command\",\"retry_after\":\"3600\"}");
	r = run(0);
	ck_assert_msg(r.sent == 0 && r.released == 1, "expected 1 released, got %ld", r.released);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM search_registry WHERE state = 'queued'"), 10);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM search_history"), 0);
}
END_TEST

/* A command that never finishes: timeout outcome, counter unchanged. */
START_TEST(command_past_deadline_is_a_timeout)
{
	struct dispatch_report r;

	fx_start(&x, "dispatch", sonarr_slow);
	clock_set_fake(now_real());
	fx_profile(&x, 60, 10, 0, 3, 6);
	fx_queue(&x, 5, 5);
	r = run(0);
	ck_assert_msg(r.batches == 1 && r.failed == 1, "expected one failed batch, got %ld/%ld",
		      r.batches, r.failed);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM search_registry WHERE state = "
				      "'cooldown' AND attempts = 0 AND failure_category = 'timeout'"), 5);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM search_history WHERE outcome = 'timeout'"), 1);
}
END_TEST

/* A rescued batch whose command the app forgot (404) is decided from
 * history and never sent again. */
START_TEST(rescued_batch_with_forgotten_command_is_not_resent)
{
	struct dispatch_report r;
	json_t *ledger;

	fx_start(&x, "dispatch", sonarr_nograb);
	clock_set_fake(now_real());
	fx_profile(&x, 60, 10, 0, 3, 6);
	fx_queue(&x, 5, 5);
	pgtest_exec(&x.t, "UPDATE request_queue SET claimed_by = 'dead:1', command_id = 99999, "
		    "sent_at = now(), lease_expires_at = now() - interval '1 second'");
	pgtest_exec(&x.t, "UPDATE search_registry SET state = 'searching'");
	r = run(0);
	ck_assert_msg(r.rescued == 1 && r.batches == 1 && r.sent == 0,
		      "expected 1 rescued, 1 finished, 0 sent; got %ld, %ld, %ld",
		      r.rescued, r.batches, r.sent);
	ledger = fx_ledger(&x);
	ck_assert_int_eq(json_array_size(ledger), 0);
	json_decref(ledger);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM search_history WHERE message LIKE '%404%'"), 1);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM events WHERE kind = 'lease_rescued'"), 1);
}
END_TEST

/* Req 6.5: a season pack that found nothing marks its episodes. */
START_TEST(season_pack_without_results_marks_pack_failed)
{
	fx_start(&x, "dispatch", sonarr_nograb);
	clock_set_fake(now_real());
	fx_profile(&x, 60, 10, 0, 3, 6);
	fx_queue(&x, 8, 10);
	pgtest_exec(&x.t, "UPDATE request_queue SET command = 'SeasonSearch', series_arr_id = 1, "
		    "season_number = 1, arr_ids = '{}', indexer_queries = 1");
	/* aired: a season pack the dispatcher's re-check still finds due */
	pgtest_exec(&x.t, "UPDATE episodes SET air_date_utc = now() - interval '30 days'");
	run(0);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM search_registry WHERE pack_failed "
				      "AND state = 'cooldown'"), 8);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM search_history WHERE "
				      "content_kind = 'season' AND indexer_queries = 1"), 1);
}
END_TEST

/* Req 38: Prowlarr status is cached, stale when unreachable, never blocks. */
START_TEST(prowlarr_status_is_cached_and_never_blocks)
{
	static const char *const pargs[] = { "--app", "prowlarr", NULL };
	struct fakearr p;
	struct connector c;
	struct err e = ERR_INIT;
	struct dispatch_report r;

	fx_start(&x, "dispatch", sonarr_nograb);
	clock_set_fake(now_real());
	fx_profile(&x, 60, 10, 0, 3, 6);
	fx_queue(&x, 5, 5);
	ck_assert_msg(fakearr_start(&p, NULL, pargs, &e) == 0, "prowlarr: %s", e.msg);
	ck_assert(fakearr_call(&p, "POST", "/__fake/indexerstatus",
			       "[{\"id\":1,\"indexerId\":7,\"disabledTill\":\"2999-01-01T00:00:00Z\"}]",
			       NULL, &e) == 0);
	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "idx");
	snprintf(c.type, sizeof(c.type), "prowlarr");
	c.url = strdup(p.url);
	c.enabled = 1;
	c.tls_verify = 1;
	c.timeout_ms = 2000;
	ck_assert(db_connector_add(x.t.conn, &x.k, &c, p.api_key, &e) == 0);
	connector_release(&c);
	r = run(0);
	ck_assert_msg(r.sent == 1, "disabled indexers must not block: expected 1 sent, got %ld", r.sent);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT jsonb_array_length(disabled) FROM prowlarr_status "
				      "WHERE error IS NULL"), 1);
	fakearr_stop(&p);
	pgtest_exec(&x.t, "UPDATE prowlarr_status SET tried_at = now() - interval '1 hour'");
	r = run(0);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM prowlarr_status WHERE error IS NOT NULL "
				      "AND jsonb_array_length(disabled) = 1"), 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dispatch");
	TCase *tc = tcase_create("dispatch");
	SRunner *sr;
	int failed;

	if (!pgtest_available()) {
		printf("SKIPPED: no PostgreSQL (run inside tests/run.sh)\n");
		return 0;
	}
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, each_batch_is_sent_once_and_outcomes_come_from_history);
	tcase_add_test(tc, batches_are_sent_in_priority_order);
	tcase_add_test(tc, rpm_is_never_exceeded_in_any_sliding_minute);
	tcase_add_test(tc, daily_budget_stops_dispatch_until_midnight);
	tcase_add_test(tc, db_counters_hold_for_random_arrivals_and_refusals_cost_nothing);
	tcase_add_test(tc, no_results_at_max_attempts_exhausts);
	tcase_add_test(tc, rate_limit_with_retry_after_seconds_pauses_connector);
	tcase_add_test(tc, rate_limit_with_http_date_pauses_connector);
	tcase_add_test(tc, auth_failure_marks_connector_and_releases_batch);
	tcase_add_test(tc, app_starting_releases_batch_for_later);
	tcase_add_test(tc, command_past_deadline_is_a_timeout);
	tcase_add_test(tc, rescued_batch_with_forgotten_command_is_not_resent);
	tcase_add_test(tc, season_pack_without_results_marks_pack_failed);
	tcase_add_test(tc, prowlarr_status_is_cached_and_never_blocks);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
