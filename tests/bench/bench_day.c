/*
 * bench_day.c - a simulated day of dispatch against the fake Sonarr, for
 * each preset: 5,000 missing episodes queued, the dispatcher run on an
 * injected clock from local midnight to the next.  Prints searches sent,
 * indexer queries spent, grabs, the busiest sliding minute and whether the
 * budget held.  Needs PostgreSQL (PGHOST...) and FAKEARR_BIN.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../integration/dispatch_fixture.h"
#include "db/db.h"
#include "stage/dispatch.h"
#include "core/banned.h"

static const char *const fake[] = {
	"--app", "sonarr", "--series", "200", "--seasons", "1", "--episodes", "25",
	"--missing", "1", "--unaired", "0", "--grab", "0.3", "--command-ms", "0", NULL
};

static void
day(const char *preset)
{
	struct fx x;
	struct dispatch_opts o;
	struct dispatch_report r;
	struct db_throttle_profile p;
	struct err e = ERR_INIT;
	int64_t dayus = 86400LL * 1000000, t0 = ((int64_t)time(NULL) * 1000000 / dayus + 1) * dayus;
	struct timespec a, b;

	fx_start(&x, "bench_day", fake);
	if (db_throttle_assign(x.t.conn, "tv", preset, &e) < 0 ||
	    db_throttle_profile_get(x.t.conn, preset, &p, &e) < 0) {
		ck_abort_msg("bench_day: %s", e.msg);
	}
	fx_queue(&x, 5000, p.p.batch_size);
	clock_set_fake(t0);
	memset(&o, 0, sizeof(o));
	o.key = &x.k;
	o.worker = "bench";
	o.max_wait_ms = dayus / 1000;
	o.retry.attempts = 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (dispatch_run(x.t.conn, &o, &r, &e) < 0) {
		ck_abort_msg("bench_day: %s", e.msg);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%-12s searches sent %5ld  indexer queries %5ld (budget %d: %s)  grabs %4ld  "
	       "busiest minute %lld/%d  last send at +%.1f h  wall %.1f s\n", preset, r.sent, r.queries,
	       p.p.daily_budget, r.queries <= p.p.daily_budget ? "respected" : "EXCEEDED", r.grabbed,
	       fx_max_window(&x), p.p.requests_per_minute,
	       (double)(pgtest_count(&x.t, "SELECT " DB_SQL_US("max(at)") " FROM throttle_ledger") - t0) / 3.6e9,
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	fx_stop(&x);
}

/* pgtest reports through Check, so each day runs as a Check test */
START_TEST(simulated_days)
{
	day("conservative");
	day("moderate");
	day("aggressive");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bench_day");
	TCase *tc = tcase_create("day");
	SRunner *sr;
	int failed;

	if (!pgtest_available()) {
		printf("SKIPPED: no PostgreSQL\n");
		return 0;
	}
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, simulated_days);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
