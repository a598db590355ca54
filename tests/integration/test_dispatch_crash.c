/*
 * test_dispatch_crash.c - real comradarr-dispatch processes:
 *   - the kill -9 matrix: SIGKILL at every point of a batch's life (claimed
 *     before the POST, posted before the id is recorded, recorded, polling,
 *     outcome decided but not written), each repeated; a second dispatcher
 *     rescues the expired lease.  Checked with the fake's ledger: nothing
 *     lost, no search sent twice;
 *   - 8 dispatcher processes on 10,000 queued items: every batch sent
 *     exactly once (ledger), the rpm never exceeded in any sliding minute.
 * The dispatchers run on an injected clock (COMRADARR_FAKE_NOW); leases are
 * expired with SQL, as time passing in the database would.
 */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dispatch_fixture.h"
#include "core/banned.h"

#define CRASH_REPEATS 3

static struct fx x;

static const char *const sonarr_args[] = {
	"--app", "sonarr", "--series", "1", "--seasons", "1", "--episodes", "100",
	"--missing", "1", "--unaired", "0", "--grab", "0.5", "--command-ms", "0", NULL
};

/* Start comradarr-dispatch (lease_s 0: its default lease); reap() it. */
static pid_t
spawn_lease(const char *crash_at, const char *worker, int64_t now_s, int lease_s)
{
	const char *dir = getenv("COMRADARR_BIN_DIR");
	char bin[512], now[32], lease[16];
	pid_t pid;

	snprintf(bin, sizeof(bin), "%s/comradarr-dispatch", dir ? dir : "build/bin");
	snprintf(now, sizeof(now), "%lld", (long long)now_s);
	snprintf(lease, sizeof(lease), "%d", lease_s > 0 ? lease_s : 60);
	pid = fork();
	ck_assert_msg(pid >= 0, "fork failed");
	if (pid == 0) {
		int null = open("/dev/null", 1);

		if (null >= 0) {
			dup2(null, 1);
			if (getenv("DISPATCH_TEST_VERBOSE") == NULL)
				dup2(null, 2);
		}
		setenv("COMRADARR_FAKE_NOW", now, 1);
		if (crash_at != NULL)
			setenv("COMRADARR_CRASH_AT", crash_at, 1);
		else
			unsetenv("COMRADARR_CRASH_AT");
		execl(bin, bin, "--once", "--json", "--poll", "50", "--max-wait", "86400",
		      "--worker", worker, "--lease", lease, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static pid_t
spawn(const char *crash_at, const char *worker, int64_t now_s)
{
	return spawn_lease(crash_at, worker, now_s, 0);
}

static int
reap(pid_t pid)
{
	int st = 0;

	waitpid(pid, &st, 0);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

static int64_t
now_s(void)
{
	return (int64_t)time(NULL);
}

static void
teardown(void)
{
	fx_stop(&x);
}

static void
crash_at(const char *point)
{
	int64_t t = now_s();
	json_t *ledger;
	int rc;

	fx_start(&x, "dcrash", sonarr_args);
	fx_profile(&x, 60, 10, 0, 3, 6);
	for (int rep = 0; rep < CRASH_REPEATS; rep++) {
		char sql[256];

		snprintf(sql, sizeof(sql), "TRUNCATE request_queue, request_queue_items, search_registry, "
			 "episodes, series, search_history CASCADE");
		pgtest_exec(&x.t, sql);
		fakearr_call(&x.fa, "DELETE", "/__fake/ledger", NULL, NULL, NULL);
		/* fresh ids each round: the app still lists the last round's commands */
		fx_queue_from(&x, 1 + rep * 30, 30, 10);
		t += 86400;	/* a new day: earlier cooldowns and windows are over */
		rc = reap(spawn(point, "victim", t));
		ck_assert_msg(rc == 128 + SIGKILL, "%s: expected the dispatcher killed by SIGKILL, got %d",
			      point, rc);
		ck_assert_msg(pgtest_count(&x.t, "SELECT count(*) FROM request_queue WHERE claimed_by = "
					   "'victim'") == 1, "%s: expected one batch left claimed", point);
		/* while the lease runs, another dispatcher leaves the batch alone */
		rc = reap(spawn(NULL, "rescuer", t + 1));
		ck_assert_msg(rc == 0, "%s: second dispatcher exited %d", point, rc);
		ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM request_queue"), 1);
		/* the lease runs out */
		pgtest_exec(&x.t, "UPDATE request_queue SET lease_expires_at = now() - interval '1 second'");
		rc = reap(spawn(NULL, "rescuer", t + 61));
		ck_assert_msg(rc == 0, "%s: rescuing dispatcher exited %d", point, rc);
		/* nothing lost: every entry has an outcome, the queue is empty */
		ck_assert_msg(pgtest_count(&x.t, "SELECT count(*) FROM request_queue") == 0,
			      "%s: batches left in the queue", point);
		ck_assert_msg(pgtest_count(&x.t, "SELECT count(*) FROM search_registry WHERE state NOT IN "
					   "('awaiting_import', 'cooldown')") == 0,
			      "%s: entries left queued or searching", point);
		ck_assert_msg(pgtest_count(&x.t, "SELECT count(*) FROM search_history") == 3,
			      "%s: expected 3 history rows, got %lld", point,
			      pgtest_count(&x.t, "SELECT count(*) FROM search_history"));
		/* no early repeat: each search reached the app at most once */
		ledger = fx_ledger(&x);
		ck_assert_msg(fx_ledger_repeats(ledger) == 0, "%s (round %d): a search was sent twice",
			      point, rep);
		ck_assert_msg(json_array_size(ledger) == 3, "%s: expected 3 commands received, got %zu",
			      point, json_array_size(ledger));
		json_decref(ledger);
		/* and nothing is due again inside the cooldown */
		rc = reap(spawn(NULL, "later", t + 120));
		ledger = fx_ledger(&x);
		ck_assert_int_eq(json_array_size(ledger), 3);
		json_decref(ledger);
	}
}

START_TEST(kill_before_post_loses_nothing)
{
	crash_at("claimed");
}
END_TEST

START_TEST(kill_after_post_before_recording_never_resends)
{
	crash_at("posted");
}
END_TEST

START_TEST(kill_after_recording_never_resends)
{
	crash_at("recorded");
}
END_TEST

START_TEST(kill_while_polling_never_resends)
{
	crash_at("polling");
}
END_TEST

START_TEST(kill_before_outcome_is_written_never_resends)
{
	crash_at("decided");
}
END_TEST

START_TEST(eight_dispatchers_send_each_batch_once_within_rpm)
{
	static const char *const big[] = {
		"--app", "sonarr", "--series", "100", "--seasons", "2", "--episodes", "50",
		"--missing", "1", "--unaired", "0", "--grab", "0.3", "--command-ms", "0", NULL
	};
	pid_t pids[8];
	char worker[16];
	int64_t t = now_s();
	json_t *ledger;
	struct timespec a, b;

	fx_start(&x, "dconc", big);
	fx_profile(&x, 60, 10, 0, 3, 6);
	fx_queue(&x, 10000, 10);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 8; i++) {
		snprintf(worker, sizeof(worker), "w%d", i);
		pids[i] = spawn(NULL, worker, t);
	}
	for (int i = 0; i < 8; i++)
		ck_assert_msg(reap(pids[i]) == 0, "dispatcher %d failed", i);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("8 dispatchers, 10000 items: %.1f s wall\n",
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM request_queue"), 0);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM search_history"), 1000);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM search_registry WHERE state NOT IN "
				      "('awaiting_import', 'cooldown')"), 0);
	ledger = fx_ledger(&x);
	ck_assert_msg(json_array_size(ledger) == 1000, "expected 1000 commands received, got %zu",
		      json_array_size(ledger));
	ck_assert_msg(fx_ledger_repeats(ledger) == 0, "a batch was sent more than once");
	json_decref(ledger);
	ck_assert_msg(fx_max_window(&x) <= 60, "a sliding minute held %lld queries, limit 60",
		      fx_max_window(&x));
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT sum(cost) FROM throttle_ledger"), 10000);
	ck_assert_msg(pgtest_count(&x.t, "SELECT count(DISTINCT claimed_by) FROM throttle_ledger") > 1,
		      "expected the work shared between processes");
}
END_TEST

/*
 * The app takes longer than the lease to take a command (a slow POST):
 * the dispatcher renews its lease while the request is in flight, so a
 * second dispatcher leaves the batch alone instead of rescuing it, finding
 * no command, and sending it again.  The fake's ledger shows one command.
 */
START_TEST(a_post_slower_than_the_lease_is_sent_once)
{
	struct timespec three = { 3, 0 };
	int64_t t = now_s();
	json_t *ledger;
	pid_t slow;
	struct err e = ERR_INIT;

	fx_start(&x, "dslow", sonarr_args);
	fx_profile(&x, 60, 10, 0, 3, 6);
	fx_queue(&x, 10, 10);
	/* the POST reaches the app 5 s late; the lease is 2 s */
	ck_assert_msg(fakearr_call(&x.fa, "POST", "/__fake/fault", "{\"kind\":\"latency\","
				   "\"path\":\"/api/v3/command\",\"method\":\"POST\","
				   "\"before\":true,\"ms\":5000,\"count\":1}", NULL, &e) == 0,
		      "fault: %s", e.msg);
	slow = spawn_lease(NULL, "slow", t, 2);
	nanosleep(&three, NULL);
	ck_assert_msg(pgtest_count(&x.t, "SELECT count(*) FROM request_queue WHERE claimed_by = "
				   "'slow' AND lease_expires_at > now()") == 1,
		      "the lease was not renewed while the POST was in flight");
	ck_assert_int_eq(reap(spawn_lease(NULL, "second", t + 1, 2)), 0);
	ck_assert_int_eq(reap(slow), 0);
	ledger = fx_ledger(&x);
	ck_assert_msg(json_array_size(ledger) == 1, "expected one command, the app received %zu",
		      json_array_size(ledger));
	json_decref(ledger);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM request_queue"), 0);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM search_history"), 1);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT count(*) FROM events WHERE kind = "
				      "'lease_rescued'"), 0);
	ck_assert_int_eq(pgtest_count(&x.t, "SELECT sum(cost) FROM throttle_ledger"), 10);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dispatch_crash");
	TCase *tc = tcase_create("crash");
	TCase *tc2 = tcase_create("concurrency");
	SRunner *sr;
	int failed;

	if (!pgtest_available()) {
		printf("SKIPPED: no PostgreSQL (run inside tests/run.sh)\n");
		return 0;
	}
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, kill_before_post_loses_nothing);
	tcase_add_test(tc, kill_after_post_before_recording_never_resends);
	tcase_add_test(tc, kill_after_recording_never_resends);
	tcase_add_test(tc, kill_while_polling_never_resends);
	tcase_add_test(tc, kill_before_outcome_is_written_never_resends);
	tcase_add_test(tc, a_post_slower_than_the_lease_is_sent_once);
	suite_add_tcase(s, tc);
	tcase_set_timeout(tc2, 240);
	tcase_add_checked_fixture(tc2, NULL, teardown);
	tcase_add_test(tc2, eight_dispatchers_send_each_batch_once_within_rpm);
	suite_add_tcase(s, tc2);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
